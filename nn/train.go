package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"convscope/nn/internal/kern"
)

// Bounds on values a user may set.
const (
	maxBatch   = 1024
	maxLR      = 1.0
	maxWorkers = 64
	maxQueued  = 256 // commands waiting for Run; more means nobody runs the trainer
)

// microBatch is the most samples one worker pushes through forward and backward at a
// time; a worker's share of a larger batch goes in several passes. Evaluation goes in
// chunks of the same size, so that it needs no buffers of its own.
var microBatch = 8

// Config holds the training settings.
type Config struct {
	Optimizer   string  `json:"optimizer"`    // "adam" | "sgd" (SGD with momentum)
	LR          float64 `json:"lr"`           // learning rate in epoch 0
	LRDecay     float64 `json:"lr_decay"`     // the rate falls smoothly by this factor per epoch; 0 means 1
	Momentum    float64 `json:"momentum"`     // SGD only
	WeightDecay float64 `json:"weight_decay"` // on weights (not biases); L2 unless DecoupledDecay
	BatchSize   int     `json:"batch_size"`
	Seed        int64   `json:"seed"`
	Workers     int     `json:"workers"`     // 0 = GOMAXPROCS
	EvalSubset  int     `json:"eval_subset"` // first N test digits, measured every EvalEvery steps
	EvalEvery   int     `json:"eval_every"`  // 0 = only the full test set at epoch ends
	// Augment draws every training image through a small random affine transform
	// (shift ±2 px, rotation ±15°, scale 0.9–1.1, slant ±0.15) with bilinear
	// resampling; the test digits stay as they are. The transforms follow from Seed and
	// the sample's position in the stream of training samples. Checkpoints written
	// before this field existed load with it off, so that they go on as they started.
	Augment bool `json:"augment"`
	// DecoupledDecay applies WeightDecay to the weights directly, w −= lr·wd·w every
	// step, instead of adding wd·w to the gradient (L2): AdamW and SGDW (Loshchilov &
	// Hutter). With Adam this is what makes the decay act on every weight alike (optim.go
	// says why). Checkpoints written before this field existed load with it off.
	DecoupledDecay bool `json:"decoupled_decay,omitempty"`
}

// DefaultConfig is the configuration the app trains DefaultSpec with (doc.go says why):
// Adam with decoupled weight decay 0.1 (AdamW), lr 2e-3 halving per epoch, batch 32,
// augmentation on.
func DefaultConfig() Config {
	return Config{Optimizer: "adam", LR: 2e-3, LRDecay: 0.5, Momentum: 0.9,
		WeightDecay: 0.1, DecoupledDecay: true, BatchSize: 32,
		Seed: 1, EvalSubset: 1000, EvalEvery: 200, Augment: true}
}

// Validate reports whether every setting is in range.
func (c Config) Validate() error {
	switch {
	case c.Optimizer != "adam" && c.Optimizer != "sgd":
		return fmt.Errorf("config: optimizer %q, want adam or sgd", c.Optimizer)
	case !(c.LR > 0 && c.LR <= maxLR):
		return fmt.Errorf("config: lr %v, want 0 < lr ≤ %v", c.LR, maxLR)
	case !(c.LRDecay >= 0 && c.LRDecay <= 1):
		return fmt.Errorf("config: lr_decay %v, want 0..1", c.LRDecay)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("config: momentum %v, want 0 ≤ momentum < 1", c.Momentum)
	case !(c.WeightDecay >= 0 && c.WeightDecay <= 1):
		return fmt.Errorf("config: weight_decay %v, want 0..1", c.WeightDecay)
	case c.BatchSize < 1 || c.BatchSize > maxBatch:
		return fmt.Errorf("config: batch_size %d, want 1..%d", c.BatchSize, maxBatch)
	case c.Workers < 0 || c.Workers > maxWorkers:
		return fmt.Errorf("config: workers %d, want 0..%d", c.Workers, maxWorkers)
	case c.EvalSubset < 0 || c.EvalEvery < 0:
		return fmt.Errorf("config: eval_subset %d, eval_every %d: want ≥ 0", c.EvalSubset, c.EvalEvery)
	}
	return nil
}

