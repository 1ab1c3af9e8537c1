package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"convscope/digit"
	"convscope/nn"
	"convscope/nn/filters"
)

// run is one net to train and the accuracy it must reach.
type run struct {
	name   string
	spec   nn.Spec
	cfg    nn.Config
	epochs int           // stop after this many epochs, or
	budget time.Duration // after this much wall time since the start of the run
	bar    float64
	probe  bool // keep a copy of the net after its first epoch for the font set and filters
}

// fontBar is the accuracy the default net must reach on the font-rendered digits after
// one epoch.
const fontBar = 0.95

// lessonConfig is how the lesson's nets are trained: Adam with a learning rate that falls
// linearly over the epoch (see anneal), on the digits as they are (no augmentation), without
// weight decay.
func lessonConfig(lr float64, batch int) nn.Config {
	cfg := nn.DefaultConfig()
	cfg.LR, cfg.LRDecay, cfg.BatchSize, cfg.EvalEvery, cfg.Augment = lr, 1, batch, 0, false
	cfg.WeightDecay, cfg.DecoupledDecay = 0, false
	return cfg
}

func main() {
	data := flag.String("data", "samples", "folder that holds mnist/")
	fonts := flag.String("fonts", "digit/testdata", "folder that holds fonts/, the font-rendered test digits")
	budget := flag.Duration("budget", 60*time.Second, "wall-time budget of the default net")
	only := flag.String("net", "", "train only this net (one-conv, pyramid or default)")
	lr := flag.Float64("lr", 0, "learning rate (0: each net's own)")
	batch := flag.Int("batch", 0, "batch size (0: each net's own)")
	seed := flag.Int64("seed", 0, "seed (0: each net's own)")
	specFile := flag.String("spec", "", "JSON file with a spec to train in place of the default net")
	decay := flag.Float64("decay", -1, "per-epoch learning-rate decay of the default net (-1: its own)")
	wd := flag.Float64("wd", -1, "weight decay of the default net (-1: its own)")
	flag.StringVar(&decoupledFlag, "decoupled", "", "on or off: decoupled weight decay for the default net (empty: its own)")
	floor := flag.Float64("floor", 0, "the lesson nets' learning rate falls linearly to this fraction of lr over the epoch")
	flag.StringVar(&augmentFlag, "augment", "", "on or off: augment every net's training images (empty: each net's own)")
	flag.Parse()
	for _, f := range []struct{ name, v string }{{"augment", augmentFlag}, {"decoupled", decoupledFlag}} {
		if f.v != "" && f.v != "on" && f.v != "off" {
			fmt.Fprintf(os.Stderr, "accuracy: -%s %q, want on or off\n", f.name, f.v)
			os.Exit(2)
		}
	}
	annealTo, seedFlag, decayFlag, wdFlag = *floor, *seed, *decay, *wd
	if *specFile != "" {
		b, err := os.ReadFile(*specFile)
		if err == nil {
			err = json.Unmarshal(b, &customSpec)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "accuracy: -spec:", err)
			os.Exit(2)
		}
	}
	if err := mainErr(os.Stdout, *data, *fonts, *budget, *only, *lr, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

func mainErr(w io.Writer, data, fonts string, budget time.Duration, only string, lr float64, batch int) error {
	runs := []run{
		{name: "one-conv", spec: nn.OneConvSpec(), cfg: lessonConfig(3e-3, 32), epochs: 1, bar: 0.975},
		{name: "pyramid", spec: nn.PyramidSpec(), cfg: lessonConfig(5e-3, 16), epochs: 1, bar: 0.985},
		{name: "default", spec: nn.DefaultSpec(), cfg: nn.DefaultConfig(), budget: budget, bar: 0.990, probe: true},
	}
	if len(customSpec.Layers) > 0 {
		runs[2].spec = customSpec
	}
	if decayFlag >= 0 {
		runs[2].cfg.LRDecay = decayFlag
	}
	if wdFlag >= 0 {
		runs[2].cfg.WeightDecay = wdFlag
	}
	if decoupledFlag != "" {
		runs[2].cfg.DecoupledDecay = decoupledFlag == "on"
	}
	fmt.Fprintf(w, "GOMAXPROCS %d\n", runtime.GOMAXPROCS(0))
	failed := 0
	for _, r := range runs {
		if only != "" && r.name != only {
			continue
		}
		if lr > 0 {
			r.cfg.LR = lr
		}
		if batch > 0 {
			r.cfg.BatchSize = batch
		}
		if seedFlag != 0 {
			r.cfg.Seed = seedFlag
		}
		if augmentFlag != "" {
			r.cfg.Augment = augmentFlag == "on"
		}
		fmt.Fprintf(w, "%-8s %s lr %g (decay %g/epoch) batch %d weight decay %g (decoupled %v) augment %v\n",
			r.name, r.cfg.Optimizer, r.cfg.LR, r.cfg.LRDecay, r.cfg.BatchSize, r.cfg.WeightDecay, r.cfg.DecoupledDecay, r.cfg.Augment)
		acc, first, last, err := train(w, data, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fmt.Fprintf(w, "%-8s test accuracy %.2f%% (bar %.1f%%) %s\n\n", r.name, 100*acc, 100*r.bar, verdict(acc, r.bar, &failed))
		if !r.probe {
			continue
		}
		if first == nil {
			return fmt.Errorf("%s: stopped before the end of its first epoch", r.name)
		}
		acc, err = fontAccuracy(w, fonts, r.name, first)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fmt.Fprintf(w, "%-8s font-set accuracy after one epoch %.2f%% (bar %.1f%%) %s\n\n", r.name, 100*acc, 100*fontBar, verdict(acc, fontBar, &failed))
		filterTable(w, r.name, "after one epoch", first)
		filterTable(w, r.name, "at the end of the budget", last)
	}
	if failed > 0 {
		return fmt.Errorf("%d net(s) missed the bar", failed)
	}
	return nil
}

// verdict returns "ok" if acc reaches bar, else "MISSED" after counting the miss.
func verdict(acc, bar float64, failed *int) string {
	if acc < bar {
		*failed++
		return "MISSED"
	}
	return "ok"
}

// train loads the data, builds the net and trains it from scratch; the clock starts
// before loading, as for the app. With r.probe it also returns a copy of the net taken
// at the end of its first epoch (nil if it stopped before); last is the net as it stopped.
func train(w io.Writer, data string, r run) (acc float64, first, last *nn.Model, err error) {
	start := time.Now()
	trainSet, testSet, err := nn.LoadMNIST(os.DirFS(data), "mnist")
	if err != nil {
		return 0, nil, nil, err
	}
	m, err := nn.NewModel(r.spec, r.cfg.Seed)
	if err != nil {
		return 0, nil, nil, err
	}
	tr, err := nn.NewTrainer(m, trainSet, testSet, r.cfg)
	if err != nil {
		return 0, nil, nil, err
	}
	fmt.Fprintf(w, "%-8s %d params, data loaded and model built in %v\n", r.name, m.NumParams(), time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stepsPerEpoch := (trainSet.N + r.cfg.BatchSize - 1) / r.cfg.BatchSize
	trainStart := time.Now()
	epoch := 0
	tr.SetOnStep(func(m *nn.Model, p nn.Progress) {
		if r.probe && first == nil && p.Epoch >= 1 {
			first = m.Clone()
		}
		if r.budget > 0 && p.SamplesSeen > 0 {
			// Stop early enough for the final measurement on all test digits to end
			// inside the budget: a forward pass costs about a third of a training step,
			// so reserve the time of 10,000 / 2 training samples, with a margin. The
			// speed is the mean since training began: the trainer's own figure covers
			// the last half second, which after an epoch end is mostly the test pass
			// and would make the reserve look several times too large.
			rate := float64(p.SamplesSeen) / time.Since(trainStart).Seconds()
			reserve := time.Duration(float64(testSet.N)/(2*rate)*float64(time.Second)) + 200*time.Millisecond
			if time.Since(start) > r.budget-reserve {
				cancel()
			}
		}
		if r.epochs > 0 {
			anneal(tr, r.cfg.LR, p.Step, stepsPerEpoch*r.epochs)
		}
		if p.Epoch > epoch {
			epoch = p.Epoch
			fmt.Fprintf(w, "%-8s epoch %d: test accuracy %.2f%% (loss %.4f) at %5.1fs, %.0f samples/s\n",
				r.name, p.Epoch, 100*p.TestAccuracy, p.TestLoss, time.Since(start).Seconds(), p.SamplesPerSec)
			if r.epochs > 0 && p.Epoch >= r.epochs {
				cancel()
			}
		}
	})
	if err := tr.Run(ctx); err != nil {
		return 0, nil, nil, err
	}
	p := tr.Progress()
	acc = p.TestAccuracy
	if !p.TestFull || p.TestAt != p.Step {
		acc, _ = tr.Evaluate(0)
	}
	fmt.Fprintf(w, "%-8s stopped after %d steps (%.2f epochs) at %.1fs: test accuracy %.2f%%\n",
		r.name, p.Step, float64(p.Step)/float64(stepsPerEpoch), time.Since(start).Seconds(), 100*acc)
	return acc, first, tr.Model(), nil
}

// fontAccuracy prepares the font-rendered digits in dir/fonts the way the app prepares a
// user's image and returns m's accuracy on them, listing the misses.
func fontAccuracy(w io.Writer, dir, name string, m *nn.Model) (float64, error) {
	start := time.Now()
	set, err := digit.LoadSet(os.DirFS(dir), "fonts")
	if err != nil {
		return 0, err
	}
	if len(set) == 0 {
		return 0, fmt.Errorf("no digits in %s/fonts", dir)
	}
	prepared := time.Since(start)
	start = time.Now()
	correct := 0
	var misses []string
	for _, d := range set {
		got := nn.Argmax(m.Predict(d.Input))
		if got == d.Label {
			correct++
		} else {
			misses = append(misses, fmt.Sprintf("%s→%d", d.Name, got))
		}
	}
	fmt.Fprintf(w, "%-8s font set: %d digits prepared in %v, classified in %v\n", name, len(set),
		prepared.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	for _, s := range misses {
		fmt.Fprintf(w, "%-8s   missed %s\n", name, s)
	}
	return float64(correct) / float64(len(set)), nil
}

// filterTable prints, for each of m's first-layer filters, the hand-made filter of
// filters.Bank it is most like, then the mean, lowest and highest of those scores; when
// names the moment m was taken.
func filterTable(w io.Writer, name, when string, m *nn.Model) {
	start := time.Now()
	convs := m.ConvWeights()
	if len(convs) == 0 {
		return
	}
	c := convs[0]
	size := c.In * c.K * c.K
	learned := make([][]float32, 0, c.Out)
	for o := range c.Out {
		if c.In != 1 {
			break // the bank is of single-channel filters
		}
		learned = append(learned, c.W[o*size:(o+1)*size])
	}
	matches := filters.MatchAll(learned, c.K, filters.Bank())
	elapsed := time.Since(start)
	fmt.Fprintf(w, "%-8s %s filters %s, each with its closest hand-made filter (|cos|; chance ≈ 0.42):\n", name, c.Layer.Name, when)
	fmt.Fprintf(w, "  %-8s %-18s %6s %s\n", "filter", "matched", "score", "negated")
	for _, mt := range matches {
		match := mt.Name
		if mt.Filter < 0 {
			match = "(flat)"
		}
		fmt.Fprintf(w, "  %-8d %-18s %6.3f %v\n", mt.Learned+1, match, mt.Score, mt.Negated)
	}
	if len(matches) > 0 {
		mean, lo, hi := scoreStats(matches)
		fmt.Fprintf(w, "%-8s match scores %s: mean %.3f, min %.3f, max %.3f (a random 5×5 filter: mean ≈ 0.42, 95th percentile ≈ 0.58)\n",
			name, when, mean, lo, hi)
	}
	fmt.Fprintf(w, "%-8s filters matched in %v\n\n", name, elapsed.Round(time.Microsecond))
}

// scoreStats returns the mean, lowest and highest score of matches, which must not be
// empty.
func scoreStats(matches []filters.Match) (mean, lo, hi float64) {
	lo, hi = matches[0].Score, matches[0].Score
	for _, mt := range matches {
		mean += mt.Score
		lo, hi = min(lo, mt.Score), max(hi, mt.Score)
	}
	return mean / float64(len(matches)), lo, hi
}

// seedFlag overrides the nets' seeds when not 0; decayFlag the default net's decay and
// wdFlag its weight decay when not negative; decoupledFlag, "on" or "off", whether that
// decay is decoupled; augmentFlag, "on" or "off", every net's augmentation; customSpec, when it
// has layers, replaces the default net.
var (
	seedFlag      int64
	augmentFlag   string
	decayFlag     float64
	wdFlag        float64
	decoupledFlag string
	customSpec    nn.Spec
)

// annealTo is the fraction of the learning rate that anneal ends at.
var annealTo = 0.0

// anneal lowers the learning rate linearly from lr to lr·annealTo over total steps,
// through the trainer's own command queue.
func anneal(tr *nn.Trainer, lr float64, step int64, total int) {
	f := min(float64(step)/float64(total), 1)
	v := max(lr*(1-(1-annealTo)*f), 1e-6)
	if err := tr.Do(nn.Command{Action: "set", LR: &v}); err != nil {
		panic(err)
	}
}
