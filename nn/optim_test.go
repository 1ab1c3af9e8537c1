package nn

import (
	"math"
	"testing"
)

func TestFlush(t *testing.T) {
	tests := []struct{ x, want float32 }{
		{0, 0},
		{1, 1},
		{-2.5, -2.5},
		{math.SmallestNonzeroFloat32, 0},
		{-math.SmallestNonzeroFloat32 * 1000, 0},
		{1.17549435e-38, 1.17549435e-38}, // the smallest normal float32 stays
		{float32(math.Inf(1)), float32(math.Inf(1))},
	}
	for _, tt := range tests {
		if got := flush(tt.x); got != tt.want {
			t.Errorf("flush(%g) = %g, want %g", tt.x, got, tt.want)
		}
	}
}

// TestAdamStep checks one Adam step against the textbook formula in float64.
func TestAdamStep(t *testing.T) {
	w := []float32{0.5, -1, 2}
	g := []float32{0.1, -0.2, 0}
	ps := []Param{{Name: "w", W: w, G: g, Decay: true}}
	o := newOptimizer("adam", ps, 0)
	const lr, wd = 0.01, 0.1
	want := make([]float64, len(w))
	for i := range w {
		gi := float64(g[i]) + wd*float64(w[i])
		m := 0.1 * gi
		v := 0.001 * gi * gi
		mhat, vhat := m/(1-0.9), v/(1-0.999)
		want[i] = float64(w[i]) - lr*mhat/(math.Sqrt(vhat)+1e-8)
	}
	o.begin(lr, wd)
	o.update(0, ps[0], 0, len(w))
	for i := range w {
		if !closeTo(float64(w[i]), want[i], 1e-5) {
			t.Errorf("Adam step: w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
}
