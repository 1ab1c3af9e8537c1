package nn

import (
	"fmt"

	"convscope/nn/internal/kern"
)

// Conv2D is a 2-D convolution with square kernels, stride and zero padding over any number
// of input and output channels. Weights are W[o][i][ky][kx], one bias per output channel.
//
// A batch is channel-major (doc.go): the input is x[Cin][n][H][W] and the output
// y[Cout][n][OH][OW]. Forward builds cols[K][n·OH·OW] (K = Cin·k·k) and computes
// y = W·cols + b, so the wide axis n·OH·OW is the matrix multiply's vector axis.
type Conv2D struct {
	info                  LayerInfo
	in, out               Shape
	k, stride, pad        int
	w, b, dw, db          []float32
	inputGrad             bool // false for a first layer: nobody needs its input gradient
	n                     int
	x, cols, y, dcols, dx []float32
}

func newConv2D(info LayerInfo, w, b []float32, grads bool) *Conv2D {
	l := &Conv2D{info: info, in: info.In, out: info.Out, k: info.Spec.Kernel,
		stride: info.Spec.Stride, pad: info.Spec.Pad, w: w, b: b, inputGrad: info.Index > 0}
	if grads {
		l.dw = make([]float32, len(w))
		l.db = make([]float32, len(b))
	}
	return l
}

// Info describes the layer.
func (l *Conv2D) Info() LayerInfo { return l.info }

// Params returns the weights and the bias with their gradients.
func (l *Conv2D) Params() []Param {
	return []Param{{Name: l.info.Name + ".w", W: l.w, G: l.dw, Decay: true}, {Name: l.info.Name + ".b", W: l.b, G: l.db}}
}

func (l *Conv2D) replica(grads, _ bool) Layer { return newConv2D(l.info, l.w, l.b, grads) }

// Forward computes the convolution of a batch of n samples.
func (l *Conv2D) Forward(x []float32, n int) []float32 {
	if len(x) != n*l.in.Size() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%v", l.info.Name, len(x), n, l.in))
	}
	l.n, l.x = n, x
	kk := l.in.C * l.k * l.k
	p := n * l.out.H * l.out.W
	l.cols = grow(l.cols, kk*p)
	l.y = grow(l.y, l.out.C*p)
	l.im2col(x, n)
	// y[o][j] = b[o] + Σ_r W[o][r]·cols[r][j]
	for o, bo := range l.b {
		row := l.y[o*p : (o+1)*p]
		for j := range row {
			row[j] = bo
		}
	}
	kern.Gemm(l.y, l.w, l.cols, l.out.C, kk, p, true)
	return l.y
}

// Backward accumulates dW and db and returns the input gradient (nil for a first layer).
func (l *Conv2D) Backward(dy []float32) []float32 {
	kk := l.in.C * l.k * l.k
	p := l.n * l.out.H * l.out.W
	if len(dy) != l.out.C*p {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), l.out.C*p))
	}
	// dW[o][r] += Σ_j dy[o][j]·cols[r][j]; db[o] += Σ_j dy[o][j]
	kern.GemmTB(l.dw, dy, l.cols, l.out.C, p, kk, true)
	for o := range l.db {
		var s float32
		for _, v := range dy[o*p : (o+1)*p] {
			s += v
		}
		l.db[o] += s
	}
	if !l.inputGrad {
		return nil
	}
	// dcols[r][j] = Σ_o W[o][r]·dy[o][j]
	l.dcols = grow(l.dcols, kk*p)
	kern.GemmTA(l.dcols, l.w, dy, kk, l.out.C, p, false)
	l.dx = grow(l.dx, len(l.x))
	l.col2im(l.dx, l.n)
	return l.dx
}

