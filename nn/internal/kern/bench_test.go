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

// BenchmarkVector runs the vector loops on one conv layer's worth of data.
func BenchmarkVector(b *testing.B) {
	saved := impl
	defer func() { impl = saved }()
	r := rand.New(rand.NewPCG(2, 2))
	const n = 10 * 9216
	x, y := randSlice(r, n), randSlice(r, n)
	for _, k := range available() {
		b.Run(k.name+"/Axpy", func(b *testing.B) {
			impl = k
			b.ReportAllocs()
			b.SetBytes(4 * n)
			for b.Loop() {
				Axpy(y, x, 1e-3)
			}
		})
		b.Run(k.name+"/Dot", func(b *testing.B) {
			impl = k
			b.ReportAllocs()
			b.SetBytes(4 * n)
			for b.Loop() {
				Dot(x, y)
			}
		})
	}
}
