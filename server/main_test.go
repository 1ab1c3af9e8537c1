package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"convscope/nn"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var mnist struct {
	once        sync.Once
	train, test *nn.Dataset
	err         error
}

// data returns small MNIST subsets: the real digits, little training time.
func data(t *testing.T) (train, test *nn.Dataset) {
	t.Helper()
	mnist.once.Do(func() {
		mnist.train, mnist.test, mnist.err = nn.LoadMNIST(os.DirFS("../samples"), "mnist")
	})
	if mnist.err != nil {
		t.Fatalf("LoadMNIST: %v", mnist.err)
	}
	return mnist.train.Subset(2000), mnist.test.Subset(200)
}

// fastTimings make frames flow quickly and deadlines short.
func fastTimings() Timings {
	return Timings{Metrics: 10 * time.Millisecond, Visual: 20 * time.Millisecond,
		Matches: 20 * time.Millisecond, Autosave: time.Hour,
		WriteWait: 2 * time.Second, PongWait: 5 * time.Second, PingPeriod: 4 * time.Second}
}

type testServer struct {
	*Server
	ts *httptest.Server
}

// start runs a server on small data; edit tweaks its options. Cleanup closes it.
func start(t *testing.T, edit func(*Options)) *testServer {
	t.Helper()
	train, test := data(t)
	cfg := nn.DefaultConfig()
	cfg.BatchSize, cfg.EvalSubset, cfg.EvalEvery, cfg.Workers = 16, 100, 20, 1
	opts := Options{Train: train, Test: test, Spec: nn.PyramidSpec(), Config: cfg,
		Timings: fastTimings(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s.Start(context.Background())
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return &testServer{Server: s, ts: ts}
}

func (s *testServer) dial(t *testing.T) *websocket.Conn {
	t.Helper()
	url := "ws" + strings.TrimPrefix(s.ts.URL, "http") + "/ws"
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// msg is one received websocket frame, decoded.
type msg struct {
	typ  string // JSON "type", or "filters", "activations", "edges", "bank"
	json map[string]any
	bin  *Frame
	raw  []byte
}

var binKinds = map[byte]string{BinFilters: "filters", BinActivations: "activations", BinEdges: "edges", BinBank: "bank"}

// read reads one frame; a generous deadline turns a hang into a failure, it asserts
// nothing about speed.
func read(t *testing.T, c *websocket.Conn) msg {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	typ, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	if typ == websocket.BinaryMessage {
		f, err := DecodeBinary(b)
		if err != nil {
			t.Fatalf("DecodeBinary: %v", err)
		}
		return msg{typ: binKinds[f.Kind], bin: f, raw: b}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("text frame %q is not JSON: %v", b, err)
	}
	return msg{typ: m["type"].(string), json: m, raw: b}
}

// readUntil reads frames until pred accepts one and returns it.
func readUntil(t *testing.T, c *websocket.Conn, pred func(msg) bool) msg {
	t.Helper()
	// A generous bound turns "the awaited frame never comes, others keep coming" into a
	// failure instead of a hang; it asserts nothing about speed.
	end := time.Now().Add(60 * time.Second)
	for time.Now().Before(end) {
		if m := read(t, c); pred(m) {
			return m
		}
	}
	t.Fatalf("the awaited frame did not come within a minute")
	return msg{}
}

func ofType(typ string) func(msg) bool { return func(m msg) bool { return m.typ == typ } }

func (s *testServer) do(t *testing.T, method, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s = %d %q: not JSON", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

type websocketConn struct {
	c    *websocket.Conn
	name string
}