// span returns the output columns lo..hi whose input column ox*stride - pad + kx lies
// inside 0..w-1.
func span(kx, stride, pad, w, ow int) (lo, hi int) {
	// ix = ox*stride - pad + kx ≥ 0  ⇔  ox ≥ ceil((pad-kx)/stride)
	lo = 0
	if d := pad - kx; d > 0 {
		lo = (d + stride - 1) / stride
	}
	// ix ≤ w-1  ⇔  ox ≤ floor((w-1+pad-kx)/stride)
	hi = ow
	if d := w - 1 + pad - kx; d < 0 {
		hi = 0
	} else if m := d/stride + 1; m < hi {
		hi = m
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col fills cols[r][j] with r = (ci·k + ky)·k + kx and j = (s·OH + oy)·OW + ox:
//
//	cols[r][j] = x[ci][s][oy·stride - pad + ky][ox·stride - pad + kx], or 0 outside.
func (l *Conv2D) im2col(x []float32, n int) {
	h, w, k, st, pad := l.in.H, l.in.W, l.k, l.stride, l.pad
	oh, ow := l.out.H, l.out.W
	plane, oplane := h*w, oh*ow
	p := n * oplane
	for ci := 0; ci < l.in.C; ci++ {
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				r := (ci*k+ky)*k + kx
				row := l.cols[r*p : (r+1)*p]
				lo, hi := span(kx, st, pad, w, ow)
				for s := 0; s < n; s++ {
					src := x[(ci*n+s)*plane : (ci*n+s+1)*plane]
					for oy := 0; oy < oh; oy++ {
						dst := row[(s*oh+oy)*ow : (s*oh+oy+1)*ow]
						iy := oy*st - pad + ky
						if iy < 0 || iy >= h {
							clear(dst)
							continue
						}
						if lo > 0 {
							clear(dst[:lo])
						}
						if hi < ow {
							clear(dst[hi:])
						}
						base := iy*w - pad + kx
						if st == 1 {
							copyShort(dst[lo:hi], src[base+lo:base+hi])
							continue
						}
						for ox := lo; ox < hi; ox++ {
							dst[ox] = src[base+ox*st]
						}
					}
				}
			}
		}
	}
}

// col2im is im2col's adjoint: dx[ci][s][iy][ix] = Σ dcols[r][j] over every (r, j) that
// im2col read from that input value.
func (l *Conv2D) col2im(dx []float32, n int) {
	clear(dx)
	h, w, k, st, pad := l.in.H, l.in.W, l.k, l.stride, l.pad
	oh, ow := l.out.H, l.out.W
	plane, oplane := h*w, oh*ow
	p := n * oplane
	for ci := 0; ci < l.in.C; ci++ {
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				r := (ci*k+ky)*k + kx
				row := l.dcols[r*p : (r+1)*p]
				lo, hi := span(kx, st, pad, w, ow)
				if lo >= hi {
					continue
				}
				for s := 0; s < n; s++ {
					dst := dx[(ci*n+s)*plane : (ci*n+s+1)*plane]
					for oy := 0; oy < oh; oy++ {
						iy := oy*st - pad + ky
						if iy < 0 || iy >= h {
							continue
						}
						src := row[(s*oh+oy)*ow+lo : (s*oh+oy)*ow+hi]
						base := iy*w - pad + kx
						if st == 1 {
							addShort(dst[base+lo:base+hi], src)
							continue
						}
						for i, v := range src {
							dst[base+(lo+i)*st] += v
						}
					}
				}
			}
		}
	}
}

// copyShort is copy(dst, src) for the short rows of im2col, where a call to the runtime's
// memmove costs more than the copy: eight, then four, then single values at a time.
func copyShort(dst, src []float32) {
	src = src[:len(dst)]
	for len(dst) >= 8 {
		*(*[8]float32)(dst) = *(*[8]float32)(src)
		dst, src = dst[8:], src[8:]
	}
	if len(dst) >= 4 {
		*(*[4]float32)(dst) = *(*[4]float32)(src)
		dst, src = dst[4:], src[4:]
	}
	for i := range dst {
		dst[i] = src[i]
	}
}

// addShort is dst[i] += src[i] over len(dst) values, unrolled by eight like copyShort.
func addShort(dst, src []float32) {
	src = src[:len(dst)]
	for len(dst) >= 8 {
		d, s := (*[8]float32)(dst), (*[8]float32)(src)
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
		d[4] += s[4]
		d[5] += s[5]
		d[6] += s[6]
		d[7] += s[7]
		dst, src = dst[8:], src[8:]
	}
	for i := range dst {
		dst[i] += src[i]
	}
}
