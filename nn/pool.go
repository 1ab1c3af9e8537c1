package nn

import (
	"fmt"
	"math"
)

// MaxPool2D takes the maximum over size×size windows moved by stride, per channel. It
// remembers where each maximum came from (argmax) so that Backward can route the gradient.
// Ties go to the first value in row-major window order. After a fused ReLU (relu.go) it
// also clips its outputs at 0.
type MaxPool2D struct {
	info         LayerInfo
	afterReLU    bool // the previous layer is a ReLU
	clip         bool // fused: output max(0, window max), gradient only where positive
	size, stride int
	n            int
	xlen         int
	y, dx        []float32
	arg          []int32 // arg[j]: index in x of the value y[j] came from
}

func newMaxPool2D(info LayerInfo, afterReLU, fused bool) *MaxPool2D {
	return &MaxPool2D{info: info, afterReLU: afterReLU, clip: afterReLU && fused,
		size: info.Spec.Size, stride: info.Spec.Stride}
}

// Info describes the layer.
func (l *MaxPool2D) Info() LayerInfo { return l.info }

// Params returns nil: pooling has no parameters.
func (l *MaxPool2D) Params() []Param { return nil }

func (l *MaxPool2D) replica(_, fused bool) Layer {
	return newMaxPool2D(l.info, l.afterReLU, fused)
}

// Forward pools a batch of n samples. Each (channel, sample) plane is pooled on its own,
// so the layout of planes does not matter.
func (l *MaxPool2D) Forward(x []float32, n int) []float32 {
	in, out := l.info.In, l.info.Out
	if len(x) != n*in.Size() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%v", l.info.Name, len(x), n, in))
	}
	l.n, l.xlen = n, len(x)
	planes := n * in.C
	ip, op := in.H*in.W, out.H*out.W
	l.y = grow(l.y, planes*op)
	l.arg = growInt32(l.arg, planes*op)
	if l.size == 2 && l.stride == 2 {
		if l.clip {
			l.forward2Clip(x, planes)
		} else {
			l.forward2(x, planes)
		}
		return l.y
	}
	for pl := 0; pl < planes; pl++ {
		src := x[pl*ip : (pl+1)*ip]
		for oy := 0; oy < out.H; oy++ {
			for ox := 0; ox < out.W; ox++ {
				best := oy*l.stride*in.W + ox*l.stride
				for dy := 0; dy < l.size; dy++ {
					for dx := 0; dx < l.size; dx++ {
						if i := (oy*l.stride+dy)*in.W + ox*l.stride + dx; src[i] > src[best] {
							best = i
						}
					}
				}
				j := pl*op + oy*out.W + ox
				l.y[j] = src[best]
				if l.clip {
					l.y[j] = max(src[best], 0)
				}
				l.arg[j] = int32(pl*ip + best)
			}
		}
	}
	return l.y
}

// forward2 is Forward for the common 2×2 window with stride 2: for each output (oy, ox)
// the window is rows 2oy, 2oy+1 and columns 2ox, 2ox+1 of the plane.
func (l *MaxPool2D) forward2(x []float32, planes int) {
	in, out := l.info.In, l.info.Out
	ip, op := in.H*in.W, out.H*out.W
	for pl := 0; pl < planes; pl++ {
		for oy := 0; oy < out.H; oy++ {
			r0 := pl*ip + 2*oy*in.W
			top := x[r0 : r0+2*out.W]
			bot := x[r0+in.W : r0+in.W+2*out.W]
			y := l.y[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg := l.arg[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg = arg[:len(y)]
			for ox := range y {
				i := 2 * ox
				b, bi := top[i], i
				if v := top[i+1]; v > b {
					b, bi = v, i+1
				}
				if v := bot[i]; v > b {
					b, bi = v, i+in.W
				}
				if v := bot[i+1]; v > b {
					b, bi = v, i+1+in.W
				}
				y[ox] = b
				arg[ox] = int32(r0 + bi)
			}
		}
	}
}

// Backward routes each output gradient to the input that was the maximum.
func (l *MaxPool2D) Backward(dy []float32) []float32 {
	if len(dy) != len(l.y) {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), len(l.y)))
	}
	l.dx = grow(l.dx, l.xlen)
	if in := l.info.In; l.size == 2 && l.stride == 2 && in.H%2 == 0 && in.W%2 == 0 {
		l.backward2(dy)
		return l.dx
	}
	clear(l.dx)
	arg := l.arg[:len(dy)]
	if l.clip {
		// Where the clipped output is 0 the ReLU's gradient is 0.
		y := l.y[:len(dy)]
		for j, g := range dy {
			if y[j] > 0 {
				l.dx[arg[j]] += g
			}
		}
		return l.dx
	}
	for j, g := range dy {
		l.dx[arg[j]] += g
	}
	return l.dx
}

