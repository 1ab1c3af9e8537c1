//go:build goexperiment.simd && amd64

package kern

import "simd/archsimd"

// The AVX-512 path: 16 float32 lanes per vector. kern_avx2_amd64.go is generated from this
// file (go generate) with 8-lane vectors; edit this one.

// vlX16 is the number of float32 lanes in one vector.
const vlX16 = 16

// nrX16 is the width of a full GEMM micro-tile: two vectors. A 4-row tile then holds 8
// accumulators; with two B vectors, the broadcast of A and the copy of it that the
// destructive fused multiply-add needs, that is 12 of the 15 vector registers the
// compiler allocates (X0–X14). A 4×3 tile (12 accumulators) spilled to the stack in the
// inner loop and ran at about 60% of this one's speed.
const nrX16 = 2 * vlX16

// gemmX16: C[m×n] (+)= A[m×k]·B[k×n]. Columns outer: one k×nr panel of B stays in cache
// while every 4-row block of A passes over it.
func gemmX16(c, a, b []float32, m, k, n int, acc bool) {
	for j := 0; j < n; j += nrX16 {
		w := min(nrX16, n-j)
		i := 0
		for ; i+4 <= m; i += 4 {
			tileX16(c[i*n+j:], n, a[i*k:i*k+k], a[(i+1)*k:(i+1)*k+k], a[(i+2)*k:(i+2)*k+k], a[(i+3)*k:(i+3)*k+k], b[j:], n, w, acc)
		}
		if i+2 <= m && w == nrX16 {
			tile2x2X16(c[i*n+j:], n, a[i*k:i*k+k], a[(i+1)*k:(i+1)*k+k], b[j:], n, acc)
			i += 2
		}
		for ; i < m; i++ {
			rowTileX16(c[i*n+j:], a[i*k:i*k+k], b[j:], n, w, acc)
		}
	}
}

// kcTAX16 bounds the k-block of GemmTA, so its packed rows of Aᵀ fit a small stack buffer.
const kcTAX16 = 512

// gemmTAX16: C[m×n] (+)= Aᵀ·B with A stored k×m. Rows of Aᵀ are columns of the stored A,
// so each block of four is first gathered into contiguous rows (ap); the tiles are then the
// same as Gemm's. Rows outer: the packing is paid once per block of rows.
func gemmTAX16(c, a, b []float32, m, k, n int, acc bool) {
	var ap [4 * kcTAX16]float32
	for i := 0; i < m; i += 4 {
		rows := min(4, m-i)
		for kb := 0; kb < k; kb += kcTAX16 {
			kc := min(kcTAX16, k-kb)
			// ap[r*kc+p] = Aᵀ[i+r][kb+p] = a[(kb+p)*m + i+r]
			for r := range rows {
				dst := ap[r*kc : r*kc+kc]
				for p := range dst {
					dst[p] = a[(kb+p)*m+i+r]
				}
			}
			blockAcc := acc || kb > 0
			bk := b[kb*n:]
			for j := 0; j < n; j += nrX16 {
				w := min(nrX16, n-j)
				if rows == 4 {
					tileX16(c[i*n+j:], n, ap[0:kc], ap[kc:2*kc], ap[2*kc:3*kc], ap[3*kc:4*kc], bk[j:], n, w, blockAcc)
					continue
				}
				r := 0
				if rows >= 2 && w == nrX16 {
					tile2x2X16(c[i*n+j:], n, ap[0:kc], ap[kc:2*kc], bk[j:], n, blockAcc)
					r = 2
				}
				for ; r < rows; r++ {
					rowTileX16(c[(i+r)*n+j:], ap[r*kc:r*kc+kc], bk[j:], n, w, blockAcc)
				}
			}
		}
	}
}

