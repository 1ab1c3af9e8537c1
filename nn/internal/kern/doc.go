// Package kern holds the float32 kernels of the CNN engine: matrix multiplies and the
// vector loops around them.
//
// All matrices are row-major and contiguous. The GEMM functions take the sizes m, k, n
// explicitly; acc false overwrites C, acc true adds to it:
//
//	Gemm:   C[m×n] (+)= A[m×k]·B[k×n]
//	GemmTA: C[m×n] (+)= Aᵀ·B, A stored k×m
//	GemmTB: C[m×n] (+)= A·Bᵀ, B stored n×k
//
// Every kernel is single-threaded; the engine spreads work over cores itself. Slices that
// are too short for the sizes given are programmer errors and panic with a "kern:" prefix.
// No kernel allocates.
//
// Three implementations exist: "avx512" (16-wide vectors) and "avx2" (8-wide vectors with
// FMA), built only with GOEXPERIMENT=simd on amd64 and chosen at run time from the CPU's
// features, and "scalar", portable Go that every other build uses. Impl reports the one in
// use. The environment variable CONVSCOPE_KERNEL=scalar|avx2|avx512, read once at start,
// forces a path; asking for a path this build or CPU cannot run panics at start with a
// message that says why, so a benchmark never silently measures the wrong thing.
//
// The SIMD paths use fused multiply-add and a different summation order from the scalar
// path, so results agree to float32 rounding, not bit for bit.
package kern
