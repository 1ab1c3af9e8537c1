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

// TestAdamStep checks three Adam steps against the textbook formulas in float64: L2
// decay added to the gradient, and decoupled decay (AdamW) applied to the weights. A
// parameter without Decay (a bias) is not decayed either way.
func TestAdamStep(t *testing.T) {
	const lr, wd, b1, b2, eps = 0.01, 0.1, 0.9, 0.999, 1e-8
	for _, decoupled := range []bool{false, true} {
		w := []float32{0.5, -1, 2}
		b := []float32{0.5, -1, 2}
		grads := [][]float32{{0.1, -0.2, 0}, {0.3, 0.1, -0.05}, {-0.2, 0, 0.4}}
		gw, gb := make([]float32, 3), make([]float32, 3)
		ps := []Param{{Name: "w", W: w, G: gw, Decay: true}, {Name: "b", W: b, G: gb}}
		o := newOptimizer("adam", ps, 0)
		want := [2][3]float64{}
		for i := range 3 {
			want[0][i], want[1][i] = float64(w[i]), float64(b[i])
		}
		var m, v [2][3]float64
		for step, g := range grads {
			copy(gw, g)
			copy(gb, g)
			o.begin(lr, wd, decoupled)
			o.update(0, ps[0], 0, 3)
			o.update(1, ps[1], 0, 3)
			tt := float64(step + 1)
			for k := range 2 {
				for i := range 3 {
					x, gi := want[k][i], float64(g[i])
					d := 0.0
					if k == 0 {
						d = wd
					}
					if !decoupled {
						gi += d * x
					}
					m[k][i] = b1*m[k][i] + (1-b1)*gi
					v[k][i] = b2*v[k][i] + (1-b2)*gi*gi
					mhat, vhat := m[k][i]/(1-math.Pow(b1, tt)), v[k][i]/(1-math.Pow(b2, tt))
					if decoupled {
						x -= lr * d * x
					}
					want[k][i] = x - lr*mhat/(math.Sqrt(vhat)+eps)
				}
			}
		}
		for k, got := range [][]float32{w, b} {
			for i := range got {
				if !closeTo(float64(got[i]), want[k][i], 1e-5) {
					t.Errorf("Adam decoupled=%v, %s[%d] = %v, want %v", decoupled, ps[k].Name, i, got[i], want[k][i])
				}
			}
		}
	}
}

// TestDecayKinds: with Adam, L2 decay moves a weight whose gradient is 0 by about lr
// per step whatever its size (the decay is divided by its own √v̂), while decoupled decay
// shrinks every weight by the fraction lr·wd.
func TestDecayKinds(t *testing.T) {
	const lr, wd = 0.01, 0.1
	for _, decoupled := range []bool{false, true} {
		w := []float32{1, 0.1, 0.01}
		ps := []Param{{Name: "w", W: w, G: make([]float32, 3), Decay: true}}
		o := newOptimizer("adam", ps, 0)
		o.begin(lr, wd, decoupled)
		o.update(0, ps[0], 0, 3)
		for i, w0 := range []float64{1, 0.1, 0.01} {
			want := w0 - lr // L2: the step is lr·sign(w), the size of the weight aside
			if decoupled {
				want = w0 * (1 - lr*wd)
			}
			if !closeTo(float64(w[i]), want, 1e-4) {
				t.Errorf("decoupled=%v: a gradient-free weight %v became %v, want %v", decoupled, w0, w[i], want)
			}
		}
	}
}

// TestSGDStep checks two steps of SGD with momentum against the formulas in float64,
// with L2 decay (into the velocity) and decoupled decay (onto the weights).
func TestSGDStep(t *testing.T) {
	const lr, wd, mu = 0.1, 0.01, 0.9
	for _, decoupled := range []bool{false, true} {
		w := []float32{0.5, -1, 2}
		gw := make([]float32, 3)
		ps := []Param{{Name: "w", W: w, G: gw, Decay: true}}
		o := newOptimizer("sgd", ps, mu)
		want := []float64{0.5, -1, 2}
		var v [3]float64
		for _, g := range [][]float32{{0.1, -0.2, 0}, {0.3, 0.1, -0.05}} {
			copy(gw, g)
			o.begin(lr, wd, decoupled)
			o.update(0, ps[0], 0, 3)
			for i := range want {
				if decoupled {
					v[i] = mu*v[i] + float64(g[i])
					want[i] -= lr*v[i] + lr*wd*want[i]
				} else {
					v[i] = mu*v[i] + float64(g[i]) + wd*want[i]
					want[i] -= lr * v[i]
				}
			}
		}
		for i := range w {
			if !closeTo(float64(w[i]), want[i], 1e-6) {
				t.Errorf("SGD decoupled=%v: w[%d] = %v, want %v", decoupled, i, w[i], want[i])
			}
		}
	}
}
