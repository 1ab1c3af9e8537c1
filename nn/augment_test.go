package nn

import (
	"bytes"
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

// TestWarpExact: the identity resamples a digit to exactly its scaled bytes, and a
// whole-pixel shift moves it by that many pixels, filling the border with background.
func TestWarpExact(t *testing.T) {
	train, _ := loadTestMNIST(t)
	hw := train.H * train.W
	src := train.Images[:hw]
	want := train.Image(0)
	got := make([]float32, hw)
	warp(got, src, train.H, train.W, affine{a: 1, e: 1})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warp(identity) differs from Image(0)")
	}
	// Output (x, y) samples source (x−2, y+1): the digit moves 2 right and 1 up.
	warp(got, src, train.H, train.W, affine{a: 1, c: -2, e: 1, f: 1})
	for y := range train.H {
		for x := range train.W {
			var w float32
			if sx, sy := x-2, y+1; sx >= 0 && sy < train.H {
				w = want[sy*train.W+sx]
			}
			if g := got[y*train.W+x]; g != w {
				t.Fatalf("shifted warp at (%d,%d) = %v, want %v", x, y, g, w)
			}
		}
	}
}

// TestWarpBilinear: half a pixel between two source pixels gives their mean.
func TestWarpBilinear(t *testing.T) {
	src := []byte{0, 100, 200, 0}
	got := make([]float32, 4)
	warp(got, src, 2, 2, affine{a: 1, c: 0.5, e: 1, f: 0.5})
	// (0,0) samples (0.5,0.5): the mean of all four; the others reach past the border,
	// where the background is 0: (1.5,0.5) is a quarter of 100, (0.5,1.5) a quarter of
	// 200 and (1.5,1.5) a quarter of src (1,1) = 0.
	want := []float32{75.0 / 255, 25.0 / 255, 50.0 / 255, 0}
	for i := range got {
		if !closeTo(float64(got[i]), float64(want[i]), 1e-6) {
			t.Errorf("warp half-pixel [%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// warpRef is warp written plainly, in float64: each output pixel the weighted sum of the
// four source pixels around the position it samples.
func warpRef(src []byte, h, w int, t affine) []float64 {
	out := make([]float64, h*w)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0
		}
		return float64(src[y*w+x]) / 255
	}
	for y := range h {
		for x := range w {
			sx := float64(t.a)*float64(x) + float64(t.b)*float64(y) + float64(t.c)
			sy := float64(t.d)*float64(x) + float64(t.e)*float64(y) + float64(t.f)
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			out[y*w+x] = (1-fx)*(1-fy)*at(x0, y0) + fx*(1-fy)*at(x0+1, y0) +
				(1-fx)*fy*at(x0, y0+1) + fx*fy*at(x0+1, y0+1)
		}
	}
	return out
}

// TestWarpMatchesReference: random transforms of MNIST digits agree with warpRef.
func TestWarpMatchesReference(t *testing.T) {
	train, _ := loadTestMNIST(t)
	hw := train.H * train.W
	got := make([]float32, hw)
	for i := range 200 {
		src := train.Images[i*hw : (i+1)*hw]
		tr := randomAffine(3, int64(i), train.H, train.W)
		warp(got, src, train.H, train.W, tr)
		want := warpRef(src, train.H, train.W, tr)
		for j := range got {
			if math.Abs(float64(got[j])-want[j]) > 1e-4 {
				t.Fatalf("digit %d: warp(%+v) at (%d,%d) = %v, want %v", i, tr, j%train.W, j/train.W, got[j], want[j])
			}
		}
	}
}

// massCentroid returns the total ink of a 28×28 image and its centre of mass.
func massCentroid(img []float32, w int) (mass, cx, cy float64) {
	for i, v := range img {
		mass += float64(v)
		cx += float64(v) * float64(i%w)
		cy += float64(v) * float64(i/w)
	}
	return mass, cx / mass, cy / mass
}

// TestAugmentKeepsDigit: a random transform keeps a digit's ink (scale 0.9–1.1 changes
// its area by 0.81–1.21) and its place (shift ≤ 2 px, plus what rotation and scale
// about the centre do to a centre of mass that MNIST put near it), but changes it.
func TestAugmentKeepsDigit(t *testing.T) {
	train, _ := loadTestMNIST(t)
	hw := train.H * train.W
	got := make([]float32, hw)
	changed := 0
	const n = 500
	for i := range n {
		orig := train.Image(i)
		warp(got, train.Images[i*hw:(i+1)*hw], train.H, train.W, randomAffine(7, int64(i), train.H, train.W))
		m0, x0, y0 := massCentroid(orig, train.W)
		m1, x1, y1 := massCentroid(got, train.W)
		if r := m1 / m0; r < 0.75 || r > 1.3 {
			t.Errorf("digit %d: ink ×%.3f after the transform, want 0.75..1.3", i, r)
		}
		if dx, dy := x1-x0, y1-y0; math.Abs(dx) > 3.5 || math.Abs(dy) > 3.5 {
			t.Errorf("digit %d: centre of mass moved (%.2f, %.2f) px, want ≤ 3.5 each way", i, dx, dy)
		}
		diff := 0.0
		for j := range got {
			diff += math.Abs(float64(got[j] - orig[j]))
		}
		if diff > 0.05*m0 {
			changed++
		}
	}
	if changed < n*9/10 {
		t.Errorf("only %d of %d digits changed by more than 5%% of their ink", changed, n)
	}
}

// TestAugmentDeterministic: a training sample's transform follows from the seed and its
// position in the stream of samples: the same again, another at the next step or with
// another seed.
func TestAugmentDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers = 1
	tr := smallTrainer(t, PyramidSpec(), cfg)
	w := tr.ws[0]
	idx := []int32{3}
	input := func(key augmentKey) []float32 {
		w.forward(tr.train, idx, 0, 1, key)
		return append([]float32(nil), w.x...)
	}
	a := input(augmentKey{on: true, seed: 1, first: 64})
	if b := input(augmentKey{on: true, seed: 1, first: 64}); !reflect.DeepEqual(a, b) {
		t.Error("the same seed and sample number gave two different inputs")
	}
	if b := input(augmentKey{on: true, seed: 1, first: 96}); reflect.DeepEqual(a, b) {
		t.Error("the same digit a step later was transformed the same way")
	}
	if b := input(augmentKey{on: true, seed: 2, first: 64}); reflect.DeepEqual(a, b) {
		t.Error("seeds 1 and 2 transformed a digit the same way")
	}
	if b := input(augmentKey{}); !reflect.DeepEqual(b, tr.train.Image(3)) {
		t.Error("without augmentation the input is not the digit as stored")
	}
}

// TestAugmentReachesTraining: with Augment the weights after a few steps differ from
// those without it.
func TestAugmentReachesTraining(t *testing.T) {
	var ws [][][]float32
	for _, on := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Workers, cfg.Augment = 2, on
		tr := smallTrainer(t, PyramidSpec(), cfg)
		trainSteps(tr, 3)
		ws = append(ws, weights(tr.m))
	}
	if reflect.DeepEqual(ws[0], ws[1]) {
		t.Error("training with and without augmentation gave the same weights")
	}
}

