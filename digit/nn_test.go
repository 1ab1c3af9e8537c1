package digit_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"testing"

	"convscope/digit"
	"convscope/nn"
)

// trained returns the lesson's pyramid net after one pass over the first n training
// digits: cheap enough for -race, good enough to tell digits apart.
func trained(t *testing.T, train, test *nn.Dataset, n int) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(nn.PyramidSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := nn.DefaultConfig()
	cfg.BatchSize, cfg.EvalSubset, cfg.EvalEvery = 32, 0, 0
	tr, err := nn.NewTrainer(m, train.Subset(n), test.Subset(100), cfg)
	if err != nil {
		t.Fatal(err)
	}
	steps := int64((n + cfg.BatchSize - 1) / cfg.BatchSize)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.SetOnStep(func(_ *nn.Model, p nn.Progress) {
		if p.Step >= steps {
			cancel()
		}
	})
	if err := tr.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPreparedDigitsClassify: MNIST test digits re-rendered large, off-centre and in
// either polarity, then prepared, are classified as well as the originals by a net
// trained briefly on MNIST.
func TestPreparedDigitsClassify(t *testing.T) {
	train, test, err := nn.LoadMNIST(os.DirFS("../samples"), "mnist")
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	n, k := 6000, 200
	if testing.Short() {
		n, k = 2000, 50
	}
	m := trained(t, train, test, n)
	var onOrig, onPrepared, agree int
	for i := 0; i < k; i++ {
		x := test.Image(i)
		var b bytes.Buffer
		if err := png.Encode(&b, digit.Rerender(x, (i*37)%81-40, (i*53)%81-40, i%2 == 0)); err != nil {
			t.Fatal(err)
		}
		r, err := digit.Prepare(b.Bytes(), digit.DefaultLimits())
		if err != nil {
			t.Fatalf("Prepare(test digit %d): %v", i, err)
		}
		po, pp := nn.Argmax(m.Predict(x)), nn.Argmax(m.Predict(r.Input))
		label := int(test.Labels[i])
		if po == label {
			onOrig++
		}
		if pp == label {
			onPrepared++
		}
		if po == pp {
			agree++
		}
	}
	t.Logf("%d test digits: %d right as MNIST gave them, %d right re-rendered and prepared, %d the same class", k, onOrig, onPrepared, agree)
	if onOrig < k*7/10 {
		t.Fatalf("the briefly trained net gets only %d/%d original test digits right: too weak to compare", onOrig, k)
	}
	if onPrepared < onOrig-k/20 || agree < k*85/100 {
		t.Errorf("prepared re-renderings: %d/%d right (originals %d/%d), %d/%d the same class as the original: want within 5 points and ≥ 85%% the same",
			onPrepared, k, onOrig, k, agree, k)
	}
}

// TestFontSet: the committed set of font-rendered digits loads and prepares, every digit
// is there in both polarities.
func TestFontSet(t *testing.T) {
	set, err := digit.LoadSet(os.DirFS("testdata"), "fonts")
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < 300 {
		t.Fatalf("LoadSet gave %d images, want ≥ 300", len(set))
	}
	var count [10]int
	for _, s := range set {
		count[s.Label]++
		if len(s.Input) != digit.Side*digit.Side {
			t.Fatalf("%s: len(Input) = %d", s.Name, len(s.Input))
		}
	}
	for d, c := range count {
		if c < len(set)/20 {
			t.Errorf("digit %d: %d images of %d, want about a tenth", d, c, len(set))
		}
	}
}
