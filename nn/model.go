package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LayerInfo describes one layer of a model: its place, shapes and parameter count.
type LayerInfo struct {
	Index  int       `json:"index"`
	Type   string    `json:"type"`
	Name   string    `json:"name"` // e.g. "conv1", "relu1", "pool1", "dense"
	In     Shape     `json:"in"`
	Out    Shape     `json:"out"`
	Params int       `json:"params"`
	Spec   LayerSpec `json:"spec"` // with defaults filled in
}

// Param is one parameter array and its gradient accumulator, as handed to an optimizer.
// Decay says whether L2 weight decay applies (weights yes, biases no).
type Param struct {
	Name  string
	W, G  []float32
	Decay bool
}

// Layer is one step of a sequential model. Forward takes a batch of n samples and caches
// what Backward needs; Backward takes the gradient of the loss with respect to the output,
// adds the parameter gradients to the accumulators and returns the input gradient (nil
// for the model's first layer). The returned slices belong to the layer and stay valid
// until its next call.
type Layer interface {
	Info() LayerInfo
	Forward(x []float32, n int) []float32
	Backward(dy []float32) []float32
	Params() []Param
	// replica returns a layer that shares this one's parameter values but has its own
	// buffers and, if grads, its own gradient accumulators; fused says whether a ReLU and
	// the max-pool after it work as one (relu.go).
	replica(grads, fused bool) Layer
}

// Model is a sequential CNN built from a Spec. Its parameters live in the model; the
// layers it trains with share them. Its own layers run fused (relu.go).
type Model struct {
	spec   Spec
	infos  []LayerInfo
	layers []Layer // own gradient accumulators: the target of the per-step reduction
}

// NewModel builds the model a spec describes, with He-initialised weights drawn from a
// generator seeded with seed, and zero biases. A bad spec is an error.
func NewModel(spec Spec, seed int64) (*Model, error) {
	infos, err := spec.plan()
	if err != nil {
		return nil, fmt.Errorf("new model: %w", err)
	}
	m := build(spec, infos)
	m.init(seed)
	return m, nil
}

// build makes the layers of a planned spec with zero parameters.
func build(spec Spec, infos []LayerInfo) *Model {
	m := &Model{spec: cloneSpec(spec), infos: infos}
	flat := false
	for _, info := range infos {
		var l Layer
		switch info.Type {
		case "conv":
			l = newConv2D(info, make([]float32, info.Params-info.Out.C), make([]float32, info.Out.C), true)
		case "relu":
			next := info.Index+1 < len(infos) && infos[info.Index+1].Type == "maxpool"
			l = newReLU(info, next, true)
		case "maxpool":
			prev := info.Index > 0 && infos[info.Index-1].Type == "relu"
			l = newMaxPool2D(info, prev, true)
		case "flatten":
			l = newFlatten(info, flat)
			flat = true
		case "dense":
			l = newDense(info, make([]float32, info.Params-info.Out.C), make([]float32, info.Out.C), true)
		}
		m.layers = append(m.layers, l)
	}
	return m
}

// init draws every weight from N(0, 2/fan_in) (He et al., "Delving deep into
// rectifiers", 2015, for ReLU nets) and zeroes the biases. The first layer with weights
// draws from N(0, 1/fan_in): the factor 2 makes up for a ReLU before the layer, and the
// first layer sees the pixels themselves (He et al. §2.2 say so for l = 1). The smaller
// start leaves less random texture in the first-layer filters, which are the ones the
// class watches.
func (m *Model) init(seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636f6e7673636f70))
	gain := 1.0
	for _, l := range m.layers {
		ps := l.Params()
		if len(ps) == 0 {
			continue
		}
		w, b := ps[0].W, ps[1].W
		fanIn := len(w) / len(b)
		std := math.Sqrt(gain / float64(fanIn))
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
		clear(b)
		gain = 2
	}
}

func cloneSpec(s Spec) Spec {
	s.Layers = append([]LayerSpec(nil), s.Layers...)
	return s
}