// TestOldCheckpointLoads: a checkpoint written before Config had Augment (a tiny net,
// trained 5 steps) restores with augmentation off, as it was trained, and trains on.
func TestOldCheckpointLoads(t *testing.T) {
	train, test := loadTestMNIST(t)
	tr, extra, err := RestoreTrainer(filepath.Join("testdata", "v1-no-augment.ckpt"), train.Subset(512), test.Subset(200))
	if err != nil {
		t.Fatalf("RestoreTrainer(old file): %v", err)
	}
	if !bytes.Equal(extra, []byte("old")) {
		t.Errorf("extra = %q, want %q", extra, "old")
	}
	p := tr.Progress()
	if p.Step != 5 || p.Config.Augment || p.Config.BatchSize != 16 {
		t.Errorf("restored step %d, augment %v, batch %d; want 5, false, 16", p.Step, p.Config.Augment, p.Config.BatchSize)
	}
	trainSteps(tr, 2)
	if got := tr.Progress().Step; got != 7 {
		t.Errorf("after 2 more steps: step %d, want 7", got)
	}
}

// BenchmarkAugment is the cost of drawing one training digit through its random
// transform (the part of a training step that Config.Augment adds, per sample).
func BenchmarkAugment(b *testing.B) {
	train, _ := loadTestMNIST(b)
	hw := train.H * train.W
	dst := make([]float32, hw)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % train.N
		warp(dst, train.Images[k*hw:(k+1)*hw], train.H, train.W, randomAffine(1, int64(i), train.H, train.W))
		i++
	}
}
