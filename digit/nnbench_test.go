package digit_test

import (
	"bytes"
	"image/png"
	"os"
	"slices"
	"testing"
	"time"

	"convscope/digit"
	"convscope/nn"
)

// BenchmarkPredict280PNG is the work of one prediction request without HTTP: prepare a
// 280×280 drawing-pad PNG, encode its steps for JSON, and trace the default net on it.
// It reports the median (p50) time of one request besides the mean.
func BenchmarkPredict280PNG(b *testing.B) {
	_, test, err := nn.LoadMNIST(os.DirFS("../samples"), "mnist")
	if err != nil {
		b.Skipf("MNIST not available: %v", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, digit.Rerender(test.Image(0), 20, -10, true)); err != nil {
		b.Fatal(err)
	}
	m, err := nn.NewModel(nn.DefaultSpec(), 1)
	if err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		r, err := digit.Prepare(data, digit.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		_ = r.StepImages()
		_ = m.Trace(r.Input)
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
}
