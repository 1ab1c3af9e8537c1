package kern

import (
	"fmt"
	"os"
	"strings"
)

// kernels is one implementation of every kernel. The exported functions check their
// arguments and then call through impl, so the implementations may assume valid sizes.
type kernels struct {
	name   string
	gemm   func(c, a, b []float32, m, k, n int, acc bool)
	gemmTA func(c, a, b []float32, m, k, n int, acc bool)
	gemmTB func(c, a, b []float32, m, k, n int, acc bool)
	axpy   func(y, x []float32, alpha float32)
	dot    func(x, y []float32) float32

	relu         func(dst, src []float32)
	reluBackward func(dx, dy, y []float32)
	scale        func(x []float32, alpha float32)
	addBias      func(x, bias []float32, n int)
	sumRows      func(dst, x []float32, n int)
	adam         func(w, g, m, v []float32, lr, b1, b2, eps, bc1, bc2, wd float32)
	momentum     func(w, g, vel []float32, lr, mu, wd float32)
}

// impl is the implementation in use, chosen once at start.
var impl = choose(getenvKernel(), available())

// getenvKernel returns the normalised value of CONVSCOPE_KERNEL ("" when unset).
func getenvKernel() string { return strings.TrimSpace(strings.ToLower(os.Getenv(envKernel))) }

// envKernel names the environment variable that forces an implementation.
const envKernel = "CONVSCOPE_KERNEL"

// choose returns the implementation named by want, or the first (fastest) of avail when
// want is empty. A name this build or CPU cannot run panics: a forced path that silently
// fell back would make benchmarks and tests lie.
func choose(want string, avail []kernels) kernels {
	want = strings.TrimSpace(strings.ToLower(want))
	if want == "" {
		return avail[0]
	}
	var names []string
	for _, k := range avail {
		if k.name == want {
			return k
		}
		names = append(names, k.name)
	}
	switch want {
	case "scalar", "avx2", "avx512":
		panic(fmt.Sprintf("kern: %s=%s: not available in this build on this CPU (available: %s; the SIMD paths need GOEXPERIMENT=simd on amd64 and the CPU feature)",
			envKernel, want, strings.Join(names, ", ")))
	}
	panic(fmt.Sprintf("kern: %s=%q: unknown kernel (want scalar, avx2 or avx512)", envKernel, want))
}

// scalarKernels is the portable implementation.
var scalarKernels = kernels{
	name:   "scalar",
	gemm:   gemmScalar,
	gemmTA: gemmTAScalar,
	gemmTB: gemmTBScalar,
	axpy:   axpyScalar,
	dot:    dotScalar,

	relu:         reluScalar,
	reluBackward: reluBackwardScalar,
	scale:        scaleScalar,
	addBias:      addBiasScalar,
	sumRows:      sumRowsScalar,
	adam:         adamScalar,
	momentum:     momentumScalar,
}
