package kern

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// reportFLOPs reports GFLOP/s over wall time and, where the system measures it, over the
// CPU time of the benchmark's thread since start (cpu-GFLOP/s).
func reportFLOPs(b *testing.B, flopPerOp float64, start func() (float64, bool)) {
	b.Helper()
	total := flopPerOp * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu, ok := start(); ok && cpu > 0 {
		b.ReportMetric(total/cpu/1e9, "cpu-GFLOP/s")
	}
}

// cpuClock starts measuring the CPU time of the calling goroutine's thread; the goroutine
// must stay locked to its thread until the returned function is called.
func cpuClock() func() (float64, bool) {
	t0, ok := threadCPU()
	return func() (float64, bool) {
		t1, ok1 := threadCPU()
		return (t1 - t0).Seconds(), ok && ok1
	}
}

// BenchmarkGemm runs every conv and dense product of the lesson's pyramid net and the
// default net (per worker, batch 16) on every implementation and reports GFLOP/s.
func BenchmarkGemm(b *testing.B) {
	saved := impl
	defer func() { impl = saved }()
	r := rand.New(rand.NewPCG(1, 1))
	for _, k := range available() {
		for _, s := range convShapes {
			o := ops[s.o]
			a, bm, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), randSlice(r, s.m*s.n)
			b.Run(k.name+"/"+s.name, func(b *testing.B) {
				impl = k
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				b.ReportAllocs()
				o.fn(c, a, bm, s.m, s.k, s.n, true) // warm the caches and the pool
				clock := cpuClock()
				for b.Loop() {
					o.fn(c, a, bm, s.m, s.k, s.n, true)
				}
				reportFLOPs(b, 2*float64(s.m)*float64(s.k)*float64(s.n), clock)
			})
		}
	}
}

// BenchmarkVector runs the vector loops on one conv layer's worth of data (10 channels of
// a 16-image batch of 24×24 maps) on every implementation.
func BenchmarkVector(b *testing.B) {
	saved := impl
	defer func() { impl = saved }()
	r := rand.New(rand.NewPCG(2, 2))
	const n = 10 * 9216
	x, y, z, u := randSlice(r, n), randSlice(r, n), randSlice(r, n), randSlice(r, n)
	for i := range u {
		u[i] *= u[i]
	}
	bias := randSlice(r, 10)
	loops := []struct {
		name string
		f    func()
	}{
		{"Axpy", func() { Axpy(y, x, 1e-3) }},
		{"Dot", func() { Dot(x, y) }},
		{"Relu", func() { Relu(z, x) }},
		{"ReluBackward", func() { ReluBackward(z, y, x) }},
		{"Scale", func() { Scale(z, 0.999) }},
		{"AddBias", func() { AddBias(z, bias, n/10) }},
		{"SumRows", func() { SumRows(bias, x, n/10) }},
		{"AdamStep", func() { AdamStep(z, x, y, u, 1e-3, 0.9, 0.999, 1e-8, 0.5, 0.01, 0) }},
		{"MomentumStep", func() { MomentumStep(z, x, y, 1e-3, 0.9, 0) }},
	}
	for _, k := range available() {
		for _, l := range loops {
			b.Run(k.name+"/"+l.name, func(b *testing.B) {
				impl = k
				b.ReportAllocs()
				b.SetBytes(4 * n)
				for b.Loop() {
					l.f()
				}
			})
		}
	}
}