// tileX16 computes a 4×w tile of C, w ≤ nrX16: c[r*ldc+j] (+)= Σ_p ar[p]·b[p*ldb+j] for
// the four rows a0…a3 of A (each of length k). Full-width tiles take the 8-accumulator
// loop, narrower ones go one vector at a time and the last w mod vlX16 columns are scalar.
// (The slice-part loads of simd/archsimd would do the tail in vectors but trip checkptr
// under -race in Go 1.26: golang/go#78413.)
func tileX16(c []float32, ldc int, a0, a1, a2, a3, b []float32, ldb, w int, acc bool) {
	if w == nrX16 {
		tile4x2X16(c, ldc, a0, a1, a2, a3, b, ldb, acc)
		return
	}
	j := 0
	for ; j+vlX16 <= w; j += vlX16 {
		tile4x1X16(c[j:], ldc, a0, a1, a2, a3, b[j:], ldb, acc)
	}
	if j < w {
		for r, ar := range [4][]float32{a0, a1, a2, a3} {
			colsScalar(c[r*ldc+j:], ar, b[j:], ldb, w-j, acc)
		}
	}
}

// rowTileX16 is tileX16 for a single row of A.
func rowTileX16(c, a, b []float32, ldb, w int, acc bool) {
	if w == nrX16 {
		tile1x2X16(c, a, b, ldb, acc)
		return
	}
	j := 0
	for ; j+vlX16 <= w; j += vlX16 {
		tile1x1X16(c[j:], a, b[j:], ldb, acc)
	}
	if j < w {
		colsScalar(c[j:], a, b[j:], ldb, w-j, acc)
	}
}

// tile4x2X16 is the main micro-kernel: a 4×nrX16 tile of C in 8 accumulators, one rank-1
// update per step of k (2 loads of B, 4 broadcasts of A, 8 fused multiply-adds).
func tile4x2X16(c []float32, ldc int, a0, a1, a2, a3, b []float32, ldb int, acc bool) {
	k := len(a0)
	a1, a2, a3 = a1[:k], a2[:k], a3[:k]
	c0 := c[0*ldc:][:nrX16]
	c1 := c[1*ldc:][:nrX16]
	c2 := c[2*ldc:][:nrX16]
	c3 := c[3*ldc:][:nrX16]
	var s00, s01, s10, s11, s20, s21, s30, s31 archsimd.Float32x16
	if acc {
		s00, s01 = archsimd.LoadFloat32x16Slice(c0[0:]), archsimd.LoadFloat32x16Slice(c0[vlX16:])
		s10, s11 = archsimd.LoadFloat32x16Slice(c1[0:]), archsimd.LoadFloat32x16Slice(c1[vlX16:])
		s20, s21 = archsimd.LoadFloat32x16Slice(c2[0:]), archsimd.LoadFloat32x16Slice(c2[vlX16:])
		s30, s31 = archsimd.LoadFloat32x16Slice(c3[0:]), archsimd.LoadFloat32x16Slice(c3[vlX16:])
	}
	for p := 0; p < k; p++ {
		row := b[p*ldb:][:nrX16]
		b0 := archsimd.LoadFloat32x16Slice(row[0:])
		b1 := archsimd.LoadFloat32x16Slice(row[vlX16:])
		x := archsimd.BroadcastFloat32x16(a0[p])
		s00, s01 = x.MulAdd(b0, s00), x.MulAdd(b1, s01)
		x = archsimd.BroadcastFloat32x16(a1[p])
		s10, s11 = x.MulAdd(b0, s10), x.MulAdd(b1, s11)
		x = archsimd.BroadcastFloat32x16(a2[p])
		s20, s21 = x.MulAdd(b0, s20), x.MulAdd(b1, s21)
		x = archsimd.BroadcastFloat32x16(a3[p])
		s30, s31 = x.MulAdd(b0, s30), x.MulAdd(b1, s31)
	}
	s00.StoreSlice(c0[0:])
	s01.StoreSlice(c0[vlX16:])
	s10.StoreSlice(c1[0:])
	s11.StoreSlice(c1[vlX16:])
	s20.StoreSlice(c2[0:])
	s21.StoreSlice(c2[vlX16:])
	s30.StoreSlice(c3[0:])
	s31.StoreSlice(c3[vlX16:])
}

