//go:build goexperiment.simd && amd64

package kern

import "simd/archsimd"

//go:generate go run gen_avx2.go

// available lists the implementations this build can run on this CPU, fastest first.
func available() []kernels {
	var ks []kernels
	if archsimd.X86.AVX512() {
		ks = append(ks, avx512Kernels)
	}
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		ks = append(ks, avx2Kernels)
	}
	return append(ks, scalarKernels)
}

// avx512Kernels uses 16-lane vectors (AVX-512F).
var avx512Kernels = kernels{
	name:   "avx512",
	gemm:   gemmX16,
	gemmTA: gemmTAX16,
	gemmTB: gemmTBX16,
	axpy:   axpyX16,
	dot:    dotX16,

	relu:         reluX16,
	reluBackward: reluBackwardX16,
	scale:        scaleX16,
	addBias:      addBiasX16,
	sumRows:      sumRowsX16,
	adam:         adamX16,
	momentum:     momentumX16,
}

// avx2Kernels uses 8-lane vectors (AVX2 with FMA).
var avx2Kernels = kernels{
	name:   "avx2",
	gemm:   gemmX8,
	gemmTA: gemmTAX8,
	gemmTB: gemmTBX8,
	axpy:   axpyX8,
	dot:    dotX8,

	relu:         reluX8,
	reluBackward: reluBackwardX8,
	scale:        scaleX8,
	addBias:      addBiasX8,
	sumRows:      sumRowsX8,
	adam:         adamX8,
	momentum:     momentumX8,
}

// hsumX16 returns the sum of the 16 lanes of v.
func hsumX16(v archsimd.Float32x16) float32 {
	return hsumX8(v.GetLo().Add(v.GetHi()))
}

// hsumX8 returns the sum of the 8 lanes of v.
func hsumX8(v archsimd.Float32x8) float32 {
	var t [4]float32
	v.GetLo().Add(v.GetHi()).Store(&t)
	return (t[0] + t[1]) + (t[2] + t[3])
}

// Scalar helpers of the SIMD paths.

// store1 sets or adds s to c[0].
func store1(c []float32, s float32, acc bool) {
	if acc {
		c[0] += s
	} else {
		c[0] = s
	}
}

// colsScalar computes w columns of one row of C: c[j] (+)= Σ_p a[p]·b[p*ldb+j], j < w.
// The SIMD paths use it for the columns left over after their last full vector.
func colsScalar(c, a, b []float32, ldb, w int, acc bool) {
	c = c[:w]
	if !acc {
		clear(c)
	}
	for p, av := range a {
		bp := b[p*ldb:][:len(c)]
		for j := range c {
			c[j] += av * bp[j]
		}
	}
}
