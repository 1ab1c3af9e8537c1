package server

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"math"
	"net/http"
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
