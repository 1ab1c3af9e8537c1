package filters

import (
	"math/rand/v2"
	"testing"
)

// benchDigit is a synthetic 28×28 "digit": a ring and a stroke, 0..1.
func benchDigit() []float32 {
	img := make([]float32, 28*28)
	for y := range 28 {
		for x := range 28 {
			dx, dy := float32(x-14), float32(y-11)
			if r := dx*dx + dy*dy; r > 25 && r < 49 {
				img[y*28+x] = 1
			}
			if x >= 18 && x <= 20 && y >= 11 && y <= 24 {
				img[y*28+x] = 0.8
			}
		}
	}
	return img
}

// BenchmarkApplyBank applies the whole comparison set (lesson, Sobel, LMDigit: 52
// filters) to one 28×28 digit, as the server does for the edge view.
func BenchmarkApplyBank(b *testing.B) {
	img, bank := benchDigit(), Bank()
	b.ReportAllocs()
	for b.Loop() {
		ApplyBank(img, 28, 28, bank)
	}
}

// BenchmarkApplyOneByOne is the same work through Apply, filter by filter.
func BenchmarkApplyOneByOne(b *testing.B) {
	img, bank := benchDigit(), Bank()
	out := make([]float32, 28*28)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range bank {
			ApplyTo(out, img, 28, 28, f)
		}
	}
}

// BenchmarkMatchAll matches 32 learned 5×5 filters against the comparison set, through
// the package-level cache, as the server does several times a second.
func BenchmarkMatchAll(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	learned := make([][]float32, 32)
	for i := range learned {
		learned[i] = make([]float32, 25)
		for j := range learned[i] {
			learned[i][j] = float32(rng.NormFloat64())
		}
	}
	bank := Bank()
	MatchAll(learned, 5, bank)
	b.ReportAllocs()
	for b.Loop() {
		MatchAll(learned, 5, bank)
	}
}
