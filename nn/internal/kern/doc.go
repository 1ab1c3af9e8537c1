// Package kern holds the float32 kernels of the CNN engine: matrix multiplies and the
// vector loops around them.
//
// # Matrix multiplies
//
// All matrices are row-major and contiguous. The GEMM functions take the sizes m, k, n
// explicitly; acc false overwrites C (whatever it held, NaN included), acc true adds to it:
//
//	Gemm:   C[m×n] (+)= A[m×k]·B[k×n]
//	GemmTA: C[m×n] (+)= Aᵀ·B, A stored k×m
//	GemmTB: C[m×n] (+)= A·Bᵀ, B stored n×k
//
// They are written for the engine's im2col convolutions, where n (Gemm, GemmTA) or k
// (GemmTB) is the wide axis, batch × output positions. Gemm and GemmTA run register tiles of
// 4 rows × 2 vectors of C (8 accumulators: the compiler allocates 15 vector registers, and
// larger tiles spill) over A and B, broadcasting A and loading B along its rows; GemmTA first gathers four columns of the stored A into contiguous rows. GemmTB
// computes 2×4 tiles of dot products with vector accumulators along k and sums their
// lanes at the end of each k-block. Axpy and Dot are the level-1 pair.
//
// # Vector loops
//
// Relu, ReluBackward, Scale, Zero, AddBias, SumRows, AdamStep and MomentumStep are the
// element-wise loops of the layers and optimisers, vectorised the same way. Their
// formulas are in their doc comments.
//
// # Implementations
//
// Three exist: "avx512" (16-lane vectors) and "avx2" (8-lane vectors with FMA), built only
// with GOEXPERIMENT=simd on amd64 and chosen at run time from the CPU's features, and
// "scalar", portable Go that every other build uses (plain go build, arm64). Impl reports
// the one in use. The environment variable CONVSCOPE_KERNEL=scalar|avx2|avx512, read once
// at start, forces a path; asking for one this build or CPU cannot run panics at start
// with a message that says why, so a benchmark never silently measures the wrong thing.
//
// kern_avx2_amd64.go is generated from kern_avx512_amd64.go by gen_avx2.go (go generate);
// a test fails when the two drift apart. The SIMD paths hand the last columns, rows or
// elements that do not fill a vector to the scalar code: the partial loads and stores of
// simd/archsimd would do it in vectors, but under -race (checkptr) they fail on slices that
// end before a whole vector in Go 1.26 (golang/go#78413).
//
// The SIMD paths use fused multiply-add and sum in a different order from the scalar
// path, so results agree to float32 rounding, not bit for bit.
//
// # Contract
//
// Every kernel is single-threaded and safe to call from many goroutines at once; the
// engine spreads work over cores itself. No kernel allocates. Slices that are too short
// for the sizes given, or of unequal length where equal lengths are needed, are
// programmer errors and panic with a "kern:" prefix.
package kern
