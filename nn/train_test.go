package nn

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestTrainingLearns trains the pyramid on 2,048 real digits for two epochs (128 steps) and
// expects test accuracy far above chance (10%).
func TestTrainingLearns(t *testing.T) {
	train, test := loadTestMNIST(t)
	m, err := NewModel(PyramidSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Optimizer: "adam", LR: 3e-3, BatchSize: 32, Seed: 1}
	tr, err := NewTrainer(m, train.Subset(2048), test.Subset(1000), cfg)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tr.Evaluate(0)
	trainSteps(tr, 128)
	acc, loss := tr.Evaluate(0)
	t.Logf("test accuracy on 1000 digits: %.3f before, %.3f (loss %.3f) after 128 steps", before, acc, loss)
	if acc < 0.85 {
		t.Errorf("test accuracy after 128 steps on 2,048 digits = %.3f, want ≥ 0.85", acc)
	}
	if p := tr.Progress(); p.Epoch != 2 || p.Step != 128 || !p.TestFull || p.TestAt != 128 || p.TestAccuracy != acc {
		// 128·32 samples = 2 epochs of 2,048, the last ending on step 128 with a full test.
		t.Errorf("Progress() = epoch %d, step %d, test full %v at %d; want epoch 2, step 128, full test at 128",
			p.Epoch, p.Step, p.TestFull, p.TestAt)
	}
}

func TestSameSeedSameTraining(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers, cfg.BatchSize = 2, 32
	run := func(seed int64) [][]float32 {
		cfg.Seed = seed
		tr := smallTrainer(t, PyramidSpec(), cfg)
		trainSteps(tr, 20)
		return weights(tr.m)
	}
	a, b, c := run(3), run(3), run(4)
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with seed 3 gave different weights after 20 steps")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("runs with seeds 3 and 4 gave the same weights")
	}
}

// TestWorkersAgree: splitting a batch over workers changes only the summation order.
func TestWorkersAgree(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSize = 32
	var ws [][][]float32
	for _, n := range []int{1, 3} {
		cfg.Workers = n
		tr := smallTrainer(t, PyramidSpec(), cfg)
		trainSteps(tr, 5)
		ws = append(ws, weights(tr.m))
	}
	for i := range ws[0] {
		for j := range ws[0][i] {
			if !closeTo(float64(ws[1][i][j]), float64(ws[0][i][j]), 1e-3) {
				t.Fatalf("param %d[%d] = %v with 3 workers, %v with 1", i, j, ws[1][i][j], ws[0][i][j])
			}
		}
	}
}

// runTrainer starts Run in a goroutine and returns a channel of the progress reported
// after each step or command, and a stop function that waits for Run to return.
func runTrainer(t *testing.T, tr *Trainer) (<-chan Progress, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Progress)
	tr.SetOnStep(func(_ *Model, p Progress) {
		select {
		case ch <- p:
		case <-ctx.Done():
		}
	})
	done := make(chan error)
	// Exits when ctx is cancelled by stop.
	go func() { done <- tr.Run(ctx) }()
	return ch, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	}
}

// waitFor reads progress reports until ok accepts one.
func waitFor(t *testing.T, ch <-chan Progress, ok func(Progress) bool) Progress {
	t.Helper()
	for p := range ch {
		if ok(p) {
			return p
		}
	}
	panic("unreachable")
}

func do(t *testing.T, tr *Trainer, c Command) {
	t.Helper()
	if err := tr.Do(c); err != nil {
		t.Fatalf("Do(%+v): %v", c, err)
	}
}