// forward2Clip is forward2 fused with the ReLU before it. Clipped at 0, every value is a
// non-negative float, and non-negative floats order like their bits as integers, so the
// window maximum is an integer maximum that compiles without branches.
func (l *MaxPool2D) forward2Clip(x []float32, planes int) {
	in, out := l.info.In, l.info.Out
	ip, op := in.H*in.W, out.H*out.W
	// relu returns the bits of max(0, v) as a non-negative int32.
	relu := func(v float32) int32 {
		b := int32(math.Float32bits(v))
		return b &^ (b >> 31)
	}
	for pl := 0; pl < planes; pl++ {
		for oy := 0; oy < out.H; oy++ {
			r0 := pl*ip + 2*oy*in.W
			top := x[r0 : r0+2*out.W]
			bot := x[r0+in.W : r0+in.W+2*out.W]
			y := l.y[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg := l.arg[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg = arg[:len(y)]
			bot = bot[:len(top)]
			for ox := range y {
				i := 2 * ox
				a, b, c, d := relu(top[i]), relu(top[i+1]), relu(bot[i]), relu(bot[i+1])
				m, mi := a, int32(i)
				if b > m {
					m, mi = b, int32(i+1)
				}
				if c > m {
					m, mi = c, int32(i+in.W)
				}
				if d > m {
					m, mi = d, int32(i+1+in.W)
				}
				y[ox] = math.Float32frombits(uint32(m))
				arg[ox] = int32(r0) + mi
			}
		}
	}
}

// backward2 is Backward for 2×2 windows with stride 2 tiling the input exactly: every
// input value lies in one window, so each window's four gradients are written directly
// (dy at the argmax, 0 elsewhere) and dx needs no clearing first.
func (l *MaxPool2D) backward2(dy []float32) {
	in, out := l.info.In, l.info.Out
	ip, op := in.H*in.W, out.H*out.W
	planes := len(dy) / op
	for pl := 0; pl < planes; pl++ {
		for oy := 0; oy < out.H; oy++ {
			r0 := pl*ip + 2*oy*in.W
			top := l.dx[r0 : r0+in.W]
			bot := l.dx[r0+in.W : r0+2*in.W]
			g := dy[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg := l.arg[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			y := l.y[pl*op+oy*out.W : pl*op+(oy+1)*out.W]
			arg, y = arg[:len(g)], y[:len(g)]
			bot = bot[:len(top)]
			for ox, v := range g {
				if l.clip {
					// y ≥ 0 here; drop v where y is +0 (the mask is all ones there).
					zero := uint32(int32(math.Float32bits(y[ox])-1) >> 31)
					v = math.Float32frombits(math.Float32bits(v) &^ zero)
				}
				i := 2 * ox
				// The argmax's offset in its window is 0, 1, W or W+1, W even: its low bit
				// says right column, and c−W wrapping below 0 says top row. Multiplying by
				// 0/1 factors instead of branching avoids mispredicting random argmaxes.
				c := uint32(int(arg[ox]) - r0 - i)
				right := float32(c & 1)
				low := float32((c-uint32(in.W))>>31 ^ 1)
				top[i] = v * (1 - low) * (1 - right)
				top[i+1] = v * (1 - low) * right
				bot[i] = v * low * (1 - right)
				bot[i+1] = v * low * right
			}
		}
	}
}
