package nn

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func randomImage(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = rng.Float32()
	}
	return x
}

func TestTraceMatchesPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, spec := range []Spec{OneConvSpec(), PyramidSpec(), DefaultSpec()} {
		m, err := NewModel(spec, 3)
		if err != nil {
			t.Fatal(err)
		}
		x := randomImage(rng, 28*28)
		tr := m.Trace(x)
		p := m.Predict(x)
		if len(tr.Outputs) != len(m.Layers()) {
			t.Fatalf("%s: Trace gave %d outputs, want %d", spec.Name, len(tr.Outputs), len(m.Layers()))
		}
		for i, a := range tr.Outputs {
			if len(a.Data) != a.Layer.Out.Size() {
				t.Errorf("%s: Trace output %d (%s) has %d values, want %v", spec.Name, i, a.Layer.Name, len(a.Data), a.Layer.Out)
			}
			if a.Layer.Type == "relu" {
				for _, v := range a.Data {
					if v < 0 {
						t.Fatalf("%s: Trace output of %s holds %v < 0", spec.Name, a.Layer.Name, v)
					}
				}
			}
		}
		var sum float64
		for i := range p {
			sum += float64(p[i])
			if math.Abs(float64(p[i]-tr.Probs[i])) > 1e-6 {
				t.Errorf("%s: Predict(x)[%d] = %v, Trace(x).Probs[%d] = %v, want equal", spec.Name, i, p[i], i, tr.Probs[i])
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("%s: Predict probabilities sum to %v, want 1", spec.Name, sum)
		}
	}
}

// TestTraceIsPerSampleNCHW checks that a batched, channel-major forward pass agrees with
// single-sample traces, sample by sample and layer by layer.
func TestTraceIsPerSampleNCHW(t *testing.T) {
	m, err := NewModel(PyramidSpec(), 9)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 3
	xs := randomImage(rng, n*784)
	layers := m.replica(false, false)
	batch := make([][]float32, len(layers))
	x := xs
	for i, l := range layers {
		x = l.Forward(x, n)
		batch[i] = x
	}
	for s := 0; s < n; s++ {
		tr := m.Trace(xs[s*784 : (s+1)*784])
		for i, a := range tr.Outputs {
			out := a.Layer.Out
			var got []float32
			if out.H == 1 && out.W == 1 && a.Layer.Type != "conv" {
				got = batch[i][s*out.C : (s+1)*out.C]
			} else {
				got = toNCHW(batch[i], n, out.C, out.H*out.W)[s*out.Size() : (s+1)*out.Size()]
			}
			for j := range got {
				if math.Abs(float64(got[j]-a.Data[j])) > 1e-5 {
					t.Fatalf("%s output, sample %d, value %d: batch %v, Trace %v", a.Layer.Name, s, j, got[j], a.Data[j])
				}
			}
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	m, err := NewModel(PyramidSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	if !reflect.DeepEqual(c.ConvWeights(), m.ConvWeights()) {
		t.Fatal("Clone().ConvWeights() differ from the original's")
	}
	m.params()[0].W[0] += 1
	if c.params()[0].W[0] == m.params()[0].W[0] {
		t.Error("changing the original's weights changed the clone's")
	}
	if !reflect.DeepEqual(c.Spec(), m.Spec()) {
		t.Errorf("Clone().Spec() = %+v, want %+v", c.Spec(), m.Spec())
	}
}

func TestConvWeights(t *testing.T) {
	m, err := NewModel(PyramidSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cw := m.ConvWeights()
	if len(cw) != 2 {
		t.Fatalf("ConvWeights() gave %d layers, want 2", len(cw))
	}
	want := [][3]int{{10, 1, 5}, {20, 10, 5}}
	for i, f := range cw {
		if got := [3]int{f.Out, f.In, f.K}; got != want[i] || len(f.W) != f.Out*f.In*f.K*f.K || len(f.B) != f.Out {
			t.Errorf("ConvWeights()[%d] = %v with %d weights, %d biases; want %v", i, got, len(f.W), len(f.B), want[i])
		}
	}
	// A copy: writing to it leaves the model alone.
	cw[0].W[0] = 42
	if m.ConvWeights()[0].W[0] == 42 {
		t.Error("ConvWeights() shares memory with the model")
	}
}

func TestSameSeedSameWeights(t *testing.T) {
	a, _ := NewModel(DefaultSpec(), 11)
	b, _ := NewModel(DefaultSpec(), 11)
	c, _ := NewModel(DefaultSpec(), 12)
	if !reflect.DeepEqual(a.ConvWeights(), b.ConvWeights()) {
		t.Error("NewModel with the same seed gave different weights")
	}
	if reflect.DeepEqual(a.ConvWeights(), c.ConvWeights()) {
		t.Error("NewModel with different seeds gave the same weights")
	}
}
