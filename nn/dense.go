package nn

import (
	"fmt"

	"convscope/nn/internal/kern"
)

// Dense is a fully connected layer on a sample-major batch: y[s] = W·x[s] + b with W
// stored units × inputs.
type Dense struct {
	info         LayerInfo
	in, out      int
	w, b, dw, db []float32
	n            int
	x, y, dx     []float32
}

func newDense(info LayerInfo, w, b []float32, grads bool) *Dense {
	l := &Dense{info: info, in: info.In.Size(), out: info.Out.Size(), w: w, b: b}
	if grads {
		l.dw = make([]float32, len(w))
		l.db = make([]float32, len(b))
	}
	return l
}

// Info describes the layer.
func (l *Dense) Info() LayerInfo { return l.info }

// Params returns the weights and the bias with their gradients.
func (l *Dense) Params() []Param {
	return []Param{{Name: l.info.Name + ".w", W: l.w, G: l.dw, Decay: true}, {Name: l.info.Name + ".b", W: l.b, G: l.db}}
}

func (l *Dense) replica(grads, _ bool) Layer { return newDense(l.info, l.w, l.b, grads) }

// Forward computes y[n×out] = x[n×in]·Wᵀ + b.
func (l *Dense) Forward(x []float32, n int) []float32 {
	if len(x) != n*l.in {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%d", l.info.Name, len(x), n, l.in))
	}
	l.n, l.x = n, x
	l.y = grow(l.y, n*l.out)
	for s := 0; s < n; s++ {
		copy(l.y[s*l.out:(s+1)*l.out], l.b)
	}
	kern.GemmTB(l.y, x, l.w, n, l.in, l.out, true)
	return l.y
}

// Backward accumulates dW += dyᵀ·x and db += Σ dy, and returns dx = dy·W.
func (l *Dense) Backward(dy []float32) []float32 {
	if len(dy) != l.n*l.out {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), l.n*l.out))
	}
	kern.GemmTA(l.dw, dy, l.x, l.out, l.n, l.in, true)
	for s := 0; s < l.n; s++ {
		row := dy[s*l.out : (s+1)*l.out]
		db := l.db[:len(row)]
		for o, g := range row {
			db[o] += g
		}
	}
	if l.info.Index == 0 {
		return nil
	}
	l.dx = grow(l.dx, l.n*l.in)
	kern.Gemm(l.dx, dy, l.w, l.n, l.out, l.in, false)
	return l.dx
}
