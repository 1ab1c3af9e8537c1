package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lossOf is the scalar L = Σ r·Forward(x) the gradient checks differentiate; dL/dy = r.
func lossOf(l Layer, x []float32, n int, r []float32) float64 {
	return dot64(l.Forward(x, n), r)
}

// checkGrad compares an analytic gradient with central differences of f, one value v[i]
// at a time.
func checkGrad(t *testing.T, what string, v []float32, analytic []float32, f func() float64, eps, tol float64) {
	t.Helper()
	for i := range v {
		old := v[i]
		v[i] = old + float32(eps)
		up := f()
		v[i] = old - float32(eps)
		down := f()
		v[i] = old
		num := (up - down) / (2 * eps)
		if !closeTo(float64(analytic[i]), num, tol) {
			t.Fatalf("%s[%d] = %v, want %v (central difference)", what, i, analytic[i], num)
		}
	}
}

func TestLayerGradients(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		in     Shape
		spec   LayerSpec
		flatIn bool
	}{
		{"conv", 2, Shape{2, 6, 5}, LayerSpec{Type: "conv", Filters: 3, Kernel: 3, Pad: 1}, false},
		{"conv stride 2", 3, Shape{3, 7, 7}, LayerSpec{Type: "conv", Filters: 2, Kernel: 3, Stride: 2}, false},
		{"relu", 3, Shape{2, 4, 3}, LayerSpec{Type: "relu"}, false},
		{"maxpool 2", 2, Shape{3, 6, 6}, LayerSpec{Type: "maxpool", Size: 2}, false},
		{"maxpool 3 stride 2", 2, Shape{2, 7, 8}, LayerSpec{Type: "maxpool", Size: 3, Stride: 2}, false},
		{"flatten", 3, Shape{3, 2, 4}, LayerSpec{Type: "flatten"}, false},
		{"dense", 4, Shape{2, 3, 3}, LayerSpec{Type: "dense", Units: 5}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(len(tt.name))))
			l := testLayer(t, tt.in, tt.spec, tt.flatIn, false)
			x := randn(rng, tt.n*tt.in.Size(), 1)
			switch tt.spec.Type {
			case "relu":
				awayFromZero(x, 0.05)
			case "maxpool":
				// Distinct values a grid step apart keep every window's maximum clear.
				perm := rng.Perm(len(x))
				for i := range x {
					x[i] = float32(perm[i]) * 0.01
				}
			}
			for _, p := range l.Params() {
				copy(p.W, randn(rng, len(p.W), 0.5))
			}
			r := randn(rng, tt.n*l.Info().Out.Size(), 1)
			l.Forward(x, tt.n)
			dx := append([]float32(nil), l.Backward(r)...)
			f := func() float64 { return lossOf(l, x, tt.n, r) }
			const eps, tol = 1e-3, 2e-3
			checkGrad(t, fmt.Sprintf("%s.Backward dx", tt.name), x, dx, f, eps, tol)
			for _, p := range l.Params() {
				checkGrad(t, fmt.Sprintf("%s.Backward d%s", tt.name, p.Name), p.W, append([]float32(nil), p.G...), f, eps, tol)
			}
		})
	}
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	const n = 3
	z := randn(rng, n*Classes, 2)
	labels := []byte{0, 7, 3}
	grad := make([]float32, len(z))
	const scale = 1.0 / n
	softmaxCrossEntropy(z, labels, n, scale, grad)
	f := func() float64 {
		l, _ := softmaxCrossEntropy(z, labels, n, 0, nil)
		return l * scale
	}
	checkGrad(t, "softmaxCrossEntropy grad", z, grad, f, 1e-3, 2e-3)

	// The loss itself: −log of the label's probability.
	p := make([]float32, Classes)
	softmax(p, z[:Classes])
	loss, _ := softmaxCrossEntropy(z[:Classes], labels[:1], 1, 0, nil)
	if want := -math.Log(float64(p[0])); !closeTo(loss, want, 1e-5) {
		t.Errorf("softmaxCrossEntropy(z) = %v, want −log p = %v", loss, want)
	}
}

// TestModelGradient checks whole chains (conv, fused ReLU + pool, conv with stride,
// flatten, dense, softmax cross-entropy) on a small batch: every parameter gradient
// against central differences of the mean loss.
func TestModelGradient(t *testing.T) {
	specs := []Spec{
		{Name: "pool 2", Input: Shape{1, 8, 8}, Layers: []LayerSpec{
			{Type: "conv", Filters: 3, Kernel: 3, Pad: 1},
			{Type: "relu"},
			{Type: "maxpool", Size: 2},
			{Type: "conv", Filters: 4, Kernel: 3, Stride: 2, Pad: 1},
			{Type: "relu"},
			{Type: "flatten"},
			{Type: "dense", Units: 6},
			{Type: "relu"},
			{Type: "dense", Units: Classes},
		}},
		{Name: "pool 3 stride 2", Input: Shape{1, 10, 10}, Layers: []LayerSpec{
			{Type: "conv", Filters: 3, Kernel: 3},
			{Type: "relu"},
			{Type: "maxpool", Size: 3, Stride: 2},
			{Type: "flatten"},
			{Type: "dense", Units: Classes},
		}},
	}
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) { checkModelGradient(t, spec) })
	}
}

func checkModelGradient(t *testing.T, spec Spec) {
	m, err := NewModel(spec, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	const n = 3
	in := spec.Input.Size()
	x := make([]float32, n*in)
	for i := range x {
		x[i] = rng.Float32()
	}
	labels := []byte{1, 4, 9}
	grad := make([]float32, n*Classes)
	loss := func() float64 {
		out := forward(m.layers, x, n)
		l, _ := softmaxCrossEntropy(out, labels, n, 0, nil)
		return l / n
	}
	out := forward(m.layers, x, n)
	softmaxCrossEntropy(out, labels, n, 1.0/n, grad)
	backward(m.layers, grad)
	// A weight perturbation may move a ReLU or pool input across its kink; allow a few
	// such values but no systematic error.
	const eps = 1e-3
	bad, total := 0, 0
	for _, p := range m.params() {
		for i := range p.W {
			old := p.W[i]
			p.W[i] = old + eps
			up := loss()
			p.W[i] = old - eps
			down := loss()
			p.W[i] = old
			num := (up - down) / (2 * eps)
			total++
			if !closeTo(float64(p.G[i]), num, 5e-3) {
				bad++
				t.Logf("d%s[%d] = %v, central difference %v", p.Name, i, p.G[i], num)
			}
		}
	}
	if bad > total/100 {
		t.Errorf("%d of %d parameter gradients differ from central differences", bad, total)
	}
}
