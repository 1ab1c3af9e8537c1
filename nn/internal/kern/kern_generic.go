package kern

import "math"

// The portable kernels. They are also the tail handlers of the SIMD paths, so they take
// any sizes. Loops are unrolled four ways and slices are resliced to their exact length
// before the inner loops so the compiler can drop bounds checks.

// gemmScalar: C[m×n] (+)= A[m×k]·B[k×n]. Row i of C is built as a sum of rows of B
// weighted by row i of A, four rows of B per pass:
//
//	C[i][j] += A[i][p]·B[p][j] + … + A[i][p+3]·B[p+3][j]
func gemmScalar(c, a, b []float32, m, k, n int, acc bool) {
	for i := 0; i < m; i++ {
		gemmRowScalar(c[i*n:i*n+n], a[i*k:i*k+k], 1, b, k, n, acc)
	}
}

// gemmTAScalar: C[m×n] (+)= Aᵀ·B with A stored k×m, so A[i][p] of the product is a[p*m+i].
func gemmTAScalar(c, a, b []float32, m, k, n int, acc bool) {
	for i := 0; i < m; i++ {
		gemmRowScalar(c[i*n:i*n+n], a[i:], m, b, k, n, acc)
	}
}

// gemmRowScalar computes one row of C: ci[j] (+)= Σ_p a[p*as]·B[p][j].
func gemmRowScalar(ci, a []float32, as int, b []float32, k, n int, acc bool) {
	ci = ci[:n]
	p := 0
	if !acc {
		// The first pass writes instead of adding, which saves clearing C.
		switch {
		case k >= 2:
			a0, a1 := a[0], a[as]
			b0, b1 := b[0:n], b[n:2*n]
			b0, b1 = b0[:len(ci)], b1[:len(ci)]
			for j := range ci {
				ci[j] = a0*b0[j] + a1*b1[j]
			}
			p = 2
		default:
			a0 := a[0]
			b0 := b[0:n]
			b0 = b0[:len(ci)]
			for j := range ci {
				ci[j] = a0 * b0[j]
			}
			p = 1
		}
	}
	for ; p+4 <= k; p += 4 {
		a0, a1, a2, a3 := a[p*as], a[(p+1)*as], a[(p+2)*as], a[(p+3)*as]
		b0 := b[p*n : p*n+n]
		b1 := b[(p+1)*n : (p+1)*n+n]
		b2 := b[(p+2)*n : (p+2)*n+n]
		b3 := b[(p+3)*n : (p+3)*n+n]
		b0, b1, b2, b3 = b0[:len(ci)], b1[:len(ci)], b2[:len(ci)], b3[:len(ci)]
		for j := range ci {
			ci[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; p < k; p++ {
		axpyScalar(ci, b[p*n:p*n+n], a[p*as])
	}
}

// gemmTBScalar: C[m×n] (+)= A·Bᵀ with B stored n×k: every C[i][j] is the dot product of
// row i of A and row j of B. Four rows of B share each load of A.
func gemmTBScalar(c, a, b []float32, m, k, n int, acc bool) {
	for i := 0; i < m; i++ {
		ai := a[i*k : i*k+k]
		ci := c[i*n : i*n+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0 := b[j*k : j*k+k]
			b1 := b[(j+1)*k : (j+1)*k+k]
			b2 := b[(j+2)*k : (j+2)*k+k]
			b3 := b[(j+3)*k : (j+3)*k+k]
			b0, b1, b2, b3 = b0[:len(ai)], b1[:len(ai)], b2[:len(ai)], b3[:len(ai)]
			var s0, s1, s2, s3 float32
			for p, av := range ai {
				s0 += av * b0[p]
				s1 += av * b1[p]
				s2 += av * b2[p]
				s3 += av * b3[p]
			}
			if acc {
				ci[j] += s0
				ci[j+1] += s1
				ci[j+2] += s2
				ci[j+3] += s3
			} else {
				ci[j], ci[j+1], ci[j+2], ci[j+3] = s0, s1, s2, s3
			}
		}
		for ; j < n; j++ {
			s := dotScalar(ai, b[j*k:j*k+k])
			if acc {
				ci[j] += s
			} else {
				ci[j] = s
			}
		}
	}
}

// axpyScalar: y += alpha·x, len(y) == len(x).
func axpyScalar(y, x []float32, alpha float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// dotScalar returns Σ x[i]·y[i] with four partial sums, len(x) == len(y).
func dotScalar(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// reluScalar: dst[i] = max(src[i], 0); len(dst) == len(src). The built-in max keeps the
// loop free of branches, which a branch on the sign (taken half the time at random)
// would make ten times slower.
func reluScalar(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = max(v, 0)
	}
}

// reluBackwardScalar: dx[i] = dy[i] if y[i] > 0, else 0; equal lengths. Branch-free: the
// sign of −y (in 64 bits, so −(−0) cannot overflow) masks the bits of dy.
func reluBackwardScalar(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		keep := uint32(-int64(int32(math.Float32bits(y[i]))) >> 63)
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & keep)
	}
}

// scaleScalar: x *= alpha.
func scaleScalar(x []float32, alpha float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// addBiasScalar: row r of x (len(bias) rows of n) += bias[r].
func addBiasScalar(x, bias []float32, n int) {
	for r, bv := range bias {
		row := x[r*n : r*n+n]
		for j := range row {
			row[j] += bv
		}
	}
}

// sumRowsScalar: dst[r] += Σ row r of x (len(dst) rows of n).
func sumRowsScalar(dst, x []float32, n int) {
	for r := range dst {
		row := x[r*n : r*n+n]
		var s0, s1, s2, s3 float32
		j := 0
		for ; j+4 <= len(row); j += 4 {
			s0 += row[j]
			s1 += row[j+1]
			s2 += row[j+2]
			s3 += row[j+3]
		}
		for ; j < len(row); j++ {
			s0 += row[j]
		}
		dst[r] += (s0 + s1) + (s2 + s3)
	}
}

// adamScalar is AdamStep on equal-length slices.
func adamScalar(w, g, m, v []float32, lr, b1, b2, eps, bc1, bc2, wd float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	c1, c2 := 1-b1, 1-b2
	step, ibc2 := lr/bc1, 1/bc2
	for i, wi := range w {
		gi := g[i] + wd*wi
		mi := b1*m[i] + c1*gi
		vi := b2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		w[i] = wi - step*mi/(float32(math.Sqrt(float64(vi*ibc2)))+eps)
	}
}

// momentumScalar is MomentumStep on equal-length slices.
func momentumScalar(w, g, vel []float32, lr, mu, wd float32) {
	g, vel = g[:len(w)], vel[:len(w)]
	for i, wi := range w {
		vi := mu*vel[i] + g[i] + wd*wi
		vel[i] = vi
		w[i] = wi - lr*vi
	}
}