// tile2x2X16: a 2×nrX16 tile, for the rows left over after the 4-row tiles.
func tile2x2X16(c []float32, ldc int, a0, a1, b []float32, ldb int, acc bool) {
	k := len(a0)
	a1 = a1[:k]
	c0 := c[0*ldc:][:nrX16]
	c1 := c[1*ldc:][:nrX16]
	var s00, s01, s10, s11 archsimd.Float32x16
	if acc {
		s00, s01 = archsimd.LoadFloat32x16Slice(c0[0:]), archsimd.LoadFloat32x16Slice(c0[vlX16:])
		s10, s11 = archsimd.LoadFloat32x16Slice(c1[0:]), archsimd.LoadFloat32x16Slice(c1[vlX16:])
	}
	for p := 0; p < k; p++ {
		row := b[p*ldb:][:nrX16]
		b0 := archsimd.LoadFloat32x16Slice(row[0:])
		b1 := archsimd.LoadFloat32x16Slice(row[vlX16:])
		x := archsimd.BroadcastFloat32x16(a0[p])
		s00, s01 = x.MulAdd(b0, s00), x.MulAdd(b1, s01)
		x = archsimd.BroadcastFloat32x16(a1[p])
		s10, s11 = x.MulAdd(b0, s10), x.MulAdd(b1, s11)
	}
	s00.StoreSlice(c0[0:])
	s01.StoreSlice(c0[vlX16:])
	s10.StoreSlice(c1[0:])
	s11.StoreSlice(c1[vlX16:])
}

// tile4x1X16: a 4×vlX16 tile.
func tile4x1X16(c []float32, ldc int, a0, a1, a2, a3, b []float32, ldb int, acc bool) {
	k := len(a0)
	a1, a2, a3 = a1[:k], a2[:k], a3[:k]
	c0 := c[0*ldc:][:vlX16]
	c1 := c[1*ldc:][:vlX16]
	c2 := c[2*ldc:][:vlX16]
	c3 := c[3*ldc:][:vlX16]
	var s0, s1, s2, s3 archsimd.Float32x16
	if acc {
		s0, s1 = archsimd.LoadFloat32x16Slice(c0), archsimd.LoadFloat32x16Slice(c1)
		s2, s3 = archsimd.LoadFloat32x16Slice(c2), archsimd.LoadFloat32x16Slice(c3)
	}
	for p := 0; p < k; p++ {
		v := archsimd.LoadFloat32x16Slice(b[p*ldb:][:vlX16])
		s0 = archsimd.BroadcastFloat32x16(a0[p]).MulAdd(v, s0)
		s1 = archsimd.BroadcastFloat32x16(a1[p]).MulAdd(v, s1)
		s2 = archsimd.BroadcastFloat32x16(a2[p]).MulAdd(v, s2)
		s3 = archsimd.BroadcastFloat32x16(a3[p]).MulAdd(v, s3)
	}
	s0.StoreSlice(c0)
	s1.StoreSlice(c1)
	s2.StoreSlice(c2)
	s3.StoreSlice(c3)
}

// tile1x2X16: a 1×nrX16 tile.
func tile1x2X16(c, a, b []float32, ldb int, acc bool) {
	c0 := c[:nrX16]
	var s0, s1 archsimd.Float32x16
	if acc {
		s0, s1 = archsimd.LoadFloat32x16Slice(c0[0:]), archsimd.LoadFloat32x16Slice(c0[vlX16:])
	}
	for p, av := range a {
		row := b[p*ldb:][:nrX16]
		x := archsimd.BroadcastFloat32x16(av)
		s0 = x.MulAdd(archsimd.LoadFloat32x16Slice(row[0:]), s0)
		s1 = x.MulAdd(archsimd.LoadFloat32x16Slice(row[vlX16:]), s1)
	}
	s0.StoreSlice(c0[0:])
	s1.StoreSlice(c0[vlX16:])
}

// tile1x1X16: a 1×vlX16 tile.
func tile1x1X16(c, a, b []float32, ldb int, acc bool) {
	c0 := c[:vlX16]
	var s archsimd.Float32x16
	if acc {
		s = archsimd.LoadFloat32x16Slice(c0)
	}
	for p, av := range a {
		s = archsimd.BroadcastFloat32x16(av).MulAdd(archsimd.LoadFloat32x16Slice(b[p*ldb:][:vlX16]), s)
	}
	s.StoreSlice(c0)
}

