package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

// TestSIGTERMSavesAndResumes: SIGTERM stops the server after saving the model; the next
// start continues from it.
func TestSIGTERMSavesAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the full MNIST set")
	}
	state := t.TempDir()
	start := func(extra ...string) (string, chan error) {
		ready, done := make(chan string, 1), make(chan error, 1)
		args := append([]string{"-addr", "127.0.0.1:0", "-state", state}, extra...)
		// run returns when the server has shut down.
		go func() { done <- run(args, ready) }()
		select {
		case addr := <-ready:
			return addr, done
		case err := <-done:
			t.Fatalf("run: %v", err)
		}
		return "", nil
	}
	addr, done := start()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	var seen float64
	for seen < 5 {
		var m struct {
			Type string  `json:"type"`
			Step float64 `json:"step"`
		}
		c.SetReadDeadline(time.Now().Add(time.Minute))
		typ, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if typ == websocket.TextMessage && json.Unmarshal(b, &m) == nil && m.Type == "metrics" {
			seen = m.Step
		}
	}
	c.Close()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("run after SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "model.ckpt")); err != nil {
		t.Fatalf("no checkpoint after SIGTERM: %v", err)
	}

	addr, done = start("-paused")
	resp, err := http.Get("http://" + addr + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Step int64 `json:"step"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if float64(st.Step) < seen {
		t.Errorf("resumed at step %d, want at least %v (seen before SIGTERM)", st.Step, seen)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	if err := <-done; err != nil {
		t.Fatalf("second run after SIGTERM: %v", err)
	}
}