// Progress is a snapshot of training.
type Progress struct {
	Step          int64   `json:"step"`
	Epoch         int     `json:"epoch"`          // completed epochs
	EpochFraction float64 `json:"epoch_fraction"` // 0..1 within the current epoch
	SamplesSeen   int64   `json:"samples_seen"`
	TrainLoss     float64 `json:"train_loss"` // running mean over recent steps
	TrainAccuracy float64 `json:"train_accuracy"`
	TestAccuracy  float64 `json:"test_accuracy"` // latest measured, 0..1
	TestLoss      float64 `json:"test_loss"`
	TestFull      bool    `json:"test_full"` // latest test figure is on all test digits
	TestAt        int64   `json:"test_at"`   // step of that measurement
	SamplesPerSec float64 `json:"samples_per_sec"`
	Running       bool    `json:"running"`
	Config        Config  `json:"config"`
}

// Command changes a trainer between two steps. Action is "start" or "resume" (train),
// "pause", "step" (pause, then train exactly one step), "reset" (new weights from Seed, or
// from the config's seed, and back to step 0) or "set" (any of LR, BatchSize, Optimizer;
// a new optimizer starts with fresh state).
type Command struct {
	Action    string
	Seed      *int64
	LR        *float64
	BatchSize *int
	Optimizer *string
}

func (c Command) validate() error {
	switch c.Action {
	case "start", "resume", "pause", "step":
		if c.Seed != nil || c.LR != nil || c.BatchSize != nil || c.Optimizer != nil {
			return fmt.Errorf("%s takes no values", c.Action)
		}
	case "reset":
		if c.LR != nil || c.BatchSize != nil || c.Optimizer != nil {
			return errors.New("reset takes only a seed")
		}
	case "set":
		if c.Seed != nil {
			return errors.New("set cannot change the seed: use reset")
		}
		if c.LR == nil && c.BatchSize == nil && c.Optimizer == nil {
			return errors.New("set needs lr, batch_size or optimizer")
		}
		if c.LR != nil && !(*c.LR > 0 && *c.LR <= maxLR) {
			return fmt.Errorf("lr %v, want 0 < lr ≤ %v", *c.LR, maxLR)
		}
		if c.BatchSize != nil && (*c.BatchSize < 1 || *c.BatchSize > maxBatch) {
			return fmt.Errorf("batch_size %d, want 1..%d", *c.BatchSize, maxBatch)
		}
		if c.Optimizer != nil && *c.Optimizer != "adam" && *c.Optimizer != "sgd" {
			return fmt.Errorf("optimizer %q, want adam or sgd", *c.Optimizer)
		}
	default:
		return fmt.Errorf("unknown action %q (want start, pause, resume, step, reset or set)", c.Action)
	}
	return nil
}

// Trainer trains one model on a training set and measures it on a test set. Run does the
// training in the caller's goroutine; Do, Progress and SetOnStep may be called from any
// goroutine.
type Trainer struct {
	m           *Model
	train, test *Dataset
	cfg         Config
	workers     int

	params []Param // the model's, with the reduced gradients
	opt    optimizer
	ws     []*worker

	rng      *rand.PCG
	epochRNG []byte // rng state before this epoch's shuffle, for checkpoints
	perm     []int32
	pos      int // next index into perm

	step            int64
	epoch           int
	seen            int64
	lossAvg, accAvg float64
	avgN            int
	testAcc         float64
	testLoss        float64
	testFull        bool
	testAt          int64
	sps             float64
	winStart        time.Time
	winSeen         int64

	running bool
	pending int // single steps asked for

	prog   atomic.Pointer[Progress]
	onStep func(*Model, Progress)
	inRun  atomic.Bool

	mu     sync.Mutex
	queue  []Command
	spare  []Command
	notify chan struct{}

	// The worker pool, alive during Run: workers 1.. wait on start; worker 0 is the
	// goroutine that calls Run.
	job  job
	done chan struct{}
}

// worker is one goroutine's share of a batch: its own layers (sharing the model's
// parameters), input and gradient buffers, and results.
type worker struct {
	layers  []Layer
	params  []Param
	x, grad []float32
	labels  []byte
	id      int
	loss    float64
	correct int
	start   chan struct{}
}

// job is what the pool does next.
type job struct {
	update bool // reduce gradients and step the optimizer
	eval   bool
	data   *Dataset
	idx    []int32    // training: the batch's sample indices
	aug    augmentKey // training: where the batch's random transforms come from
	n      int        // eval: the first n samples
	scale  float32
}

