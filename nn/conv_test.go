package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convRef is the obviously correct convolution on a sample-major batch, in float64:
// y[s][o][oy][ox] = b[o] + Σ_{i,ky,kx} W[o][i][ky][kx]·x[s][i][oy·st−pad+ky][ox·st−pad+kx].
func convRef(x, w, b []float32, n int, in, out Shape, k, st, pad int) []float64 {
	y := make([]float64, n*out.Size())
	for s := 0; s < n; s++ {
		for o := 0; o < out.C; o++ {
			for oy := 0; oy < out.H; oy++ {
				for ox := 0; ox < out.W; ox++ {
					sum := float64(b[o])
					for i := 0; i < in.C; i++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								iy, ix := oy*st-pad+ky, ox*st-pad+kx
								if iy < 0 || iy >= in.H || ix < 0 || ix >= in.W {
									continue
								}
								sum += float64(w[((o*in.C+i)*k+ky)*k+kx]) * float64(x[((s*in.C+i)*in.H+iy)*in.W+ix])
							}
						}
					}
					y[((s*out.C+o)*out.H+oy)*out.W+ox] = sum
				}
			}
		}
	}
	return y
}

// convRefBackward returns dx, dW, db for upstream gradient dy (sample-major), in float64,
// straight from the definition of convRef.
func convRefBackward(x, w, dy []float32, n int, in, out Shape, k, st, pad int) (dx, dw, db []float64) {
	dx = make([]float64, len(x))
	dw = make([]float64, len(w))
	db = make([]float64, out.C)
	for s := 0; s < n; s++ {
		for o := 0; o < out.C; o++ {
			for oy := 0; oy < out.H; oy++ {
				for ox := 0; ox < out.W; ox++ {
					g := float64(dy[((s*out.C+o)*out.H+oy)*out.W+ox])
					db[o] += g
					for i := 0; i < in.C; i++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								iy, ix := oy*st-pad+ky, ox*st-pad+kx
								if iy < 0 || iy >= in.H || ix < 0 || ix >= in.W {
									continue
								}
								xi := ((s*in.C+i)*in.H+iy)*in.W + ix
								wi := ((o*in.C+i)*k+ky)*k + kx
								dw[wi] += g * float64(x[xi])
								dx[xi] += g * float64(w[wi])
							}
						}
					}
				}
			}
		}
	}
	return dx, dw, db
}

func TestConv2DMatchesReference(t *testing.T) {
	tests := []struct {
		n                   int
		in                  Shape
		filters, k, st, pad int
	}{
		{1, Shape{1, 5, 5}, 1, 3, 1, 0},
		{2, Shape{1, 28, 28}, 10, 5, 1, 0},
		{3, Shape{10, 12, 12}, 20, 5, 1, 0},
		{2, Shape{3, 7, 9}, 4, 3, 1, 1},
		{3, Shape{2, 9, 7}, 5, 3, 2, 1},
		{2, Shape{4, 11, 10}, 3, 5, 2, 2},
		{1, Shape{2, 6, 6}, 2, 1, 1, 0},
		{4, Shape{3, 8, 13}, 6, 4, 3, 3},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		name := fmt.Sprintf("n=%d,in=%v,f=%d,k=%d,s=%d,p=%d", tt.n, tt.in, tt.filters, tt.k, tt.st, tt.pad)
		t.Run(name, func(t *testing.T) {
			l := testLayer(t, tt.in, LayerSpec{Type: "conv", Filters: tt.filters, Kernel: tt.k, Stride: tt.st, Pad: tt.pad}, false, false).(*Conv2D)
			out := l.info.Out
			copy(l.w, randn(rng, len(l.w), 1))
			copy(l.b, randn(rng, len(l.b), 1))
			x := randn(rng, tt.n*tt.in.Size(), 1)
			dy := randn(rng, tt.n*out.Size(), 1)

			y := toNCHW(l.Forward(toCNHW(x, tt.n, tt.in.C, tt.in.H*tt.in.W), tt.n), tt.n, out.C, out.H*out.W)
			want := convRef(x, l.w, l.b, tt.n, tt.in, out, tt.k, tt.st, tt.pad)
			for i := range want {
				if !closeTo(float64(y[i]), want[i], 1e-4) {
					t.Fatalf("Conv2D.Forward(%s)[%d] = %v, want %v", name, i, y[i], want[i])
				}
			}
			dx := toNCHW(l.Backward(toCNHW(dy, tt.n, out.C, out.H*out.W)), tt.n, tt.in.C, tt.in.H*tt.in.W)
			wantDX, wantDW, wantDB := convRefBackward(x, l.w, dy, tt.n, tt.in, out, tt.k, tt.st, tt.pad)
			for i := range wantDX {
				if !closeTo(float64(dx[i]), wantDX[i], 1e-4) {
					t.Fatalf("Conv2D.Backward(%s) dx[%d] = %v, want %v", name, i, dx[i], wantDX[i])
				}
			}
			for i := range wantDW {
				if !closeTo(float64(l.dw[i]), wantDW[i], 1e-4) {
					t.Fatalf("Conv2D.Backward(%s) dW[%d] = %v, want %v", name, i, l.dw[i], wantDW[i])
				}
			}
			for i := range wantDB {
				if !closeTo(float64(l.db[i]), wantDB[i], 1e-4) {
					t.Fatalf("Conv2D.Backward(%s) db[%d] = %v, want %v", name, i, l.db[i], wantDB[i])
				}
			}
		})
	}
}

// TestConv2DVerticalEdge is the lesson's hand-worked case: the vertical-edge kernel
// (rows [-1 0 1] three times) on a vertical stroke two pixels wide answers +3 where the
// window's right column is on the stroke and its left one is not, −3 for the mirror case,
// and 0 on flat ground.
func TestConv2DVerticalEdge(t *testing.T) {
	const h, w = 6, 7
	x := make([]float32, h*w)
	for y := 0; y < h; y++ {
		x[y*w+3] = 1 // stroke in columns 3 and 4
		x[y*w+4] = 1
	}
	l := testLayer(t, Shape{1, h, w}, LayerSpec{Type: "conv", Filters: 1, Kernel: 3}, false, true).(*Conv2D)
	copy(l.w, []float32{-1, 0, 1, -1, 0, 1, -1, 0, 1})
	got := l.Forward(x, 1)
	// Output column ox sees input columns ox..ox+2: +3 when ox+2 is on the stroke and ox
	// is not (ox = 1, 2), −3 when ox is on it and ox+2 is not (ox = 3, 4).
	wantRow := []float32{0, 3, 3, -3, -3}
	for oy := 0; oy < h-2; oy++ {
		for ox, want := range wantRow {
			if g := got[oy*(w-2)+ox]; g != want {
				t.Errorf("Conv2D.Forward(vertical stroke) at (%d,%d) = %v, want %v", oy, ox, g, want)
			}
		}
	}
}
