package kern

import (
	"math"
	"math/rand/v2"
	"testing"
)

// close32 reports whether got is within rel·(|want|+1e-6) of want.
func close32(got float32, want, rel float64) bool {
	return within(got, want, rel*(math.Abs(want)+1e-6))
}

// within reports whether got is within tol of want.
func within(got float32, want, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol
}

// vectorLengths covers empty, short, every tail of both vector widths, and long slices.
var vectorLengths = []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70, 1000, 1031}

// signed returns n values of both signs, with exact zeros among them.
func signed(r *rand.Rand, n int) []float32 {
	s := randSlice(r, n)
	for i := range s {
		if r.IntN(7) == 0 {
			s[i] = 0
		}
	}
	return s
}

func TestRelu(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range vectorLengths {
			src := signed(r, n)
			dst := make([]float32, n+1)
			dst[n] = guard
			Relu(dst, src)
			for i, v := range src {
				want := float32(0)
				if v > 0 {
					want = v
				}
				if dst[i] != want {
					t.Fatalf("Relu(n=%d)[%d] = %v for %v, want %v", n, i, dst[i], v, want)
				}
			}
			if dst[n] != guard {
				t.Fatalf("Relu(n=%d) wrote past len(src)", n)
			}
			// In place.
			Relu(src, src)
			for i := range n {
				if src[i] != dst[i] {
					t.Fatalf("Relu(x, x) (n=%d)[%d] = %v, want %v", n, i, src[i], dst[i])
				}
			}
		}
	})
}

func TestReluBackward(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, n := range vectorLengths {
			dy, y := signed(r, n), signed(r, n)
			dx := make([]float32, n)
			for i := range dx {
				dx[i] = float32(math.NaN()) // must be overwritten
			}
			ReluBackward(dx, dy, y)
			for i := range n {
				want := float32(0)
				if y[i] > 0 {
					want = dy[i]
				}
				if dx[i] != want {
					t.Fatalf("ReluBackward(n=%d)[%d] = %v (dy %v, y %v), want %v", n, i, dx[i], dy[i], y[i], want)
				}
			}
		}
	})
}

func TestScaleAddBiasSumRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, n := range vectorLengths {
			x := randSlice(r, n)
			orig := append([]float32(nil), x...)
			Scale(x, -1.5)
			for i := range n {
				if want := -1.5 * orig[i]; x[i] != want {
					t.Fatalf("Scale(n=%d)[%d] = %v, want %v", n, i, x[i], want)
				}
			}
		}
		for _, rows := range []int{1, 3, 10} {
			for _, n := range vectorLengths {
				bias := randSlice(r, rows)
				x := randSlice(r, rows*n+1)
				x[rows*n] = guard
				orig := append([]float32(nil), x...)
				AddBias(x, bias, n)
				for i := range rows * n {
					if want := orig[i] + bias[i/max(n, 1)]; x[i] != want {
						t.Fatalf("AddBias(rows=%d n=%d)[%d] = %v, want %v", rows, n, i, x[i], want)
					}
				}
				if x[rows*n] != guard {
					t.Fatalf("AddBias(rows=%d n=%d) wrote past the matrix", rows, n)
				}
				dst := randSlice(r, rows)
				d0 := append([]float32(nil), dst...)
				SumRows(dst, orig, n)
				for row := range rows {
					want, scale := float64(d0[row]), math.Abs(float64(d0[row]))
					for _, v := range orig[row*n : row*n+n] {
						want += float64(v)
						scale += math.Abs(float64(v))
					}
					if math.Abs(float64(dst[row])-want) > 1e-5*scale+1e-30 {
						t.Fatalf("SumRows(rows=%d n=%d)[%d] = %v, want %v", rows, n, row, dst[row], want)
					}
				}
			}
		}
	})
}

