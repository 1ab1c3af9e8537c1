package kern

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// forEachImpl runs f once per implementation this build and CPU can run, with impl set to it.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := impl
	t.Cleanup(func() { impl = saved })
	for _, k := range available() {
		t.Run(k.name, func(t *testing.T) {
			impl = k
			f(t)
		})
	}
}

// op is one of the three GEMM forms with its float64 reference.
type op struct {
	name string
	fn   func(c, a, b []float32, m, k, n int, acc bool)
	// at returns A[i][p] and B[p][j] of the product from the stored slices.
	aAt func(a []float32, m, k, i, p int) float32
	bAt func(b []float32, k, n, p, j int) float32
}

var ops = []op{
	{"Gemm", Gemm,
		func(a []float32, m, k, i, p int) float32 { return a[i*k+p] },
		func(b []float32, k, n, p, j int) float32 { return b[p*n+j] }},
	{"GemmTA", GemmTA,
		func(a []float32, m, k, i, p int) float32 { return a[p*m+i] },
		func(b []float32, k, n, p, j int) float32 { return b[p*n+j] }},
	{"GemmTB", GemmTB,
		func(a []float32, m, k, i, p int) float32 { return a[i*k+p] },
		func(b []float32, k, n, p, j int) float32 { return b[j*k+p] }},
}

// reference returns the product in float64 and, per element, Σ|terms| (the scale of the
// rounding error a float32 sum can make).
func (o op) reference(c0, a, b []float32, m, k, n int, acc bool) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			if acc {
				s = float64(c0[i*n+j])
				abs = math.Abs(s)
			}
			for p := 0; p < k; p++ {
				t := float64(o.aAt(a, m, k, i, p)) * float64(o.bAt(b, k, n, p, j))
				s += t
				abs += math.Abs(t)
			}
			want[i*n+j] = s
			scale[i*n+j] = abs
		}
	}
	return want, scale
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// intSlice holds small integers: every product and partial sum of the conv shapes is then
// exact in float32, whatever the summation order, so results must match exactly.
func intSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.IntN(9) - 4)
	}
	return s
}

// guard is the value written past the end of C; a kernel must never touch it.
const guard = 12345.5

// checkOp runs o on the given operands with every implementation and compares with the
// float64 reference: exactly when exact is true, else within a float32 rounding bound.
func checkOp(t *testing.T, o op, c0, a, b []float32, m, k, n int, acc, exact bool) {
	t.Helper()
	want, scale := o.reference(c0, a, b, m, k, n, acc)
	// A float32 sum of k terms in any order is off by at most about k·ε·Σ|terms|;
	// random signs make it ~√k·ε. Allow 8√k·ε, far below one missing or doubled term.
	tol := 8 * (math.Sqrt(float64(k)) + 1) * 0x1p-24
	c := make([]float32, m*n+3)
	saved := impl
	defer func() { impl = saved }()
	for _, impl = range available() {
		copy(c, c0)
		if !acc {
			for i := range m * n {
				c[i] = float32(math.NaN()) // overwrite mode must not read C
			}
		}
		c[m*n], c[m*n+1], c[m*n+2] = guard, guard, guard
		o.fn(c, a, b, m, k, n, acc)
		bad := 0
		for i := range m * n {
			got := float64(c[i])
			diff := math.Abs(got - want[i])
			if exact && diff != 0 || !exact && !(diff <= tol*scale[i]+1e-30) {
				if bad++; bad <= 3 {
					t.Errorf("%s %s(m=%d k=%d n=%d acc=%v) C[%d][%d] = %v, want %v (tol %.3g)",
						impl.name, o.name, m, k, n, acc, i/n, i%n, got, want[i], tol*scale[i])
				}
			}
		}
		for i := m * n; i < len(c); i++ {
			if c[i] != guard {
				t.Errorf("%s %s(m=%d k=%d n=%d) wrote past C: c[%d] = %v", impl.name, o.name, m, k, n, i, c[i])
			}
		}
	}
}

func TestGemmRandomShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70}
	for _, o := range ops {
		for trial := 0; trial < 150; trial++ {
			m := sizes[r.IntN(len(sizes))]
			k := sizes[r.IntN(len(sizes))]
			n := sizes[r.IntN(len(sizes))]
			if trial < 10 {
				m, k, n = 1+trial%3, 1+trial/3, 1+trial
			}
			a, b, c0 := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, m*n)
			checkOp(t, o, c0, a, b, m, k, n, trial%2 == 0, false)
		}
	}
}

func TestGemmAllSmallShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, o := range ops {
		for m := 1; m <= 5; m++ {
			for k := 1; k <= 5; k++ {
				for n := 1; n <= 50; n++ {
					a, b, c0 := intSlice(r, m*k), intSlice(r, k*n), intSlice(r, m*n)
					checkOp(t, o, c0, a, b, m, k, n, (m+k+n)%2 == 0, true)
				}
			}
		}
	}
}

// convShapes are the im2col products of the lesson's pyramid net and the default net for
// a batch of 16 per worker; each entry is (m, k, n) of the call the engine makes.
var convShapes = []struct {
	name    string
	o       int // index into ops
	m, k, n int
}{
	{"pyramid/conv1/forward", 0, 10, 25, 9216},
	{"pyramid/conv1/weightgrad", 2, 10, 9216, 25},
	{"pyramid/conv2/forward", 0, 20, 250, 1024},
	{"pyramid/conv2/weightgrad", 2, 20, 1024, 250},
	{"pyramid/conv2/inputgrad", 1, 250, 20, 1024},
	{"pyramid/dense/forward", 2, 16, 320, 10},
	{"pyramid/dense/weightgrad", 1, 10, 16, 320},
	{"pyramid/dense/inputgrad", 0, 16, 10, 320},
	{"default/conv1/forward", 0, 16, 25, 9216},
	{"default/conv2/forward", 0, 32, 400, 1024},
	{"default/conv2/weightgrad", 2, 32, 1024, 400},
	{"default/conv2/inputgrad", 1, 400, 32, 1024},
	{"default/dense1/forward", 2, 16, 512, 64},
}

func TestGemmConvShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range convShapes {
		o := ops[s.o]
		// Exact on small integers, with and without accumulation; within rounding on
		// random floats.
		for _, acc := range []bool{false, true} {
			a, b, c0 := intSlice(r, s.m*s.k), intSlice(r, s.k*s.n), intSlice(r, s.m*s.n)
			checkOp(t, o, c0, a, b, s.m, s.k, s.n, acc, true)
		}
		a, b, c0 := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), randSlice(r, s.m*s.n)
		checkOp(t, o, c0, a, b, s.m, s.k, s.n, true, false)
	}
}

// TestGemmLongerSlices checks that slices longer than the sizes say are fine and that only
// their leading parts are used.
func TestGemmLongerSlices(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	m, k, n := 5, 19, 37
	for _, o := range ops {
		a, b := intSlice(r, m*k+11), intSlice(r, k*n+13)
		checkOp(t, o, nil, a, b, m, k, n, false, true)
	}
}

func TestGemmZeroSizes(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, o := range ops {
			c := []float32{1, 2, 3, 4, 5, 6}
			o.fn(c, nil, nil, 2, 0, 3, true)
			if fmt.Sprint(c) != "[1 2 3 4 5 6]" {
				t.Errorf("%s(k=0, acc) = %v, want C unchanged", o.name, c)
			}
			o.fn(c, nil, nil, 2, 0, 3, false)
			if fmt.Sprint(c) != "[0 0 0 0 0 0]" {
				t.Errorf("%s(k=0) = %v, want zeros", o.name, c)
			}
			o.fn(nil, nil, nil, 0, 5, 0, false) // nothing to do, must not panic
		}
	})
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	for _, o := range ops {
		for _, tc := range []struct {
			c, a, b []float32
		}{
			{make([]float32, 3), make([]float32, 6), make([]float32, 6)},
			{make([]float32, 4), make([]float32, 5), make([]float32, 6)},
			{make([]float32, 4), make([]float32, 6), make([]float32, 5)},
		} {
			func() {
				defer func() {
					r := recover()
					if s, _ := r.(string); !strings.HasPrefix(s, "kern: "+o.name+":") {
						t.Errorf("%s with short slices: recovered %v, want a kern: panic", o.name, r)
					}
				}()
				o.fn(tc.c, tc.a, tc.b, 2, 3, 2, false) // needs c 4, a 6, b 6
			}()
		}
	}
}

func TestAxpyDot(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for n := 0; n <= 70; n++ {
			x, y := randSlice(r, n), randSlice(r, n+2)
			y[n], y[n+1] = guard, guard
			alpha := float32(r.NormFloat64())
			want := make([]float64, n)
			var dot, scale float64
			for i := range n {
				want[i] = float64(y[i]) + float64(alpha)*float64(x[i])
				dot += float64(x[i]) * float64(y[i])
				scale += math.Abs(float64(x[i]) * float64(y[i]))
			}
			gotDot := Dot(x, y[:n])
			if math.Abs(float64(gotDot)-dot) > 1e-5*scale+1e-30 {
				t.Errorf("Dot(n=%d) = %v, want %v", n, gotDot, dot)
			}
			Axpy(y, x, alpha)
			for i := range n {
				if math.Abs(float64(y[i])-want[i]) > 1e-6*(math.Abs(want[i])+1) {
					t.Errorf("Axpy(n=%d) y[%d] = %v, want %v", n, i, y[i], want[i])
				}
			}
			if y[n] != guard || y[n+1] != guard {
				t.Errorf("Axpy(n=%d) wrote past len(x): %v", n, y[n:])
			}
		}
	})
}

func TestChoose(t *testing.T) {
	avail := available()
	if got := choose("", avail); got.name != avail[0].name {
		t.Errorf("choose(\"\") = %s, want the fastest, %s", got.name, avail[0].name)
	}
	for _, k := range avail {
		if got := choose(strings.ToUpper(k.name), avail); got.name != k.name {
			t.Errorf("choose(%q) = %s", strings.ToUpper(k.name), got.name)
		}
	}
	if avail[len(avail)-1].name != "scalar" {
		t.Errorf("available() = %v…, want scalar always last", avail[0].name)
	}
	for _, bad := range []string{"avx1024", "scalarx"} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, "unknown kernel") {
					t.Errorf("choose(%q) recovered %q, want an unknown-kernel panic", bad, r)
				}
			}()
			choose(bad, avail)
		}()
	}
	// A known name that is not available panics rather than falling back.
	func() {
		defer func() {
			if r, _ := recover().(string); !strings.Contains(r, "not available") {
				t.Errorf("choose(avx512, scalar only) recovered %q, want a not-available panic", r)
			}
		}()
		choose("avx512", []kernels{scalarKernels})
	}()
}

// TestGemmLongK crosses the k-blocks of the SIMD paths (512 for GemmTA, 2048 for GemmTB),
// where later blocks must add to what earlier ones wrote.
func TestGemmLongK(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, o := range ops {
		for _, k := range []int{511, 512, 513, 1030, 2047, 2048, 2049, 4100} {
			m, n := 5, 35
			for _, acc := range []bool{false, true} {
				a, b, c0 := intSlice(r, m*k), intSlice(r, k*n), intSlice(r, m*n)
				checkOp(t, o, c0, a, b, m, k, n, acc, true)
			}
		}
	}
}
