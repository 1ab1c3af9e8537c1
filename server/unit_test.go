package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"convscope/nn"
)

func TestQuantiseRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    []float32
		enc  string
	}{
		{"signed", []float32{-2, -0.5, 0, 0.25, 1.5, 2}, "int8"},
		{"non-negative", []float32{0, 0.1, 0.7, 3}, "uint8"},
		{"zeros", []float32{0, 0, 0, 0}, "uint8"},
		{"with NaN", []float32{1, float32(math.NaN()), -1, 0.5}, "int8"},
	} {
		q := Quantise(3, [4]int{1, 1, 1, len(tc.v)}, tc.v)
		if q.Encoding != tc.enc {
			t.Errorf("Quantise(%s).Encoding = %s, want %s", tc.name, q.Encoding, tc.enc)
		}
		b, err := EncodeBinary(BinActivations, 42, time.UnixMilli(1000), map[string]int{"x": 1}, []Tensor{q})
		if err != nil {
			t.Fatal(err)
		}
		f, err := DecodeBinary(b)
		if err != nil {
			t.Fatalf("DecodeBinary(%s): %v", tc.name, err)
		}
		if f.Kind != BinActivations || f.Step != 42 || f.T != 1000 || string(f.Meta) != `{"x":1}` || len(f.Tensors) != 1 {
			t.Fatalf("DecodeBinary(%s) = kind %d step %d t %v meta %s", tc.name, f.Kind, f.Step, f.T, f.Meta)
		}
		got := f.Tensors[0].Values()
		var maxAbs float64
		for _, x := range tc.v {
			if !math.IsNaN(float64(x)) {
				maxAbs = max(maxAbs, math.Abs(float64(x)))
			}
		}
		for i, want := range tc.v {
			if math.IsNaN(float64(want)) {
				want = 0
			}
			if math.Abs(float64(got[i]-want)) > maxAbs/127/2+1e-6 {
				t.Errorf("%s: value %d = %v after the round trip, want %v", tc.name, i, got[i], want)
			}
		}
		if z := slicesIndex(tc.v, 0); z >= 0 && got[z] != 0 {
			t.Errorf("%s: zero is not exact", tc.name)
		}
	}
}

func slicesIndex(v []float32, x float32) int {
	for i, y := range v {
		if y == x {
			return i
		}
	}
	return -1
}

func TestDecodeBinaryRejects(t *testing.T) {
	good, _ := EncodeBinary(BinFilters, 1, time.Now(), nil, []Tensor{Quantise(0, [4]int{1, 1, 2, 2}, []float32{1, -1, 0, 0.5})})
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XX"), good[2:]...),
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
	} {
		if _, err := DecodeBinary(b); err == nil {
			t.Errorf("DecodeBinary(%s) accepted a bad frame", name)
		}
	}
}

func TestHistoryBounded(t *testing.T) {
	var hs history
	at := time.Unix(0, 0)
	const steps = 10 * maxHistory
	for i := 1; i <= steps; i++ {
		hs.add(nn.Progress{Step: int64(i), TestLoss: float64(i)}, at)
	}
	h := hs.snapshot()
	if h.Len() >= maxHistory || h.Len() < maxHistory/4 {
		t.Fatalf("history of %d steps holds %d points, want fewer than %d but many", steps, h.Len(), maxHistory)
	}
	if h.Step[0] != 1 || h.Step[h.Len()-1] < steps-int64(h.Every) {
		t.Errorf("history covers steps %d..%d, want 1..~%d", h.Step[0], h.Step[h.Len()-1], steps)
	}
	for i := 1; i < h.Len(); i++ {
		if h.Step[i] <= h.Step[i-1] || h.TestLoss[i] != float64(h.Step[i]) {
			t.Fatalf("history point %d: step %d after %d, test_loss %v", i, h.Step[i], h.Step[i-1], h.TestLoss[i])
		}
	}
	// A reset starts a new curve.
	hs.add(nn.Progress{Step: 1}, at)
	if h := hs.snapshot(); h.Len() != 1 {
		t.Errorf("after a reset the history has %d points, want 1", h.Len())
	}
}