func TestTrainerCommands(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSize = 16
	tr := smallTrainer(t, OneConvSpec(), cfg)
	do(t, tr, Command{Action: "pause"}) // queued before Run: Run starts paused
	ch, stop := runTrainer(t, tr)
	defer stop()

	p := <-ch // the report after the queued pause
	if p.Running || p.Step != 0 {
		t.Fatalf("after pause: running %v, step %d; want paused at step 0", p.Running, p.Step)
	}
	do(t, tr, Command{Action: "step"})
	if p = <-ch; p.Step != 0 || p.Running { // the report on the command, before the step
		t.Fatalf("after the step command: step %d, running %v; want step 0, paused", p.Step, p.Running)
	}
	if p = <-ch; p.Step != 1 || p.Running {
		t.Fatalf("after step: step %d, running %v; want step 1, paused", p.Step, p.Running)
	}
	// The report after the next command is the next thing that happens: had training gone
	// on in between, the step count would have moved.
	do(t, tr, Command{Action: "pause"})
	if p = <-ch; p.Step != 1 {
		t.Fatalf("paused trainer moved from step 1 to %d", p.Step)
	}
	if got := tr.Progress().Step; got != 1 {
		t.Errorf("Progress().Step = %d while paused after one step, want 1", got)
	}

	do(t, tr, Command{Action: "resume"})
	p = waitFor(t, ch, func(p Progress) bool { return p.Step >= 5 })
	do(t, tr, Command{Action: "pause"})
	p = waitFor(t, ch, func(p Progress) bool { return !p.Running })
	paused := p.Step
	do(t, tr, Command{Action: "pause"})
	if p = <-ch; p.Step != paused {
		t.Fatalf("paused at step %d, then at step %d", paused, p.Step)
	}

	lr, bs, opt := 0.01, 8, "sgd"
	do(t, tr, Command{Action: "set", LR: &lr, BatchSize: &bs, Optimizer: &opt})
	p = <-ch
	if p.Config.LR != lr || p.Config.BatchSize != bs || p.Config.Optimizer != opt {
		t.Errorf("after set: config %+v, want lr %v, batch %d, %s", p.Config, lr, bs, opt)
	}
	do(t, tr, Command{Action: "step"})
	<-ch // the report on the command
	if p = <-ch; p.SamplesSeen != int64(paused)*16+8 {
		t.Errorf("a step of batch 8 after %d steps of 16: samples seen %d, want %d", paused, p.SamplesSeen, paused*16+8)
	}

	seed := int64(99)
	do(t, tr, Command{Action: "reset", Seed: &seed})
	p = <-ch
	if p.Step != 0 || p.SamplesSeen != 0 || p.Config.Seed != 99 {
		t.Errorf("after reset: step %d, seen %d, seed %d; want 0, 0, 99", p.Step, p.SamplesSeen, p.Config.Seed)
	}
	fresh, _ := NewModel(OneConvSpec(), 99)
	if !reflect.DeepEqual(weights(tr.m), weights(fresh)) {
		t.Error("after reset with seed 99 the weights differ from NewModel(spec, 99)")
	}
}

func TestTrainerRejectsBadCommands(t *testing.T) {
	cfg := DefaultConfig()
	tr := smallTrainer(t, PyramidSpec(), cfg)
	neg, zero, big, huge := -0.1, 0, 5000, 2.0
	bad, seed := "rmsprop", int64(3)
	tests := []struct {
		c    Command
		want string
	}{
		{Command{Action: "jump"}, "unknown action"},
		{Command{Action: ""}, "unknown action"},
		{Command{Action: "set"}, "needs"},
		{Command{Action: "set", LR: &neg}, "lr"},
		{Command{Action: "set", LR: &huge}, "lr"},
		{Command{Action: "set", BatchSize: &zero}, "batch_size"},
		{Command{Action: "set", BatchSize: &big}, "batch_size"},
		{Command{Action: "set", Optimizer: &bad}, "optimizer"},
		{Command{Action: "set", Seed: &seed}, "seed"},
		{Command{Action: "pause", LR: &neg}, "no values"},
	}
	for _, tt := range tests {
		if err := tr.Do(tt.c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Do(%+v) = %v, want an error about %q", tt.c, err, tt.want)
		}
	}
	if len(tr.queue) != 0 {
		t.Errorf("rejected commands were queued: %+v", tr.queue)
	}
	// Without Run nothing drains the queue: past a bound, commands are refused.
	var err error
	for i := 0; i <= maxQueued && err == nil; i++ {
		err = tr.Do(Command{Action: "pause"})
	}
	if err == nil {
		t.Errorf("Do accepted %d commands with nobody running the trainer, want a refusal", maxQueued+1)
	}
}

func TestBadConfigs(t *testing.T) {
	train, test := loadTestMNIST(t)
	m, _ := NewModel(PyramidSpec(), 1)
	for _, mod := range []func(*Config){
		func(c *Config) { c.Optimizer = "" },
		func(c *Config) { c.LR = 0 },
		func(c *Config) { c.BatchSize = 0 },
		func(c *Config) { c.Momentum = 1 },
		func(c *Config) { c.Workers = -1 },
		func(c *Config) { c.LRDecay = 2 },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := NewTrainer(m, train, test, cfg); err == nil {
			t.Errorf("NewTrainer(%+v) succeeded, want an error", cfg)
		}
	}
	small, _ := NewModel(Spec{Name: "small", Input: Shape{1, 8, 8}, Layers: []LayerSpec{{Type: "flatten"}, {Type: "dense", Units: 10}}}, 1)
	if _, err := NewTrainer(small, train, test, DefaultConfig()); err == nil {
		t.Error("NewTrainer with an 8×8 model on 28×28 digits succeeded, want an error")
	}
}
