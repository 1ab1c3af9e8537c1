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