// NewTrainer returns a trainer of m that does nothing until Run, which starts training
// right away unless a "pause" command was queued before it.
func NewTrainer(m *Model, train, test *Dataset, cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new trainer: %w", err)
	}
	in := m.spec.Input
	for _, d := range []*Dataset{train, test} {
		if d == nil || d.N == 0 {
			return nil, errors.New("new trainer: empty dataset")
		}
		if in.C != 1 || d.H != in.H || d.W != in.W {
			return nil, fmt.Errorf("new trainer: %d×%d digits do not fit model input %v", d.H, d.W, in)
		}
	}
	t := &Trainer{m: m, train: train, test: test, cfg: cfg, running: true, notify: make(chan struct{}, 1)}
	t.workers = cfg.Workers
	if t.workers == 0 {
		t.workers = runtime.GOMAXPROCS(0)
	}
	t.params = m.params()
	for i := range t.workers {
		w := &worker{id: i, start: make(chan struct{})}
		if i == 0 {
			w.layers = m.layers
		} else {
			w.layers = m.replica(true, true)
		}
		for _, l := range w.layers {
			w.params = append(w.params, l.Params()...)
		}
		t.ws = append(t.ws, w)
	}
	t.opt = newOptimizer(cfg.Optimizer, t.params, cfg.Momentum)
	t.perm = make([]int32, train.N)
	t.rng = rand.NewPCG(uint64(cfg.Seed), 0x73687566666c65)
	t.shuffle()
	t.publish()
	return t, nil
}

// shuffle starts an epoch: perm becomes a fresh permutation drawn from rng.
func (t *Trainer) shuffle() {
	t.epochRNG, _ = t.rng.MarshalBinary()
	for i := range t.perm {
		t.perm[i] = int32(i)
	}
	r := rand.New(t.rng)
	r.Shuffle(len(t.perm), func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
	t.pos = 0
}

// SetOnStep sets a function called in the training goroutine after every step and after
// commands that change state. It must be cheap. Call it before Run.
func (t *Trainer) SetOnStep(f func(m *Model, p Progress)) { t.onStep = f }

// Progress returns the latest progress without locking; any goroutine may call it.
func (t *Trainer) Progress() Progress { return *t.prog.Load() }

// Model returns the model being trained. Only the training goroutine may read it while
// Run is running; others take a Clone from OnStep.
func (t *Trainer) Model() *Model { return t.m }

// Do validates c and queues it; Run applies it between two steps. Do never waits for
// training.
func (t *Trainer) Do(c Command) error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("command: %w", err)
	}
	t.mu.Lock()
	if len(t.queue) >= maxQueued {
		t.mu.Unlock()
		return fmt.Errorf("command %s: %d commands already wait for the trainer", c.Action, maxQueued)
	}
	t.queue = append(t.queue, c)
	t.mu.Unlock()
	select {
	case t.notify <- struct{}{}:
	default:
	}
	return nil
}

// Run trains until ctx is done, applying commands between steps; while paused it waits
// for a command or for ctx. It returns nil when ctx is done.
func (t *Trainer) Run(ctx context.Context) error {
	if !t.inRun.CompareAndSwap(false, true) {
		return errors.New("trainer: Run is already running")
	}
	defer t.inRun.Store(false)
	t.startPool()
	defer t.stopPool()
	t.winStart, t.winSeen = time.Now(), t.seen
	for {
		if ctx.Err() != nil {
			return nil
		}
		if t.apply() {
			t.publish()
			t.notifyStep()
		}
		if !t.running && t.pending == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-t.notify:
			}
			t.winStart, t.winSeen = time.Now(), t.seen
			continue
		}
		t.trainStep()
		if t.pending > 0 {
			t.pending--
		}
		t.publish()
		t.notifyStep()
	}
}

func (t *Trainer) notifyStep() {
	if t.onStep != nil {
		t.onStep(t.m, *t.prog.Load())
	}
}

// apply applies the queued commands and reports whether there were any.
func (t *Trainer) apply() bool {
	t.mu.Lock()
	cmds := t.queue
	t.queue, t.spare = t.spare[:0], cmds
	t.mu.Unlock()
	for _, c := range cmds {
		switch c.Action {
		case "start", "resume":
			t.running, t.pending = true, 0
		case "pause":
			t.running, t.pending = false, 0
		case "step":
			t.running = false
			t.pending++
		case "reset":
			seed := t.cfg.Seed
			if c.Seed != nil {
				seed = *c.Seed
			}
			t.reset(seed)
		case "set":
			if c.LR != nil {
				t.cfg.LR = *c.LR
			}
			if c.BatchSize != nil {
				t.cfg.BatchSize = *c.BatchSize
			}
			if c.Optimizer != nil && *c.Optimizer != t.cfg.Optimizer {
				t.cfg.Optimizer = *c.Optimizer
				t.opt = newOptimizer(t.cfg.Optimizer, t.params, t.cfg.Momentum)
			}
		}
	}
	return len(cmds) > 0
}