// kcTBX16 is the k-block of GemmTB: a block of A (m rows of kc floats) stays in the
// core's L2 cache while the rows of B stream past it once.
const kcTBX16 = 2048

// gemmTBX16: C[m×n] (+)= A·Bᵀ with B stored n×k. Every C[i][j] is a dot product of two
// rows; tiles of 2 rows of A × 4 rows of B keep 8 vector accumulators along k (12 vector
// registers in all, no spills; a 3×3 tile spilled) and sum their lanes at the end of each
// k-block. Rows of B outer: each is read once per k-block, while the (smaller) block of A
// is re-read from cache.
func gemmTBX16(c, a, b []float32, m, k, n int, acc bool) {
	for kb := 0; kb < k; kb += kcTBX16 {
		kc := min(kcTBX16, k-kb)
		blockAcc := acc || kb > 0
		j := 0
		for ; j+4 <= n; j += 4 {
			b0, b1, b2, b3 := b[j*k+kb:][:kc], b[(j+1)*k+kb:][:kc], b[(j+2)*k+kb:][:kc], b[(j+3)*k+kb:][:kc]
			i := 0
			for ; i+2 <= m; i += 2 {
				dot2x4X16(c[i*n+j:], n, a[i*k+kb:][:kc], a[(i+1)*k+kb:][:kc], b0, b1, b2, b3, blockAcc)
			}
			for ; i < m; i++ {
				ai := a[i*k+kb:][:kc]
				store1(c[i*n+j:], dotX16(ai, b0), blockAcc)
				store1(c[i*n+j+1:], dotX16(ai, b1), blockAcc)
				store1(c[i*n+j+2:], dotX16(ai, b2), blockAcc)
				store1(c[i*n+j+3:], dotX16(ai, b3), blockAcc)
			}
		}
		for ; j < n; j++ {
			bj := b[j*k+kb:][:kc]
			for i := range m {
				store1(c[i*n+j:], dotX16(a[i*k+kb:][:kc], bj), blockAcc)
			}
		}
	}
}

// dot2x4X16 sets (or adds to) the 2×4 tile c[r*ldc+j] = ar·bj. All rows have equal length.
func dot2x4X16(c []float32, ldc int, a0, a1, b0, b1, b2, b3 []float32, acc bool) {
	k := len(a0)
	a1 = a1[:k]
	b0, b1, b2, b3 = b0[:k], b1[:k], b2[:k], b3[:k]
	var s00, s01, s02, s03, s10, s11, s12, s13 archsimd.Float32x16
	p := 0
	for ; p+vlX16 <= k; p += vlX16 {
		x0 := archsimd.LoadFloat32x16Slice(a0[p:])
		x1 := archsimd.LoadFloat32x16Slice(a1[p:])
		y := archsimd.LoadFloat32x16Slice(b0[p:])
		s00, s10 = x0.MulAdd(y, s00), x1.MulAdd(y, s10)
		y = archsimd.LoadFloat32x16Slice(b1[p:])
		s01, s11 = x0.MulAdd(y, s01), x1.MulAdd(y, s11)
		y = archsimd.LoadFloat32x16Slice(b2[p:])
		s02, s12 = x0.MulAdd(y, s02), x1.MulAdd(y, s12)
		y = archsimd.LoadFloat32x16Slice(b3[p:])
		s03, s13 = x0.MulAdd(y, s03), x1.MulAdd(y, s13)
	}
	t := [2][4]float32{
		{hsumX16(s00), hsumX16(s01), hsumX16(s02), hsumX16(s03)},
		{hsumX16(s10), hsumX16(s11), hsumX16(s12), hsumX16(s13)},
	}
	if p < k {
		// The last k mod vlX16 terms, in scalar code.
		for r, ar := range [2][]float32{a0[p:], a1[p:]} {
			for j, bj := range [4][]float32{b0[p:], b1[p:], b2[p:], b3[p:]} {
				t[r][j] += dotScalar(ar, bj)
			}
		}
	}
	for r := range t {
		cr := c[r*ldc:][:4]
		if acc {
			cr[0] += t[r][0]
			cr[1] += t[r][1]
			cr[2] += t[r][2]
			cr[3] += t[r][3]
		} else {
			cr[0], cr[1], cr[2], cr[3] = t[r][0], t[r][1], t[r][2], t[r][3]
		}
	}
}

