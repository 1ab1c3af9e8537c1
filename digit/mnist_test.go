package digit

import (
	"testing"
)

// TestPrepareMNISTRerendered: an MNIST test digit drawn 10× larger and off-centre on a
// 280×280 canvas, in either polarity, prepares back to (nearly) the original digit.
func TestPrepareMNISTRerendered(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 10
	}
	images, _ := mnist(t, n)
	var sum, worst float64 = 0, 1
	for i, d := range images {
		orig := make([]float32, len(d))
		for j, v := range d {
			orig[j] = float32(v) / 255
		}
		dx, dy := (i*37)%81-40, (i*53)%81-40 // up to 40 px (4 MNIST pixels) off-centre
		r := prepare(t, encodePNG(t, rerender(d, dx, dy, i%2 == 1)))
		c := correlation(r.Input, orig)
		sum += c
		worst = min(worst, c)
		if c < 0.6 {
			t.Errorf("MNIST test digit %d shifted (%d, %d): correlation %.3f with the original, want ≥ 0.6", i, dx, dy, c)
		}
	}
	if mean := sum / float64(len(images)); mean < 0.88 {
		t.Errorf("mean correlation with the originals = %.3f (worst %.3f), want ≥ 0.88", mean, worst)
	}
	t.Logf("%d digits: mean correlation %.3f, worst %.3f", len(images), sum/float64(len(images)), worst)
}