// reset draws new weights from seed and starts over at step 0 with fresh optimizer state.
func (t *Trainer) reset(seed int64) {
	t.cfg.Seed = seed
	t.m.init(seed)
	t.opt = newOptimizer(t.cfg.Optimizer, t.params, t.cfg.Momentum)
	t.rng = rand.NewPCG(uint64(seed), 0x73687566666c65)
	t.shuffle()
	t.step, t.epoch, t.seen = 0, 0, 0
	t.lossAvg, t.accAvg, t.avgN = 0, 0, 0
	t.testAcc, t.testLoss, t.testFull, t.testAt = 0, 0, false, 0
	t.sps, t.winStart, t.winSeen = 0, time.Now(), 0
}

// lr is the learning rate now: LR·LRDecay^e where e counts epochs fractionally, so
// the rate falls smoothly by LRDecay over each epoch.
func (t *Trainer) lr() float64 {
	d := t.cfg.LRDecay
	if d == 0 || d == 1 {
		return t.cfg.LR
	}
	e := float64(t.epoch) + float64(t.pos)/float64(t.train.N)
	return t.cfg.LR * math.Pow(d, e)
}

// trainStep trains on the next batch, then measures the test set when it is due.
func (t *Trainer) trainStep() {
	n := min(t.cfg.BatchSize, t.train.N-t.pos)
	t.job = job{data: t.train, idx: t.perm[t.pos : t.pos+n], scale: 1 / float32(n),
		aug: augmentKey{on: t.cfg.Augment, seed: uint64(t.cfg.Seed), first: t.seen}}
	t.dispatch()
	loss, correct := 0.0, 0
	for _, w := range t.ws {
		loss += w.loss
		correct += w.correct
	}
	// Sum the workers' gradients and update, each worker on its own part of every
	// parameter array.
	t.opt.begin(t.lr(), t.cfg.WeightDecay, t.cfg.DecoupledDecay)
	t.job.update = true
	t.dispatch()
	t.pos += n
	t.step++
	t.seen += int64(n)
	t.avgN++
	a := max(1/float64(t.avgN), 0.02) // running mean over about the last 50 steps
	t.lossAvg += a * (loss/float64(n) - t.lossAvg)
	t.accAvg += a * (float64(correct)/float64(n) - t.accAvg)
	if now := time.Now(); t.winStart.IsZero() {
		t.winStart, t.winSeen = now, t.seen
	} else if now.Sub(t.winStart) >= 500*time.Millisecond {
		t.sps = float64(t.seen-t.winSeen) / now.Sub(t.winStart).Seconds()
		t.winStart, t.winSeen = now, t.seen
	}
	switch {
	case t.pos >= t.train.N:
		t.epoch++
		t.shuffle()
		t.testAcc, t.testLoss = t.evaluate(t.test.N)
		t.testFull, t.testAt = true, t.step
	case t.cfg.EvalEvery > 0 && t.cfg.EvalSubset > 0 && t.step%int64(t.cfg.EvalEvery) == 0:
		n := min(t.cfg.EvalSubset, t.test.N)
		t.testAcc, t.testLoss = t.evaluate(n)
		t.testFull, t.testAt = n == t.test.N, t.step
	}
}

// evaluate returns the accuracy and mean loss on the first n test digits.
func (t *Trainer) evaluate(n int) (acc, loss float64) {
	t.job = job{eval: true, data: t.test, n: n}
	t.dispatch()
	correct := 0
	for _, w := range t.ws {
		loss += w.loss
		correct += w.correct
	}
	return float64(correct) / float64(n), loss / float64(n)
}

// Evaluate measures the model on the first n test digits (all if n ≤ 0) and returns the
// accuracy and mean cross-entropy. Call it when Run is not running.
func (t *Trainer) Evaluate(n int) (acc, loss float64) {
	if n <= 0 || n > t.test.N {
		n = t.test.N
	}
	t.startPool()
	defer t.stopPool()
	return t.evaluate(n)
}