// dotX16 returns Σ x[i]·y[i], len(y) ≥ len(x), with four vector accumulators.
func dotX16(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 archsimd.Float32x16
	i := 0
	for ; i+4*vlX16 <= len(x); i += 4 * vlX16 {
		s0 = archsimd.LoadFloat32x16Slice(x[i:]).MulAdd(archsimd.LoadFloat32x16Slice(y[i:]), s0)
		s1 = archsimd.LoadFloat32x16Slice(x[i+vlX16:]).MulAdd(archsimd.LoadFloat32x16Slice(y[i+vlX16:]), s1)
		s2 = archsimd.LoadFloat32x16Slice(x[i+2*vlX16:]).MulAdd(archsimd.LoadFloat32x16Slice(y[i+2*vlX16:]), s2)
		s3 = archsimd.LoadFloat32x16Slice(x[i+3*vlX16:]).MulAdd(archsimd.LoadFloat32x16Slice(y[i+3*vlX16:]), s3)
	}
	for ; i+vlX16 <= len(x); i += vlX16 {
		s0 = archsimd.LoadFloat32x16Slice(x[i:]).MulAdd(archsimd.LoadFloat32x16Slice(y[i:]), s0)
	}
	return hsumX16(s0.Add(s1).Add(s2.Add(s3))) + dotScalar(x[i:], y[i:])
}

// axpyX16: y += alpha·x, len(y) == len(x).
func axpyX16(y, x []float32, alpha float32) {
	x = x[:len(y)]
	av := archsimd.BroadcastFloat32x16(alpha)
	i := 0
	for ; i+2*vlX16 <= len(y); i += 2 * vlX16 {
		y0 := av.MulAdd(archsimd.LoadFloat32x16Slice(x[i:]), archsimd.LoadFloat32x16Slice(y[i:]))
		y1 := av.MulAdd(archsimd.LoadFloat32x16Slice(x[i+vlX16:]), archsimd.LoadFloat32x16Slice(y[i+vlX16:]))
		y0.StoreSlice(y[i:])
		y1.StoreSlice(y[i+vlX16:])
	}
	for ; i+vlX16 <= len(y); i += vlX16 {
		av.MulAdd(archsimd.LoadFloat32x16Slice(x[i:]), archsimd.LoadFloat32x16Slice(y[i:])).StoreSlice(y[i:])
	}
	axpyScalar(y[i:], x[i:], alpha)
}

// reluX16: dst[i] = src[i] if src[i] > 0, else 0; len(dst) == len(src).
func reluX16(dst, src []float32) {
	dst = dst[:len(src)]
	var zero archsimd.Float32x16
	i := 0
	for ; i+vlX16 <= len(src); i += vlX16 {
		x := archsimd.LoadFloat32x16Slice(src[i:])
		x.Masked(x.Greater(zero)).StoreSlice(dst[i:])
	}
	reluScalar(dst[i:], src[i:])
}

// reluBackwardX16: dx[i] = dy[i] if y[i] > 0, else 0; equal lengths.
func reluBackwardX16(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	var zero archsimd.Float32x16
	i := 0
	for ; i+vlX16 <= len(dx); i += vlX16 {
		mask := archsimd.LoadFloat32x16Slice(y[i:]).Greater(zero)
		archsimd.LoadFloat32x16Slice(dy[i:]).Masked(mask).StoreSlice(dx[i:])
	}
	reluBackwardScalar(dx[i:], dy[i:], y[i:])
}

