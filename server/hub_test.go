package server

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// leaves returns a channel that gets the number of viewers left each time one leaves.
func leaves(s *testServer) <-chan int {
	ch := make(chan int, 1000)
	s.hub.onLeave = func(n int) { ch <- n }
	return ch
}

func waitViewers(t *testing.T, ch <-chan int, want int) {
	t.Helper()
	// A generous deadline turns a viewer the hub never lets go into a failure, not a hang;
	// it asserts nothing about speed.
	timeout := time.After(30 * time.Second)
	for {
		select {
		case n := <-ch:
			if n == want {
				return
			}
		case <-timeout:
			t.Fatalf("viewers never went down to %d", want)
		}
	}
}

// dialStuck opens a viewer that never reads, with a tiny receive buffer so the server's
// writes to it back up quickly.
func dialStuck(t *testing.T, s *testServer) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(s.ts.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestStuckViewer: a viewer that never reads delays neither the other viewers' frames
// nor training, and is cut once its socket stays full.
func TestStuckViewer(t *testing.T) {
	s := start(t, func(o *Options) {
		o.Timings.Visual = 2 * time.Millisecond
		o.Timings.WriteWait = 300 * time.Millisecond
	})
	left := leaves(s)
	dialStuck(t, s)
	good := s.dial(t)

	// While the stuck viewer is connected, the good one sees the network learn: filters
	// frames from ever later steps.
	var last int64 = -1
	startStep := s.session.trainer.Progress().Step
	for n := 0; n < 20; {
		m := readUntil(t, good, ofType("filters"))
		if m.bin.Step > last {
			last = m.bin.Step
			n++
		}
	}
	if end := s.session.trainer.Progress().Step; end <= startStep {
		t.Errorf("training did not advance while a viewer was stuck: step %d then %d", startStep, end)
	}

	// The stuck viewer is cut by the write deadline: after the good one leaves, nobody is left.
	good.Close()
	waitViewers(t, left, 0)
}

// TestPendingKeepsLatest: a viewer that cannot keep up holds only the newest frame of
// each kind, handed to its writer in delivery order (hello first).
func TestPendingKeepsLatest(t *testing.T) {
	c := &client{notify: make(chan struct{}, 1)}
	for i := range 5 {
		c.offer(frame{kind: kindFilters, data: []byte{byte(i)}})
		c.offer(frame{kind: kindMetrics, data: []byte{byte(10 + i)}})
	}
	c.offer(frame{kind: kindHello, data: []byte("hello")})
	got := c.take(nil)
	if len(got) != 3 {
		t.Fatalf("take() = %d frames, want 3 (one per kind)", len(got))
	}
	if got[0].kind != kindHello || got[1].kind != kindMetrics || got[2].kind != kindFilters {
		t.Errorf("take() kinds = %v %v %v, want hello, metrics, filters", got[0].kind, got[1].kind, got[2].kind)
	}
	if got[1].data[0] != 14 || got[2].data[0] != 4 {
		t.Errorf("take() kept metrics %d, filters %d; want the latest, 14 and 4", got[1].data[0], got[2].data[0])
	}
	if again := c.take(nil); len(again) != 0 {
		t.Errorf("second take() = %d frames, want none", len(again))
	}
}

// TestDisconnects: viewers that leave (cleanly or by dropping the socket) are forgotten;
// goleak (TestMain) checks that their goroutines ended.
func TestDisconnects(t *testing.T) {
	s := start(t, nil)
	left := leaves(s)
	var conns []*websocket.Conn
	for range 6 {
		c := s.dial(t)
		readUntil(t, c, ofType("hello"))
		conns = append(conns, c)
	}
	for i, c := range conns {
		if i%2 == 0 {
			c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
		}
		c.NetConn().Close()
	}
	waitViewers(t, left, 0)
	if n := s.hub.viewers.Load(); n != 0 {
		t.Errorf("viewers = %d after every viewer left, want 0", n)
	}
}

// TestReadLimit: a message over the limit closes that viewer's connection.
func TestReadLimit(t *testing.T) {
	s := start(t, nil)
	c := s.dial(t)
	readUntil(t, c, ofType("hello"))
	c.WriteMessage(websocket.TextMessage, []byte(`{"type":"probe","x":"`+strings.Repeat("a", maxMessage)+`"}`))
	for {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) && !strings.Contains(err.Error(), "reset") &&
			!websocket.IsUnexpectedCloseError(err) {
			t.Errorf("after an oversized message: %v, want the connection closed", err)
		}
		return
	}
}

// TestCompressedViewer: a viewer that negotiates permessage-deflate, as browsers do,
// gets the same frames.
func TestCompressedViewer(t *testing.T) {
	s := start(t, nil)
	d := websocket.Dialer{EnableCompression: true}
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(s.ts.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Errorf("server answered extensions %q, want permessage-deflate", ext)
	}
	if m := read(t, c); m.typ != "hello" {
		t.Fatalf("first frame %q, want hello", m.typ)
	}
	f := readUntil(t, c, ofType("filters"))
	if len(f.bin.Tensors) != 2 {
		t.Errorf("compressed filters frame has %d tensors, want 2", len(f.bin.Tensors))
	}
	readUntil(t, c, ofType("metrics"))
}
