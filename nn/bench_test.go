package nn

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// trainFLOPs estimates the multiply-adds ×2 of one training sample: forward, weight
// gradient and input gradient of every conv and dense layer (no input gradient for the
// first layer).
func trainFLOPs(m *Model) float64 {
	var f float64
	for i, info := range m.infos {
		var fwd float64
		switch info.Type {
		case "conv":
			k := info.Spec.Kernel
			fwd = 2 * float64(info.Out.Size()*info.In.C*k*k)
		case "dense":
			fwd = 2 * float64(info.In.Size()*info.Out.Size())
		default:
			continue
		}
		f += 2 * fwd
		if i > 0 {
			f += fwd
		}
	}
	return f
}

var benchMicro = flag.Int("micro", 0, "micro-batch size for BenchmarkTrain (0: the default)")

func BenchmarkTrain(b *testing.B) {
	if *benchMicro > 0 {
		defer func(m int) { microBatch = m }(microBatch)
		microBatch = *benchMicro
	}
	train, test := loadTestMNIST(b)
	// default-plain is the default net without augmentation: the difference from
	// default is what Config.Augment costs.
	nets := []struct {
		name    string
		spec    Spec
		augment bool
	}{{"onecon", OneConvSpec(), true}, {"pyramid", PyramidSpec(), true}, {"default", DefaultSpec(), true},
		{"default-plain", DefaultSpec(), false}}
	for _, net := range nets {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", net.name, workers), func(b *testing.B) {
				m, err := NewModel(net.spec, 1)
				if err != nil {
					b.Fatal(err)
				}
				cfg := DefaultConfig()
				cfg.BatchSize, cfg.Workers, cfg.EvalEvery, cfg.Augment = 32, workers, 0, net.augment
				tr, err := NewTrainer(m, train, test, cfg)
				if err != nil {
					b.Fatal(err)
				}
				tr.startPool()
				defer tr.stopPool()
				tr.trainStep() // buffers grow on the first step
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime()
				for b.Loop() {
					tr.trainStep()
				}
				cpu := (cpuTime() - cpu0).Seconds()
				sec := b.Elapsed().Seconds()
				samples := float64(b.N * cfg.BatchSize)
				b.ReportMetric(samples/sec, "samples/s")
				b.ReportMetric(samples*trainFLOPs(m)/sec/1e9, "GFLOP/s")
				if cpu > 0 {
					// Throughput per second of CPU used: on a machine that others share,
					// the figure that does not depend on how much of it we were given.
					b.ReportMetric(samples/cpu, "samples/cpu-s")
				}
			})
		}
	}
}

func BenchmarkTrace(b *testing.B) {
	_, test := loadTestMNIST(b)
	for _, net := range []struct {
		name string
		spec Spec
	}{{"pyramid", PyramidSpec()}, {"default", DefaultSpec()}} {
		b.Run(net.name, func(b *testing.B) {
			m, err := NewModel(net.spec, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := test.Image(0)
			b.ReportAllocs()
			for b.Loop() {
				m.Trace(x)
			}
		})
	}
}

func BenchmarkLoadMNIST(b *testing.B) {
	fsys := os.DirFS("../samples")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := LoadMNIST(fsys, "mnist"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup is what stands between starting the app and its first training step:
// loading and checking the data, building the default net and its trainer.
func BenchmarkStartup(b *testing.B) {
	fsys := os.DirFS("../samples")
	b.ReportAllocs()
	for b.Loop() {
		train, test, err := LoadMNIST(fsys, "mnist")
		if err != nil {
			b.Fatal(err)
		}
		m, err := NewModel(DefaultSpec(), 1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewTrainer(m, train, test, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