// scaleX16: x *= alpha.
func scaleX16(x []float32, alpha float32) {
	av := archsimd.BroadcastFloat32x16(alpha)
	i := 0
	for ; i+vlX16 <= len(x); i += vlX16 {
		archsimd.LoadFloat32x16Slice(x[i:]).Mul(av).StoreSlice(x[i:])
	}
	scaleScalar(x[i:], alpha)
}

// addBiasX16: row r of x (len(bias) rows of n) += bias[r].
func addBiasX16(x, bias []float32, n int) {
	for r, bv := range bias {
		row := x[r*n : r*n+n]
		v := archsimd.BroadcastFloat32x16(bv)
		j := 0
		for ; j+vlX16 <= len(row); j += vlX16 {
			archsimd.LoadFloat32x16Slice(row[j:]).Add(v).StoreSlice(row[j:])
		}
		for ; j < len(row); j++ {
			row[j] += bv
		}
	}
}

// sumRowsX16: dst[r] += Σ row r of x (len(dst) rows of n).
func sumRowsX16(dst, x []float32, n int) {
	for r := range dst {
		row := x[r*n : r*n+n]
		var s0, s1 archsimd.Float32x16
		j := 0
		for ; j+2*vlX16 <= len(row); j += 2 * vlX16 {
			s0 = s0.Add(archsimd.LoadFloat32x16Slice(row[j:]))
			s1 = s1.Add(archsimd.LoadFloat32x16Slice(row[j+vlX16:]))
		}
		s := hsumX16(s0.Add(s1))
		for ; j < len(row); j++ {
			s += row[j]
		}
		dst[r] += s
	}
}

// adamX16 is AdamStep on equal-length slices.
func adamX16(w, g, m, v []float32, lr, b1, b2, eps, bc1, bc2, wd float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	vb1, vb2 := archsimd.BroadcastFloat32x16(b1), archsimd.BroadcastFloat32x16(b2)
	vc1, vc2 := archsimd.BroadcastFloat32x16(1-b1), archsimd.BroadcastFloat32x16(1-b2)
	vwd, veps := archsimd.BroadcastFloat32x16(wd), archsimd.BroadcastFloat32x16(eps)
	vstep, vibc2 := archsimd.BroadcastFloat32x16(lr/bc1), archsimd.BroadcastFloat32x16(1/bc2)
	i := 0
	for ; i+vlX16 <= len(w); i += vlX16 {
		wi := archsimd.LoadFloat32x16Slice(w[i:])
		gi := archsimd.LoadFloat32x16Slice(g[i:]).Add(vwd.Mul(wi))
		mi := vb1.Mul(archsimd.LoadFloat32x16Slice(m[i:])).Add(vc1.Mul(gi))
		vi := vb2.Mul(archsimd.LoadFloat32x16Slice(v[i:])).Add(vc2.Mul(gi).Mul(gi))
		mi.StoreSlice(m[i:])
		vi.StoreSlice(v[i:])
		den := vi.Mul(vibc2).Sqrt().Add(veps)
		wi.Sub(vstep.Mul(mi).Div(den)).StoreSlice(w[i:])
	}
	adamScalar(w[i:], g[i:], m[i:], v[i:], lr, b1, b2, eps, bc1, bc2, wd)
}

// momentumX16 is MomentumStep on equal-length slices.
func momentumX16(w, g, vel []float32, lr, mu, wd float32) {
	g, vel = g[:len(w)], vel[:len(w)]
	vmu, vwd, vlr := archsimd.BroadcastFloat32x16(mu), archsimd.BroadcastFloat32x16(wd), archsimd.BroadcastFloat32x16(lr)
	i := 0
	for ; i+vlX16 <= len(w); i += vlX16 {
		wi := archsimd.LoadFloat32x16Slice(w[i:])
		vi := vmu.Mul(archsimd.LoadFloat32x16Slice(vel[i:])).Add(archsimd.LoadFloat32x16Slice(g[i:])).Add(vwd.Mul(wi))
		vi.StoreSlice(vel[i:])
		wi.Sub(vlr.Mul(vi)).StoreSlice(w[i:])
	}
	momentumScalar(w[i:], g[i:], vel[i:], lr, mu, wd)
}
