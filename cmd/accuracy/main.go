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

	"convscope/nn"
)

// run is one net to train and the accuracy it must reach.
type run struct {
	name   string
	spec   nn.Spec
	cfg    nn.Config
	epochs int           // stop after this many epochs, or
	budget time.Duration // after this much wall time since the start of the run
	bar    float64
}

// lessonConfig is how the lesson's nets are trained: Adam with a learning rate that falls
// linearly over the epoch (see anneal).
func lessonConfig(lr float64, batch int) nn.Config {
	cfg := nn.DefaultConfig()
	cfg.LR, cfg.LRDecay, cfg.BatchSize, cfg.EvalEvery = lr, 1, batch, 0
	return cfg
}

func main() {
	data := flag.String("data", "samples", "folder that holds mnist/")
	budget := flag.Duration("budget", 60*time.Second, "wall-time budget of the default net")
	only := flag.String("net", "", "train only this net (one-conv, pyramid or default)")
	lr := flag.Float64("lr", 0, "learning rate (0: each net's own)")
	batch := flag.Int("batch", 0, "batch size (0: each net's own)")
	seed := flag.Int64("seed", 0, "seed (0: each net's own)")
	specFile := flag.String("spec", "", "JSON file with a spec to train in place of the default net")
	decay := flag.Float64("decay", -1, "per-epoch learning-rate decay of the default net (-1: its own)")
	floor := flag.Float64("floor", 0, "the lesson nets' learning rate falls linearly to this fraction of lr over the epoch")
	flag.Parse()
	annealTo, seedFlag, decayFlag = *floor, *seed, *decay
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
	if err := mainErr(os.Stdout, *data, *budget, *only, *lr, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

func mainErr(w io.Writer, data string, budget time.Duration, only string, lr float64, batch int) error {
	runs := []run{
		{name: "one-conv", spec: nn.OneConvSpec(), cfg: lessonConfig(3e-3, 32), epochs: 1, bar: 0.975},
		{name: "pyramid", spec: nn.PyramidSpec(), cfg: lessonConfig(5e-3, 16), epochs: 1, bar: 0.985},
		{name: "default", spec: nn.DefaultSpec(), cfg: nn.DefaultConfig(), budget: budget, bar: 0.990},
	}
	if len(customSpec.Layers) > 0 {
		runs[2].spec = customSpec
	}
	if decayFlag >= 0 {
		runs[2].cfg.LRDecay = decayFlag
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
		fmt.Fprintf(w, "%-8s %s lr %g (decay %g/epoch) batch %d\n", r.name, r.cfg.Optimizer, r.cfg.LR, r.cfg.LRDecay, r.cfg.BatchSize)
		acc, err := train(w, data, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		verdict := "ok"
		if acc < r.bar {
			verdict = "MISSED"
			failed++
		}
		fmt.Fprintf(w, "%-8s test accuracy %.2f%% (bar %.1f%%) %s\n\n", r.name, 100*acc, 100*r.bar, verdict)
	}
	if failed > 0 {
		return fmt.Errorf("%d net(s) missed the bar", failed)
	}
	return nil
}

// train loads the data, builds the net and trains it from scratch; the clock starts
// before loading, as for the app.
func train(w io.Writer, data string, r run) (float64, error) {
	start := time.Now()
	trainSet, testSet, err := nn.LoadMNIST(os.DirFS(data), "mnist")
	if err != nil {
		return 0, err
	}
	m, err := nn.NewModel(r.spec, r.cfg.Seed)
	if err != nil {
		return 0, err
	}
	tr, err := nn.NewTrainer(m, trainSet, testSet, r.cfg)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(w, "%-8s %d params, data loaded and model built in %v\n", r.name, m.NumParams(), time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stepsPerEpoch := (trainSet.N + r.cfg.BatchSize - 1) / r.cfg.BatchSize
	epoch := 0
	tr.SetOnStep(func(_ *nn.Model, p nn.Progress) {
		if r.budget > 0 && p.SamplesPerSec > 0 {
			// Stop early enough for the final measurement on all test digits to end
			// inside the budget: a forward pass costs about a third of a training step,
			// so reserve the time of 10,000 / 2 training samples, with a margin.
			reserve := time.Duration(float64(testSet.N)/(2*p.SamplesPerSec)*float64(time.Second)) + 200*time.Millisecond
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
		return 0, err
	}
	p := tr.Progress()
	acc := p.TestAccuracy
	if !p.TestFull || p.TestAt != p.Step {
		acc, _ = tr.Evaluate(0)
	}
	fmt.Fprintf(w, "%-8s stopped after %d steps (%.2f epochs) at %.1fs: test accuracy %.2f%%\n",
		r.name, p.Step, float64(p.Step)/float64(stepsPerEpoch), time.Since(start).Seconds(), 100*acc)
	return acc, nil
}

// seedFlag overrides the nets' seeds when not 0; decayFlag the default net's decay when
// not negative; customSpec, when it has layers, replaces the default net.
var (
	seedFlag   int64
	decayFlag  float64
	customSpec nn.Spec
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
