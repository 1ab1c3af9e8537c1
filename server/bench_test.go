package server

import (
	"testing"
	"time"

	"convscope/nn"
)

// BenchmarkVisualTick is the snapshot goroutine's work for one visual tick of the default
// net: filters and activations frames (encoded once for every viewer), plus the matches.
func BenchmarkVisualTick(b *testing.B) {
	m, err := nn.NewModel(nn.DefaultSpec(), 1)
	if err != nil {
		b.Fatal(err)
	}
	r := newRenderer(modelInfo(m))
	pub := &published{m: m.Clone()}
	ps := probeState{input: make([]float32, 28*28)}
	for i := range ps.input {
		ps.input[i] = float32(i%7) / 7
	}
	b.ReportAllocs()
	var bytes int
	for b.Loop() {
		now := time.Now()
		f, _ := r.filters(pub, now)
		a, _ := r.activations(pub, ps, now)
		mt, _ := r.matches(pub, now)
		bytes = len(f.data) + len(a.data) + len(mt.data)
	}
	b.ReportMetric(float64(bytes), "bytes/tick")
}

// BenchmarkClone is what the training goroutine pays per visual tick when somebody watches.
func BenchmarkClone(b *testing.B) {
	m, err := nn.NewModel(nn.DefaultSpec(), 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Clone()
	}
}