// Spec returns the spec the model was built from.
func (m *Model) Spec() Spec { return cloneSpec(m.spec) }

// Layers describes every layer in order.
func (m *Model) Layers() []LayerInfo { return append([]LayerInfo(nil), m.infos...) }

// NumParams returns the number of trainable values.
func (m *Model) NumParams() int {
	n := 0
	for _, info := range m.infos {
		n += info.Params
	}
	return n
}

// params lists the model's parameters with its own gradient accumulators.
func (m *Model) params() []Param {
	var ps []Param
	for _, l := range m.layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Clone returns a deep copy of the spec and the parameters.
func (m *Model) Clone() *Model {
	c := build(m.spec, append([]LayerInfo(nil), m.infos...))
	dst := c.params()
	for i, p := range m.params() {
		copy(dst[i].W, p.W)
	}
	return c
}

// replica returns layers that share the model's parameters, with their own buffers and,
// if grads, their own gradient accumulators.
func (m *Model) replica(grads, fused bool) []Layer {
	r := make([]Layer, len(m.layers))
	for i, l := range m.layers {
		r[i] = l.replica(grads, fused)
	}
	return r
}

// forward runs layers on a batch and returns the last output.
func forward(layers []Layer, x []float32, n int) []float32 {
	for _, l := range layers {
		x = l.Forward(x, n)
	}
	return x
}

// backward runs the layers backwards from the gradient of the loss w.r.t. the output.
func backward(layers []Layer, dy []float32) {
	for i := len(layers) - 1; i >= 0 && dy != nil; i-- {
		dy = layers[i].Backward(dy)
	}
}

// Predict returns the Classes probabilities for one input x of C·H·W values in 0..1.
// It is safe for concurrent use as long as nobody trains this model at the same time.
func (m *Model) Predict(x []float32) []float32 {
	m.checkInput("Predict", x)
	out := forward(m.replica(false, true), x, 1)
	p := make([]float32, Classes)
	softmax(p, out)
	return p
}

// Trace is every layer's output for one input.
type Trace struct {
	Input   []float32
	Outputs []Activation // one per layer, in order
	Probs   []float32    // softmax of the last output
}

// Activation is one layer's output for one input: Data holds C·H·W values of Layer.Out,
// index (c·H + y)·W + x.
type Activation struct {
	Layer LayerInfo
	Data  []float32
}

// Trace runs one input through the model and keeps every layer's output. It is safe for
// concurrent use as long as nobody trains this model at the same time.
func (m *Model) Trace(x []float32) *Trace {
	m.checkInput("Trace", x)
	t := &Trace{Input: append([]float32(nil), x...), Outputs: make([]Activation, len(m.layers))}
	layers := m.replica(false, false)
	out := t.Input
	for i, l := range layers {
		out = l.Forward(out, 1)
		t.Outputs[i] = Activation{Layer: m.infos[i], Data: out}
	}
	t.Probs = make([]float32, Classes)
	softmax(t.Probs, out)
	return t
}

func (m *Model) checkInput(op string, x []float32) {
	if len(x) != m.spec.Input.Size() {
		panic(fmt.Sprintf("nn: Model.%s: len(x) = %d, want %v", op, len(x), m.spec.Input))
	}
}

// ConvFilters is one conv layer's weights, copied out.
type ConvFilters struct {
	Layer      LayerInfo
	Out, In, K int
	W          []float32 // Out*In*K*K, index ((o*In+i)*K+y)*K+x
	B          []float32 // Out
}

// ConvWeights returns a copy of the weights of every conv layer, in order.
func (m *Model) ConvWeights() []ConvFilters {
	var fs []ConvFilters
	for _, l := range m.layers {
		c, ok := l.(*Conv2D)
		if !ok {
			continue
		}
		fs = append(fs, ConvFilters{Layer: c.info, Out: c.out.C, In: c.in.C, K: c.k,
			W: append([]float32(nil), c.w...), B: append([]float32(nil), c.b...)})
	}
	return fs
}
