package digit

import "testing"

// reportCPU adds the process's CPU time per operation since start to b's results: on a
// busy machine it says what an operation costs better than wall time does.
func reportCPU(b *testing.B, start int64) {
	if c := cpuTime(); c > 0 && b.N > 0 {
		b.ReportMetric(float64(c-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkPrepare280PNG prepares a 280×280 RGBA PNG with a transparent background, as the
// drawing pad sends it.
func BenchmarkPrepare280PNG(b *testing.B) {
	images, _ := mnist(b, 1)
	data := encodePNG(b, toNRGBA(rerender(images[0], 20, -10, false), colorBlack))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	start := cpuTime()
	for b.Loop() {
		if _, err := Prepare(data, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkPreparePhoto prepares a 4000×3000 JPEG, the size of a phone photo.
func BenchmarkPreparePhoto(b *testing.B) {
	data := encodeJPEG(b, canvas(seven, 4000, 3000, 1500, 900, 1200, 40, 230))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Prepare(data, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkStepImages encodes the steps of a prepared drawing-pad PNG for JSON.
func BenchmarkStepImages(b *testing.B) {
	images, _ := mnist(b, 1)
	r := prepare(b, encodePNG(b, toNRGBA(rerender(images[0], 20, -10, false), colorBlack)))
	b.ReportAllocs()
	n := 0
	start := cpuTime()
	for b.Loop() {
		n = 0
		for _, s := range r.StepImages() {
			n += len(s.PNG)
		}
	}
	reportCPU(b, start)
	b.ReportMetric(float64(n), "bytes/result")
}