func TestAdamStep(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(17, 18))
		// The reference uses the float32 values of the hyper-parameters the kernel gets.
		lr, b1, b2 := float64(float32(1e-3)), float64(float32(0.9)), float64(float32(0.999))
		eps, wd := float64(float32(1e-8)), float64(float32(1e-4))
		for _, n := range vectorLengths {
			w, g := randSlice(r, n), randSlice(r, n)
			m, v := randSlice(r, n), randSlice(r, n)
			for i := range v {
				v[i] = v[i] * v[i] // second moments are not negative
			}
			w0, g0, m0, v0 := append([]float32(nil), w...), append([]float32(nil), g...), append([]float32(nil), m...), append([]float32(nil), v...)
			for step := 1; step <= 3; step++ {
				bc1 := float64(float32(1 - math.Pow(b1, float64(step))))
				bc2 := float64(float32(1 - math.Pow(b2, float64(step))))
				AdamStep(w, g, m, v, float32(lr), float32(b1), float32(b2), float32(eps), float32(bc1), float32(bc2), float32(wd))
				for i := range n {
					gi := float64(g0[i]) + wd*float64(w0[i])
					gabs := math.Abs(float64(g0[i])) + math.Abs(wd*float64(w0[i]))
					mi := b1*float64(m0[i]) + (1-b1)*gi
					mtol := 1e-6 * (b1*math.Abs(float64(m0[i])) + (1-b1)*gabs)
					vi := b2*float64(v0[i]) + (1-b2)*gi*gi
					upd := lr * (mi / bc1) / (math.Sqrt(vi/bc2) + eps)
					wi := float64(w0[i]) - upd
					// w is a difference: its rounding scales with the larger term.
					wtol := 1e-6 * (math.Abs(float64(w0[i])) + math.Abs(upd))
					if !within(m[i], mi, mtol) || !close32(v[i], vi, 1e-5) || !within(w[i], wi, wtol) {
						t.Fatalf("AdamStep(n=%d) step %d [%d]: w, m, v = %v, %v, %v; want %v, %v, %v",
							n, step, i, w[i], m[i], v[i], wi, mi, vi)
					}
					// Continue from what the kernel computed, so errors do not compound.
					w0[i], m0[i], v0[i] = w[i], m[i], v[i]
				}
			}
			for i := range n {
				if g[i] != g0[i] {
					t.Fatalf("AdamStep(n=%d) changed g[%d]", n, i)
				}
			}
		}
	})
}

func TestMomentumStep(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		lr, mu, wd := float64(float32(0.05)), float64(float32(0.9)), float64(float32(5e-4))
		for _, n := range vectorLengths {
			w, g, vel := randSlice(r, n), randSlice(r, n), randSlice(r, n)
			w0, g0, v0 := append([]float32(nil), w...), append([]float32(nil), g...), append([]float32(nil), vel...)
			MomentumStep(w, g, vel, float32(lr), float32(mu), float32(wd))
			for i := range n {
				vi := mu*float64(v0[i]) + float64(g0[i]) + wd*float64(w0[i])
				vtol := 1e-6 * (mu*math.Abs(float64(v0[i])) + math.Abs(float64(g0[i])) + wd*math.Abs(float64(w0[i])))
				wi := float64(w0[i]) - lr*vi
				wtol := 1e-6 * (math.Abs(float64(w0[i])) + math.Abs(lr*vi))
				if !within(vel[i], vi, vtol) || !within(w[i], wi, wtol) || g[i] != g0[i] {
					t.Fatalf("MomentumStep(n=%d)[%d]: w, vel, g = %v, %v, %v; want %v, %v, %v",
						n, i, w[i], vel[i], g[i], wi, vi, g0[i])
				}
			}
		}
	})
}

func TestVectorPanicsOnLengthMismatch(t *testing.T) {
	cases := map[string]func(){
		"Relu":         func() { Relu(make([]float32, 2), make([]float32, 3)) },
		"ReluBackward": func() { ReluBackward(make([]float32, 3), make([]float32, 3), make([]float32, 2)) },
		"AddBias":      func() { AddBias(make([]float32, 5), make([]float32, 2), 3) },
		"SumRows":      func() { SumRows(make([]float32, 2), make([]float32, 5), 3) },
		"AdamStep": func() {
			AdamStep(make([]float32, 3), make([]float32, 3), make([]float32, 3), make([]float32, 2), 1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0)
		},
		"MomentumStep": func() { MomentumStep(make([]float32, 3), make([]float32, 2), make([]float32, 3), 1, 0.9, 0) },
		"Axpy":         func() { Axpy(make([]float32, 2), make([]float32, 3), 1) },
		"Dot":          func() { Dot(make([]float32, 2), make([]float32, 3)) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if r, _ := recover().(string); len(r) < 6 || r[:6] != "kern: " {
					t.Errorf("%s with mismatched lengths: recovered %q, want a kern: panic", name, r)
				}
			}()
			f()
		}()
	}
}