func TestFigures(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	for _, tc := range []struct {
		path, ct string
		code     int
	}{
		{"/api/figures/lm-bank.png", "image/png", 200},
		{"/api/figures/learned-filters.svg", "image/svg+xml", 200},
		{"/api/figures/nothing.png", "application/json", 404},
		{"/api/figures/lm-bank.bmp", "application/json", 400},
	} {
		resp, err := http.Get(s.ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ct) {
			t.Errorf("GET %s = %d %s, want %d %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.code, tc.ct)
			continue
		}
		switch tc.ct {
		case "image/png":
			if _, err := png.Decode(bytes.NewReader(body)); err != nil {
				t.Errorf("GET %s: not a PNG: %v", tc.path, err)
			}
		case "image/svg+xml":
			if !bytes.Contains(body, []byte("<svg")) {
				t.Errorf("GET %s: not an SVG", tc.path)
			}
		default:
			var e map[string]string
			if json.Unmarshal(body, &e) != nil || e["error"] == "" {
				t.Errorf("GET %s: %q, want a JSON error", tc.path, body)
			}
		}
	}
}

// TestFixedFiguresDrawnOnce: the figures that do not change during a run are drawn once
// and then served without waiting for the drawing slot, the same bytes every time.
func TestFixedFiguresDrawnOnce(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	get := func(ctx context.Context, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	first := get(context.Background(), "/api/figures/lesson-edges.png")
	if first.Code != http.StatusOK {
		t.Fatalf("GET lesson-edges.png = %d %s", first.Code, first.Body)
	}
	s.figureSem <- struct{}{} // another figure is being drawn
	defer func() { <-s.figureSem }()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	again := get(gone, "/api/figures/lesson-edges.png")
	if again.Code != http.StatusOK || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("GET lesson-edges.png again while the drawing slot is taken = %d (%d bytes), want 200 with the same %d bytes",
			again.Code, again.Body.Len(), first.Body.Len())
	}
	if rec := get(gone, "/api/figures/learned-filters.png"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET learned-filters.png while the drawing slot is taken, client gone = %d, want 503 (drawn afresh)", rec.Code)
	}
}

// TestActivationsDerived: an activations frame of the default net, decoded and derived,
// gives every layer's true output within the quantisation of the record it came from,
// with fewer bytes than sending every layer.
func TestActivationsDerived(t *testing.T) {
	m, err := nn.NewModel(nn.DefaultSpec(), 3)
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(modelInfo(m))
	pub := &published{m: m}
	ps := probeState{input: make([]float32, 28*28)}
	for i := range ps.input {
		ps.input[i] = float32((i*31)%11) / 11
	}
	f, err := r.activations(pub, ps, time.UnixMilli(5))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := DecodeBinary(f.data)
	if err != nil {
		t.Fatal(err)
	}
	var meta activationsMeta
	if err := json.Unmarshal(fr.Meta, &meta); err != nil {
		t.Fatal(err)
	}
	all, err := Derive(fr.Tensors, meta.Derived)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]Tensor{}
	for _, x := range all {
		byID[x.ID] = x
	}
	tr := m.Trace(ps.input)
	full, _ := traceTensors(tr, m.Spec().Input, false)
	if len(all) != len(full) || len(meta.Derived) == 0 {
		t.Fatalf("%d records after deriving %d, want %d", len(all), len(meta.Derived), len(full))
	}
	source := map[int]int{}
	for _, d := range meta.Derived {
		source[d.ID] = d.From
	}
	var relus int
	for _, a := range tr.Outputs {
		l := a.Layer
		got, ok := byID[l.Index]
		if !ok {
			t.Fatalf("layer %d (%s) missing after deriving", l.Index, l.Name)
		}
		// A derived record carries its source's quantisation.
		q := got
		for id, ok := source[q.ID]; ok; id, ok = source[id] {
			q = byID[id]
		}
		tol := float64(q.Scale)/2 + 1e-6
		v := got.Values()
		if len(v) != len(a.Data) {
			t.Fatalf("layer %d (%s): %d values, want %d", l.Index, l.Name, len(v), len(a.Data))
		}
		for j, x := range a.Data {
			if math.Abs(float64(v[j]-x)) > tol {
				t.Fatalf("layer %d (%s): value %d = %v, want %v ± %v", l.Index, l.Name, j, v[j], x, tol)
			}
		}
		if l.Type == "relu" {
			relus++
			if _, ok := source[l.Index]; !ok {
				t.Errorf("layer %d (%s) is sent, want it derived", l.Index, l.Name)
			}
		}
	}
	if relus == 0 {
		t.Fatal("the default net has no ReLU")
	}
	whole, err := EncodeBinary(BinActivations, 0, time.UnixMilli(5), meta, full)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.data) >= len(whole) {
		t.Errorf("activations frame is %d bytes, every layer would be %d", len(f.data), len(whole))
	}
	t.Logf("activations frame of the default net: %d bytes, %d with every layer", len(f.data), len(whole))
}

func TestDeriveBadInput(t *testing.T) {
	src := Quantise(0, [4]int{1, 2, 2, 2}, []float32{-1, 2, -3, 4, 0, 1, -2, 3})
	for _, tc := range []struct {
		name string
		ds   []Derivation
	}{
		{"missing source", []Derivation{{ID: 1, From: 9, Op: OpReLU}}},
		{"unknown op", []Derivation{{ID: 1, From: 0, Op: "sigmoid"}}},
		{"already sent", []Derivation{{ID: 0, From: 0, Op: OpReLU}}},
	} {
		if _, err := Derive([]Tensor{src}, tc.ds); err == nil {
			t.Errorf("Derive(%s) = nil error", tc.name)
		}
	}
	ts, err := Derive([]Tensor{src}, []Derivation{{ID: 1, From: 0, Op: OpReLU}, {ID: 2, From: 1, Op: OpFlatten}})
	if err != nil {
		t.Fatal(err)
	}
	if ts[2].Dims != [4]int{1, 8, 1, 1} {
		t.Errorf("flatten dims %v, want [1 8 1 1]", ts[2].Dims)
	}
	want := []float32{0, 2, 0, 4, 0, 1, 0, 3}
	for i, v := range ts[2].Values() {
		if math.Abs(float64(v-want[i])) > float64(src.Scale)/2 {
			t.Errorf("relu then flatten value %d = %v, want %v", i, v, want[i])
		}
	}
	if src.Values()[0] >= 0 {
		t.Error("Derive changed its source record")
	}
}