// startPool starts workers 1.. ; each exits when stopPool closes its start channel.
func (t *Trainer) startPool() {
	t.done = make(chan struct{}, len(t.ws))
	for _, w := range t.ws[1:] {
		w.start = make(chan struct{})
		// Exits when stopPool closes w.start.
		go func() {
			for range w.start {
				t.work(w)
				t.done <- struct{}{}
			}
		}()
	}
}

func (t *Trainer) stopPool() {
	for _, w := range t.ws[1:] {
		close(w.start)
	}
}

// dispatch runs t.job on every worker and waits for all of them.
func (t *Trainer) dispatch() {
	for _, w := range t.ws[1:] {
		w.start <- struct{}{}
	}
	t.work(t.ws[0])
	for range t.ws[1:] {
		<-t.done
	}
}

// share returns worker i's part [lo, hi) of n items split over k workers.
func share(i, k, n int) (lo, hi int) { return i * n / k, (i + 1) * n / k }

// work does worker w's part of t.job.
func (t *Trainer) work(w *worker) {
	j := &t.job
	i := w.id
	if j.update {
		for k, p := range t.params {
			lo, hi := share(i, len(t.ws), len(p.W))
			for _, o := range t.ws[1:] {
				kern.Axpy(p.G[lo:hi], o.params[k].G[lo:hi], 1)
			}
			t.opt.update(k, p, lo, hi)
		}
		return
	}
	w.loss, w.correct = 0, 0
	if j.eval {
		// Chunks i, i+k, i+2k, … of microBatch digits each.
		for lo := i * microBatch; lo < j.n; lo += len(t.ws) * microBatch {
			hi := min(lo+microBatch, j.n)
			out := w.forward(j.data, nil, lo, hi, augmentKey{})
			l, c := softmaxCrossEntropy(out, j.data.Labels[lo:hi], hi-lo, 0, nil)
			w.loss += l
			w.correct += c
		}
		return
	}
	for _, p := range w.params {
		clear(p.G)
	}
	lo, hi := share(i, len(t.ws), len(j.idx))
	// Forward and backward in micro-batches: the gradients add up the same, and the
	// buffers of a small batch stay in the core's cache.
	for lo < hi {
		n := min(hi-lo, microBatch)
		aug := j.aug
		aug.first += int64(lo)
		out := w.forward(j.data, j.idx[lo:lo+n], 0, n, aug)
		w.grad = grow(w.grad, n*Classes)
		l, c := softmaxCrossEntropy(out, w.labels, n, j.scale, w.grad)
		w.loss += l
		w.correct += c
		backward(w.layers, w.grad)
		lo += n
	}
}

// forward converts samples to float32 and runs them through w's layers: the samples are
// idx[lo:hi] if idx is not nil, else lo..hi-1. With aug.on, sample s is drawn through
// the random transform of training sample number aug.first+s. With one input channel a
// sample-major and a channel-major batch are the same.
func (w *worker) forward(d *Dataset, idx []int32, lo, hi int, aug augmentKey) []float32 {
	n := hi - lo
	hw := d.H * d.W
	w.x = grow(w.x, n*hw)
	if cap(w.labels) < n {
		w.labels = make([]byte, n)
	}
	w.labels = w.labels[:n]
	for s := 0; s < n; s++ {
		k := lo + s
		if idx != nil {
			k = int(idx[s])
		}
		if aug.on {
			warp(w.x[s*hw:(s+1)*hw], d.Images[k*hw:(k+1)*hw], d.H, d.W, randomAffine(aug.seed, aug.first+int64(s), d.H, d.W))
		} else {
			d.imageTo(w.x[s*hw:(s+1)*hw], k)
		}
		w.labels[s] = d.Labels[k]
	}
	return forward(w.layers, w.x, n)
}

// publish makes the current state visible to Progress.
func (t *Trainer) publish() {
	p := &Progress{
		Step: t.step, Epoch: t.epoch, EpochFraction: float64(t.pos) / float64(t.train.N),
		SamplesSeen: t.seen, TrainLoss: t.lossAvg, TrainAccuracy: t.accAvg,
		TestAccuracy: t.testAcc, TestLoss: t.testLoss, TestFull: t.testFull, TestAt: t.testAt,
		SamplesPerSec: t.sps, Running: t.running, Config: t.cfg,
	}
	t.prog.Store(p)
}
