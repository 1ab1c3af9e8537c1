package nn

import (
	"fmt"
	"math"
)

// ReLU is max(0, x), element by element, in any layout.
//
// When a max-pool follows, the pair is fused in training and prediction: max commutes
// with the monotone ReLU, so the pool takes the maximum of the raw values and clips it at
// 0, and this layer passes values through untouched (pass). Trace keeps the two apart,
// because it shows the ReLU's own output.
type ReLU struct {
	info       LayerInfo
	beforePool bool // the next layer is a max-pool
	pass       bool // fused: the next layer does the clipping
	y, dx      []float32
}

func newReLU(info LayerInfo, beforePool, fused bool) *ReLU {
	return &ReLU{info: info, beforePool: beforePool, pass: beforePool && fused}
}

// Info describes the layer.
func (l *ReLU) Info() LayerInfo { return l.info }

// Params returns nil: ReLU has no parameters.
func (l *ReLU) Params() []Param { return nil }

func (l *ReLU) replica(_, fused bool) Layer { return newReLU(l.info, l.beforePool, fused) }

// Forward returns max(0, x) for a batch of n samples.
func (l *ReLU) Forward(x []float32, n int) []float32 {
	if len(x) != n*l.info.In.Size() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%v", l.info.Name, len(x), n, l.info.In))
	}
	if l.pass {
		return x
	}
	l.y = grow(l.y, len(x))
	y := l.y[:len(x)]
	for i, v := range x {
		// Clear every bit where the sign bit is set: negatives (and −0) become +0.
		b := math.Float32bits(v)
		y[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
	return l.y
}

// Backward passes dy where the output was positive and 0 elsewhere.
func (l *ReLU) Backward(dy []float32) []float32 {
	if l.pass {
		return dy
	}
	if len(dy) != len(l.y) {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), len(l.y)))
	}
	l.dx = grow(l.dx, len(dy))
	dx, y := l.dx[:len(dy)], l.y[:len(dy)]
	for i, g := range dy {
		// y ≥ 0; the mask is all ones exactly when y is +0 (bits 0 − 1 wraps to −1).
		zero := uint32(int32(math.Float32bits(y[i])-1) >> 31)
		dx[i] = math.Float32frombits(math.Float32bits(g) &^ zero)
	}
	return l.dx
}
