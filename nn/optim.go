package nn

import "math"

// optimizer updates parameters from their gradients. Its state arrays are parallel to
// the parameter list it was made for. A step is begin once, then update on parts of
// every parameter array, which may run concurrently on disjoint parts.
type optimizer interface {
	name() string
	// begin starts a step with learning rate lr and weight decay wd, added to the
	// gradient as L2 or, if decoupled, applied to the weights directly.
	begin(lr, wd float64, decoupled bool)
	// update applies the step to values [lo, hi) of parameter i.
	update(i int, p Param, lo, hi int)
	// state returns the state arrays, for checkpoints, and the step count.
	state() ([][]float32, int64)
	setStep(t int64)
}

func newOptimizer(name string, ps []Param, momentum float64) optimizer {
	st := func() [][]float32 {
		s := make([][]float32, len(ps))
		for i, p := range ps {
			s[i] = make([]float32, len(p.W))
		}
		return s
	}
	if name == "sgd" {
		return &sgd{mu: float32(momentum), v: st()}
	}
	return &adam{b1: 0.9, b2: 0.999, eps: 1e-8, m: st(), v: st()}
}

// sgd is SGD with momentum. With L2 decay: v = μ·v + g + wd·w; w −= lr·v. With
// decoupled decay (Loshchilov & Hutter's SGDW): v = μ·v + g; w −= lr·v + lr·wd·w.
type sgd struct {
	mu, lr float32
	wd, dw float32 // L2 decay (into v) and decoupled decay (lr·wd, onto w); one is 0
	v      [][]float32
}

func (o *sgd) name() string                { return "sgd" }
func (o *sgd) state() ([][]float32, int64) { return o.v, 0 }
func (o *sgd) setStep(int64)               {}
func (o *sgd) begin(lr, wd float64, decoupled bool) {
	o.lr, o.wd, o.dw = float32(lr), float32(wd), 0
	if decoupled {
		o.wd, o.dw = 0, float32(lr*wd)
	}
}
func (o *sgd) update(i int, p Param, lo, hi int) {
	w := p.W[lo:hi]
	g, v := p.G[lo:hi], o.v[i][lo:hi]
	g, v = g[:len(w)], v[:len(w)]
	d, k := float32(0), float32(1)
	if p.Decay {
		d, k = o.wd, 1-o.dw
	}
	for j := range w {
		v[j] = flush(o.mu*v[j] + g[j] + d*w[j])
		w[j] = k*w[j] - o.lr*v[j]
	}
}

// adam is Adam (Kingma & Ba) with weight decay in one of two ways. As L2 decay it is
// added to the gradient:
// g' = g + wd·w; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
// w −= lr·m̂ / (√v̂ + ε) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
// Then the decay, like the gradient, is divided by √v̂, so it pulls hard on weights whose
// gradients are small and hardly at all on the rest. Decoupled (AdamW, Loshchilov &
// Hutter, "Decoupled weight decay regularization", 2019, as PyTorch's AdamW does it), the
// moments see only g and every weight shrinks by the same fraction lr·wd per step:
// w = (1 − lr·wd)·w − lr·m̂ / (√v̂ + ε).
type adam struct {
	b1, b2, eps float64
	t           int64
	step, e     float32 // this step's folded step size and ε
	wd, dw      float32 // L2 decay (into g) and decoupled decay (lr·wd, onto w); one is 0
	m, v        [][]float32
}

func (o *adam) name() string { return "adam" }
func (o *adam) state() ([][]float32, int64) {
	return append(append([][]float32(nil), o.m...), o.v...), o.t
}
func (o *adam) setStep(t int64) { o.t = t }

// begin folds the bias corrections into the step size and ε:
// lr·m̂/(√v̂+ε) = (lr·√c2/c1)·m/(√v + ε·√c2) with c1 = 1−β1ᵗ, c2 = 1−β2ᵗ.
func (o *adam) begin(lr, wd float64, decoupled bool) {
	o.t++
	c1 := 1 - math.Pow(o.b1, float64(o.t))
	c2 := 1 - math.Pow(o.b2, float64(o.t))
	o.step = float32(lr * math.Sqrt(c2) / c1)
	o.e = float32(o.eps * math.Sqrt(c2))
	o.wd, o.dw = float32(wd), 0
	if decoupled {
		o.wd, o.dw = 0, float32(lr*wd)
	}
}

func (o *adam) update(i int, p Param, lo, hi int) {
	b1, b2, step, eps := float32(o.b1), float32(o.b2), o.step, o.e
	w := p.W[lo:hi]
	g, m, v := p.G[lo:hi], o.m[i][lo:hi], o.v[i][lo:hi]
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	d, k := float32(0), float32(1)
	if p.Decay {
		d, k = o.wd, 1-o.dw
	}
	for j := range w {
		gj := g[j] + d*w[j]
		mj := flush(b1*m[j] + (1-b1)*gj)
		vj := flush(b2*v[j] + (1-b2)*gj*gj)
		m[j], v[j] = mj, vj
		w[j] = k*w[j] - step*mj/(float32(math.Sqrt(float64(vj)))+eps)
	}
}

// flush returns 0 for a subnormal x and x otherwise. The moments of a parameter whose
// gradient stays 0 (a dead ReLU's weights) decay geometrically into the subnormal range,
// where every operation on them is many times slower.
func flush(x float32) float32 {
	b := math.Float32bits(x)
	// The mask is all ones exactly when the exponent bits are 0 (0 − 1 wraps to −1).
	return math.Float32frombits(b &^ uint32(int32((b&0x7f800000)-1)>>31))
}
