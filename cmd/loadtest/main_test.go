package main

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"convscope/server"
)

func TestCheckLoopback(t *testing.T) {
	for host, ok := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true,
		"10.0.0.2": false, "example.org": false, "": false} {
		if err := checkLoopback(host); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want allowed %v", host, err, ok)
		}
	}
}

func TestClassify(t *testing.T) {
	at := time.UnixMilli(1234)
	b, err := server.EncodeBinary(server.BinActivations, 7, at, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ  int
		data []byte
		kind string
		t    float64
	}{
		{websocket.BinaryMessage, b, "activations", 1234},
		{websocket.TextMessage, []byte(`{"type":"metrics","t":99.5,"step":3}`), "metrics", 99.5},
		{websocket.TextMessage, []byte(`not json`), "error", 0},
		{websocket.BinaryMessage, []byte("short"), "error", 0},
	} {
		if k, ts := classify(tc.typ, tc.data); k != tc.kind || ts != tc.t {
			t.Errorf("classify(%q) = %q, %v; want %q, %v", tc.data, k, ts, tc.kind, tc.t)
		}
	}
}
