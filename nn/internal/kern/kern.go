package kern

import "fmt"

// Gemm computes C[m×n] = A[m×k]·B[k×n], or adds the product to C when acc is true.
func Gemm(c, a, b []float32, m, k, n int, acc bool) {
	if !trivial("Gemm", c, a, b, m, k, n, acc) {
		impl.gemm(c, a, b, m, k, n, acc)
	}
}

// GemmTA computes C[m×n] = Aᵀ·B where A is stored k×m and B is k×n, or adds the product
// to C when acc is true.
func GemmTA(c, a, b []float32, m, k, n int, acc bool) {
	if !trivial("GemmTA", c, a, b, m, k, n, acc) {
		impl.gemmTA(c, a, b, m, k, n, acc)
	}
}

// GemmTB computes C[m×n] = A·Bᵀ where A is m×k and B is stored n×k, or adds the product
// to C when acc is true.
func GemmTB(c, a, b []float32, m, k, n int, acc bool) {
	if !trivial("GemmTB", c, a, b, m, k, n, acc) {
		impl.gemmTB(c, a, b, m, k, n, acc)
	}
}

// trivial checks a multiply's arguments (panicking on a misfit) and does the shapes with
// nothing to multiply: an empty C, or k = 0 (C is zeroed unless acc). It reports whether
// the product is done.
func trivial(name string, c, a, b []float32, m, k, n int, acc bool) bool {
	checkGemm(name, c, a, b, m, k, n)
	if m == 0 || n == 0 {
		return true
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return true
	}
	return false
}

// Axpy computes y += alpha·x over len(x) elements; y must be at least as long as x.
func Axpy(y, x []float32, alpha float32) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kern: Axpy: len(y) = %d < len(x) = %d", len(y), len(x)))
	}
	impl.axpy(y[:len(x)], x, alpha)
}

// Dot returns the inner product of x and y, which must have the same length.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kern: Dot: len(x) = %d != len(y) = %d", len(x), len(y)))
	}
	return impl.dot(x, y)
}

// Impl returns the name of the implementation in use: "avx512", "avx2" or "scalar".
func Impl() string { return impl.name }

func checkGemm(fn string, c, a, b []float32, m, k, n int) {
	if m < 0 || k < 0 || n < 0 {
		panic(fmt.Sprintf("kern: %s: negative size m=%d k=%d n=%d", fn, m, k, n))
	}
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		panic(fmt.Sprintf("kern: %s: m=%d k=%d n=%d needs len(a) ≥ %d, len(b) ≥ %d, len(c) ≥ %d; got %d, %d, %d",
			fn, m, k, n, m*k, k*n, m*n, len(a), len(b), len(c)))
	}
}

// Relu sets dst[i] = src[i] where src[i] > 0 and 0 elsewhere, for i < len(src). dst must
// be at least as long as src and may be src itself. What a NaN gives is not specified.
func Relu(dst, src []float32) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("kern: Relu: len(dst) = %d < len(src) = %d", len(dst), len(src)))
	}
	impl.relu(dst[:len(src)], src)
}

// ReluBackward sets dx[i] = dy[i] where y[i] > 0 and 0 elsewhere: the input gradient of a
// ReLU whose output (or input) was y. The three slices have the same length; dx may be dy.
// What a NaN in y gives is not specified.
func ReluBackward(dx, dy, y []float32) {
	if len(dx) != len(dy) || len(y) != len(dy) {
		panic(fmt.Sprintf("kern: ReluBackward: lengths %d, %d, %d differ", len(dx), len(dy), len(y)))
	}
	impl.reluBackward(dx, dy, y)
}

// Scale multiplies every element of x by alpha.
func Scale(x []float32, alpha float32) { impl.scale(x, alpha) }

// Zero sets every element of x to 0 (the same as the built-in clear, which is already as
// fast as it gets; it is here so the engine's loops read alike).
func Zero(x []float32) { clear(x) }

// AddBias adds bias[r] to each of the n elements of row r of x, a len(bias)×n row-major
// matrix: the bias of a convolution whose output is channels × positions.
func AddBias(x, bias []float32, n int) {
	if n < 0 || len(x) < len(bias)*n {
		panic(fmt.Sprintf("kern: AddBias: %d rows of %d need len(x) ≥ %d, got %d", len(bias), n, len(bias)*n, len(x)))
	}
	impl.addBias(x, bias, n)
}

// SumRows adds to dst[r] the sum of the n elements of row r of x, a len(dst)×n row-major
// matrix: the bias gradient of a convolution.
func SumRows(dst, x []float32, n int) {
	if n < 0 || len(x) < len(dst)*n {
		panic(fmt.Sprintf("kern: SumRows: %d rows of %d need len(x) ≥ %d, got %d", len(dst), n, len(dst)*n, len(x)))
	}
	impl.sumRows(dst, x, n)
}

// AdamStep applies one Adam update with L2 weight decay to the parameters w, given their
// gradients g and the moment estimates m and v (all the same length; g is not changed):
//
//	g' = g + wd·w
//	m  = b1·m + (1−b1)·g'
//	v  = b2·v + (1−b2)·g'²
//	w -= lr · (m/bc1) / (√(v/bc2) + eps)
//
// bc1 = 1−b1ᵗ and bc2 = 1−b2ᵗ are the bias corrections at step t (from 1), computed by the
// caller once per step.
func AdamStep(w, g, m, v []float32, lr, b1, b2, eps, bc1, bc2, wd float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(fmt.Sprintf("kern: AdamStep: lengths %d, %d, %d, %d differ", len(w), len(g), len(m), len(v)))
	}
	impl.adam(w, g, m, v, lr, b1, b2, eps, bc1, bc2, wd)
}

// MomentumStep applies one step of SGD with momentum and L2 weight decay to the
// parameters w, given their gradients g and velocities vel (all the same length; g is not
// changed):
//
//	vel = mu·vel + (g + wd·w)
//	w  -= lr·vel
func MomentumStep(w, g, vel []float32, lr, mu, wd float32) {
	if len(g) != len(w) || len(vel) != len(w) {
		panic(fmt.Sprintf("kern: MomentumStep: lengths %d, %d, %d differ", len(w), len(g), len(vel)))
	}
	impl.momentum(w, g, vel, lr, mu, wd)
}
