package server

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"convscope/nn"
)

// TestSocketJSDecode runs the page's decoder (static/js/socket.js) under Node on an
// activations frame from the renderer: after decoding, every layer of the model is in the
// tensor map with its shape, and the values match the complete trace within quantisation.
func TestSocketJSDecode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	src, err := os.ReadFile(filepath.Join("..", "static", "js", "socket.js"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.NewModel(nn.DefaultSpec(), 5)
	if err != nil {
		t.Fatal(err)
	}
	ps := probeState{input: make([]float32, 28*28)}
	for i := range ps.input {
		ps.input[i] = float32((i*17)%13) / 13
	}
	f, err := newRenderer(modelInfo(m)).activations(&published{m: m}, ps, time.UnixMilli(9))
	if err != nil {
		t.Fatal(err)
	}
	script := `
const src = process.argv[1], frame = Buffer.from(process.argv[2], 'base64');
const mod = await import('data:text/javascript,' + encodeURIComponent(src));
const buf = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength);
const f = mod.decodeFrame(buf);
const out = {};
for (const [id, t] of f.tensors) out[id] = { dims: t.dims, data: Array.from(t.data) };
console.log(JSON.stringify({ kind: f.kind, tensors: out }));
`
	cmd := exec.Command(node, "--input-type=module", "-e", script, string(src), base64.StdEncoding.EncodeToString(f.data))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got struct {
		Kind    string `json:"kind"`
		Tensors map[int]struct {
			Dims [4]int    `json:"dims"`
			Data []float64 `json:"data"`
		} `json:"tensors"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Kind != "activations" {
		t.Errorf("kind %q, want activations", got.Kind)
	}
	tr := m.Trace(ps.input)
	full, _ := traceTensors(tr, m.Spec().Input, false)
	if len(got.Tensors) != len(full) {
		t.Errorf("the page has %d tensors, want %d (input and every layer)", len(got.Tensors), len(full))
	}
	// Tolerance: half a step of the quantisation the values travelled in, taken as the
	// coarser of the layer's own record and its input layer's record.
	prev := full[0]
	for i, a := range tr.Outputs {
		l, want := a.Layer, full[i+1]
		g, ok := got.Tensors[l.Index]
		if !ok {
			t.Errorf("layer %d (%s): not in the page's tensors", l.Index, l.Name)
			prev = want
			continue
		}
		if g.Dims != want.Dims {
			t.Errorf("layer %d (%s): dims %v, want %v", l.Index, l.Name, g.Dims, want.Dims)
		}
		tol := float64(max(want.Scale, prev.Scale))/2 + 1e-6
		if l.Type == "flatten" {
			tol = float64(prev.Scale)/2 + 1e-6
		}
		for j, x := range a.Data {
			if j >= len(g.Data) || math.Abs(g.Data[j]-float64(x)) > tol {
				t.Errorf("layer %d (%s): value %d wrong on the page (want %v ± %v)", l.Index, l.Name, j, x, tol)
				break
			}
		}
		prev = want
	}
}

// TestSocketJSWatchdog runs the page's socket (static/js/socket.js) under Node with a fake
// WebSocket and clock: a connection that brings no frame for much longer than the server's
// keepalive is closed and a new one is opened, while one that keeps talking is left alone.
func TestSocketJSWatchdog(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	src, err := os.ReadFile(filepath.Join("..", "static", "js", "socket.js"))
	if err != nil {
		t.Fatal(err)
	}
	script := `
const src = process.argv[1];
let now = 0;
Date.now = () => now;
const intervals = new Map(), timeouts = [];
let ids = 0;
globalThis.setInterval = (f) => { intervals.set(++ids, f); return ids; };
globalThis.clearInterval = (id) => intervals.delete(id);
globalThis.setTimeout = (f) => { timeouts.push(f); return ++ids; };
globalThis.clearTimeout = () => {};
const tick = (t) => { now = t; for (const f of [...intervals.values()]) f(); };
class FakeWS {
  static OPEN = 1;
  static all = [];
  constructor(url) { this.url = url; this.readyState = 1; FakeWS.all.push(this); }
  close() { if (!this.closed) { this.closed = true; this.onclose?.(); } }
}
globalThis.WebSocket = FakeWS;
console.info = () => {};
const mod = await import('data:text/javascript,' + encodeURIComponent(src));
const states = [];
mod.connect({ onState: (s) => states.push(s) }, 'ws://class/ws');
const a = FakeWS.all[0];
a.onopen();
const out = {};
for (let t = 4000; t <= 60000; t += 4000) { now = t; a.onmessage({ data: '{"type":"metrics"}' }); tick(t); }
out.talkingClosed = !!a.closed;
tick(60000 + 14000);
out.quietShortClosed = !!a.closed;
tick(60000 + 20000);
out.quietLongClosed = !!a.closed;
out.states = states;
for (const f of timeouts.splice(0)) f();
out.sockets = FakeWS.all.length;
console.log(JSON.stringify(out));
`
	cmd := exec.Command(node, "--input-type=module", "-e", script, string(src))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got struct {
		TalkingClosed, QuietShortClosed, QuietLongClosed bool
		States                                           []string
		Sockets                                          int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if got.TalkingClosed || got.QuietShortClosed {
		t.Errorf("closed a socket that was talking (%v) or quiet for only 14 s (%v)", got.TalkingClosed, got.QuietShortClosed)
	}
	if !got.QuietLongClosed || got.Sockets != 2 {
		t.Errorf("after 20 s of silence: closed %v, %d sockets opened; want it closed and a new one opened (states %v)",
			got.QuietLongClosed, got.Sockets, got.States)
	}
}
