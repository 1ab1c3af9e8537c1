package nn

import "fmt"

// ReLU is max(0, x), element by element, in any layout.
type ReLU struct {
	info  LayerInfo
	y, dx []float32
}

func newReLU(info LayerInfo) *ReLU { return &ReLU{info: info} }

// Info describes the layer.
func (l *ReLU) Info() LayerInfo { return l.info }

// Params returns nil: ReLU has no parameters.
func (l *ReLU) Params() []Param { return nil }

func (l *ReLU) replica(bool) Layer { return newReLU(l.info) }

// Forward returns max(0, x) for a batch of n samples.
func (l *ReLU) Forward(x []float32, n int) []float32 {
	if len(x) != n*l.info.In.Size() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%v", l.info.Name, len(x), n, l.info.In))
	}
	l.y = grow(l.y, len(x))
	y := l.y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
	return l.y
}

// Backward passes dy where the output was positive and 0 elsewhere.
func (l *ReLU) Backward(dy []float32) []float32 {
	if len(dy) != len(l.y) {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), len(l.y)))
	}
	l.dx = grow(l.dx, len(dy))
	dx, y := l.dx[:len(dy)], l.y[:len(dy)]
	for i, g := range dy {
		if y[i] > 0 {
			dx[i] = g
		} else {
			dx[i] = 0
		}
	}
	return l.dx
}
