package main

import (
	"net"
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	one := urls(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080})
	if len(one) != 1 || one[0] != "http://127.0.0.1:8080/" {
		t.Errorf("urls(127.0.0.1:8080) = %v, want just that address", one)
	}
	all := urls(&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000})
	if len(all) == 0 || all[0] != "http://localhost:9000/" {
		t.Fatalf("urls([::]:9000) = %v, want localhost first", all)
	}
	for _, u := range all[1:] {
		host := strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
		h, port, err := net.SplitHostPort(host)
		ip := net.ParseIP(h)
		if err != nil || port != "9000" || ip == nil || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
			t.Errorf("urls([::]:9000) lists %q, want a LAN address on port 9000", u)
		}
	}
}
