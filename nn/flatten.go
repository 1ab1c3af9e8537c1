package nn

import "fmt"

// Flatten turns a channel-major batch x[C][n][H·W] into a sample-major one
// y[n][C·H·W] (doc.go); for one sample it is the identity.
type Flatten struct {
	info   LayerInfo
	flatIn bool // the input is already flat (sample-major): copy through
	n      int
	y, dx  []float32
}

func newFlatten(info LayerInfo, flatIn bool) *Flatten { return &Flatten{info: info, flatIn: flatIn} }

// Info describes the layer.
func (l *Flatten) Info() LayerInfo { return l.info }

// Params returns nil: Flatten has no parameters.
func (l *Flatten) Params() []Param { return nil }

func (l *Flatten) replica(_, _ bool) Layer { return newFlatten(l.info, l.flatIn) }

// Forward reorders a batch of n samples: y[s][c·HW + i] = x[c][s][i].
func (l *Flatten) Forward(x []float32, n int) []float32 {
	in := l.info.In
	if len(x) != n*in.Size() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, want %d×%v", l.info.Name, len(x), n, in))
	}
	l.n = n
	l.y = grow(l.y, len(x))
	if l.flatIn {
		copy(l.y, x)
		return l.y
	}
	hw := in.H * in.W
	for c := 0; c < in.C; c++ {
		for s := 0; s < n; s++ {
			copy(l.y[s*in.Size()+c*hw:s*in.Size()+(c+1)*hw], x[(c*n+s)*hw:(c*n+s+1)*hw])
		}
	}
	return l.y
}

// Backward reorders the gradient back to the channel-major layout.
func (l *Flatten) Backward(dy []float32) []float32 {
	in := l.info.In
	if len(dy) != len(l.y) {
		panic(fmt.Sprintf("nn: %s.Backward: len(dy) = %d, want %d", l.info.Name, len(dy), len(l.y)))
	}
	l.dx = grow(l.dx, len(dy))
	if l.flatIn {
		copy(l.dx, dy)
		return l.dx
	}
	hw := in.H * in.W
	for c := 0; c < in.C; c++ {
		for s := 0; s < l.n; s++ {
			copy(l.dx[(c*l.n+s)*hw:(c*l.n+s+1)*hw], dy[s*in.Size()+c*hw:s*in.Size()+(c+1)*hw])
		}
	}
	return l.dx
}
