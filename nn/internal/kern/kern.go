package kern

import "fmt"

// Gemm computes C[m×n] = A[m×k]·B[k×n], or adds the product to C when acc is true.
func Gemm(c, a, b []float32, m, k, n int, acc bool) {
	checkGemm("Gemm", c, a, b, m, k, n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return
	}
	impl.gemm(c, a, b, m, k, n, acc)
}

// GemmTA computes C[m×n] = Aᵀ·B where A is stored k×m and B is k×n, or adds the product
// to C when acc is true.
func GemmTA(c, a, b []float32, m, k, n int, acc bool) {
	checkGemm("GemmTA", c, a, b, m, k, n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return
	}
	impl.gemmTA(c, a, b, m, k, n, acc)
}

// GemmTB computes C[m×n] = A·Bᵀ where A is m×k and B is stored n×k, or adds the product
// to C when acc is true.
func GemmTB(c, a, b []float32, m, k, n int, acc bool) {
	checkGemm("GemmTB", c, a, b, m, k, n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return
	}
	impl.gemmTB(c, a, b, m, k, n, acc)
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
