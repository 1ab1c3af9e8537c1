package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"convscope/nn"
)

// CheckpointName is the checkpoint's file name inside the state directory.
const CheckpointName = "model.ckpt"

// Probe is the digit whose activations every viewer sees.
type Probe struct {
	Source string `json:"source"` // "test" or "user"
	Index  int    `json:"index"`  // test-set index; -1 for a user's digit
	Label  int    `json:"label"`  // true class; -1 for a user's digit
}

type probeState struct {
	Probe
	input []float32
}

// published is a copy of the model taken in the training goroutine, with the progress at
// that moment. Nobody mutates it: any goroutine may read it.
type published struct {
	m   *nn.Model
	p   nn.Progress
	seq uint64
}

// checkpointExtra is what the session keeps in a checkpoint's extra blob.
type checkpointExtra struct {
	History History `json:"history"`
	Probe   *Probe  `json:"probe,omitempty"`
}

// Session is the one training run of a server: an nn.Trainer whose Run goes in its own
// goroutine, the snapshots it publishes, the metric history and the probe.
type Session struct {
	log     *slog.Logger
	tm      Timings
	train   *nn.Dataset
	test    *nn.Dataset
	trainer *nn.Trainer
	ckpt    string // checkpoint path, "" for none
	hub     *hub
	model   ModelInfo // the architecture never changes during a run

	latest    atomic.Pointer[published]
	seq       atomic.Uint64
	wantClone atomic.Bool   // somebody needs a fresh copy even with no viewer
	wake      chan struct{} // capacity 1: the snapshot goroutine has work
	probeDirt atomic.Bool   // the probe changed since the last activations frame

	// Owned by the training goroutine.
	lastVisual time.Time
	lastSave   time.Time

	hist history

	probeMu sync.Mutex
	probe   probeState

	restored bool
}

// ModelInfo is what GET /api/model and hello describe.
type ModelInfo struct {
	Spec   nn.Spec        `json:"spec"`
	Layers []nn.LayerInfo `json:"layers"`
	Params int            `json:"params"`
}

func modelInfo(m *nn.Model) ModelInfo {
	return ModelInfo{Spec: m.Spec(), Layers: m.Layers(), Params: m.NumParams()}
}

// newSession resumes from the checkpoint in opts.StateDir when there is a good one, else
// builds a fresh model. A checkpoint that cannot be read is moved aside, never deleted.
func newSession(opts Options, tm Timings, log *slog.Logger, h *hub) (*Session, error) {
	s := &Session{log: log, tm: tm, train: opts.Train, test: opts.Test, hub: h,
		wake: make(chan struct{}, 1)}
	var extra []byte
	if opts.StateDir != "" {
		if err := os.MkdirAll(opts.StateDir, 0o755); err != nil {
			return nil, fmt.Errorf("state dir: %w", err)
		}
		s.ckpt = filepath.Join(opts.StateDir, CheckpointName)
		t, x, err := nn.RestoreTrainer(s.ckpt, opts.Train, opts.Test)
		switch {
		case err == nil:
			s.trainer, extra, s.restored = t, x, true
			p := t.Progress()
			log.Info("resuming from checkpoint", "path", s.ckpt, "model", t.Model().Spec().Name,
				"step", p.Step, "epoch", p.Epoch, "test_accuracy", p.TestAccuracy)
		case errors.Is(err, fs.ErrNotExist):
		case !errors.Is(err, nn.ErrBadCheckpoint):
			// Not the file's fault (permissions, I/O): starting fresh would later
			// overwrite a checkpoint that may be good.
			return nil, fmt.Errorf("read checkpoint: %w", err)
		default:
			aside := fmt.Sprintf("%s.corrupt-%s", s.ckpt, time.Now().UTC().Format("20060102T150405Z"))
			log.Error("checkpoint unusable, moving it aside and starting fresh",
				"path", s.ckpt, "err", err, "moved_to", aside)
			if rerr := os.Rename(s.ckpt, aside); rerr != nil {
				return nil, fmt.Errorf("move unusable checkpoint aside: %w", rerr)
			}
		}
	}
	if s.trainer == nil {
		spec, cfg := opts.Spec, opts.Config
		if len(spec.Layers) == 0 {
			spec = nn.DefaultSpec()
		}
		if cfg == (nn.Config{}) {
			cfg = nn.DefaultConfig()
		}
		m, err := nn.NewModel(spec, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("new model: %w", err)
		}
		t, err := nn.NewTrainer(m, opts.Train, opts.Test, cfg)
		if err != nil {
			return nil, fmt.Errorf("new trainer: %w", err)
		}
		s.trainer = t
	}
	m := s.trainer.Model() // Run has not started: reading it here is safe
	s.model = modelInfo(m)
	s.latest.Store(&published{m: m.Clone(), p: s.trainer.Progress(), seq: s.seq.Add(1)})

	probe := Probe{Source: "test", Index: opts.ProbeIndex}
	if len(extra) > 0 {
		var x checkpointExtra
		if err := json.Unmarshal(extra, &x); err != nil {
			log.Warn("checkpoint extra unreadable, history starts over", "err", err)
		} else {
			if !s.hist.restore(x.History) {
				log.Warn("checkpoint history inconsistent, history starts over")
			}
			if x.Probe != nil && x.Probe.Source == "test" {
				probe.Index = x.Probe.Index
			}
		}
	}
	if probe.Index < 0 || probe.Index >= opts.Test.N {
		probe.Index = 0
	}
	s.setProbeTest(probe.Index)
	if opts.Paused {
		if err := s.trainer.Do(nn.Command{Action: "pause"}); err != nil {
			return nil, fmt.Errorf("pause: %w", err)
		}
	}
	s.trainer.SetOnStep(s.onStep)
	return s, nil
}

// onStep runs in the training goroutine after every step and every command. With no
// viewer it only checks the autosave clock; otherwise it publishes a copy of the model
// when a visual tick is due. It never blocks.
func (s *Session) onStep(m *nn.Model, p nn.Progress) {
	now := time.Now()
	if s.ckpt != "" && p.Running && now.Sub(s.lastSave) >= s.tm.Autosave {
		if !s.lastSave.IsZero() {
			s.save()
		}
		s.lastSave = now
	}
	if p.Running {
		if s.hub.viewers.Load() == 0 && !s.wantClone.Load() {
			return
		}
		if now.Sub(s.lastVisual) < s.tm.Visual {
			return
		}
	}
	// Paused: this call follows a command (rare), so always publish.
	s.lastVisual = now
	s.wantClone.Store(false)
	s.latest.Store(&published{m: m.Clone(), p: p, seq: s.seq.Add(1)})
	s.kick()
}

func (s *Session) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// save writes the checkpoint with the history and probe. It runs in the training
// goroutine (from onStep) or after Run has returned, as nn.Trainer.Save requires.
func (s *Session) save() {
	if s.ckpt == "" {
		return
	}
	pr := s.currentProbe()
	x := checkpointExtra{History: s.hist.snapshot(), Probe: &pr}
	extra, err := json.Marshal(x)
	if err != nil {
		s.log.Error("encode checkpoint extra", "err", err)
		return
	}
	start := time.Now()
	if err := s.trainer.Save(s.ckpt, extra); err != nil {
		s.log.Error("save checkpoint", "path", s.ckpt, "err", err)
		return
	}
	p := s.trainer.Progress()
	s.log.Info("checkpoint saved", "path", s.ckpt, "step", p.Step, "epoch", p.Epoch,
		"test_accuracy", p.TestAccuracy, "took", time.Since(start).Round(time.Millisecond))
}

// BeforeResetName is the copy of the checkpoint kept when the class resets the network:
// a reset by mistake is undone by stopping the server and renaming it to CheckpointName.
const BeforeResetName = CheckpointName + ".before-reset"

// keepBeforeReset keeps the checkpoint on disk (at most Timings.Autosave old) as
// BeforeResetName before a reset lets the next save replace it. It is a hard link, made
// under a temporary name and renamed into place: no copy, and BeforeResetName is always a
// whole file. Saves replace CheckpointName by renaming a new file over it, so the link
// keeps the old content.
func (s *Session) keepBeforeReset() {
	if s.ckpt == "" {
		return
	}
	dir := filepath.Dir(s.ckpt)
	dst, tmp := filepath.Join(dir, BeforeResetName), filepath.Join(dir, BeforeResetName+".tmp")
	os.Remove(tmp) // a leftover of an interrupted earlier reset
	err := os.Link(s.ckpt, tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return // nothing saved yet
	}
	if err == nil {
		if err = os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		s.log.Error("keep the checkpoint before a reset", "path", dst, "err", err)
		return
	}
	s.log.Info("checkpoint kept before reset", "path", dst)
}

// run trains until ctx is done, then saves the checkpoint. It returns when Run has.
func (s *Session) run(ctx context.Context) {
	if err := s.trainer.Run(ctx); err != nil {
		s.log.Error("training stopped", "err", err)
	}
	s.save()
}

// metricsLoop samples the trainer's progress every Timings.Metrics: it records the
// history and, when somebody watches and something moved (or Timings.Keepalive has passed
// in silence), sends a metrics frame.
// It returns when ctx is done.
func (s *Session) metricsLoop(ctx context.Context) {
	tick := time.NewTicker(s.tm.Metrics)
	defer tick.Stop()
	var last nn.Progress
	var lastSent time.Time
	var watched bool
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			p := s.trainer.Progress()
			s.hist.add(p, now)
			w := s.hub.viewers.Load() > 0
			if !w || (watched && sameMetrics(p, last) && now.Sub(lastSent) < s.tm.Keepalive) {
				watched = w
				continue
			}
			watched, last, lastSent = w, p, now
			s.hub.send(frame{kind: kindMetrics, data: mustJSON(metricsMsg(p, now))})
		}
	}
}

func sameMetrics(a, b nn.Progress) bool {
	return a.Step == b.Step && a.Running == b.Running && a.TestAt == b.TestAt && a.Epoch == b.Epoch
}

// snapshotLoop turns published model copies into frames, each encoded once for all
// viewers. It returns when ctx is done.
func (s *Session) snapshotLoop(ctx context.Context, r *renderer) {
	var rendered uint64
	var lastMatches time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		pub := s.latest.Load()
		probeChanged := s.probeDirt.Swap(false)
		fresh := pub.seq != rendered
		if !fresh && !probeChanged {
			continue
		}
		rendered = pub.seq
		pr := s.probeState()
		now := time.Now()
		if fresh {
			s.sendFrame(r.filters(pub, now))
		}
		s.sendFrame(r.activations(pub, pr, now))
		if probeChanged {
			s.sendFrame(r.edges(pub, pr, now))
		}
		if fresh && (now.Sub(lastMatches) >= s.tm.Matches || !pub.p.Running) {
			lastMatches = now
			s.sendFrame(r.matches(pub, now))
		}
	}
}

func (s *Session) sendFrame(f frame, err error) {
	if err != nil {
		s.log.Error("encode frame", "kind", f.kind, "err", err)
		return
	}
	if f.data != nil {
		s.hub.send(f)
	}
}

// current returns the latest published copy of the model; it asks the training
// goroutine for a fresher one for next time.
func (s *Session) current() *published {
	s.wantClone.Store(true)
	return s.latest.Load()
}

func (s *Session) probeState() probeState {
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	return s.probe
}

func (s *Session) currentProbe() Probe { return s.probeState().Probe }

// setProbeTest makes test digit i the probe.
func (s *Session) setProbeTest(i int) (Probe, error) {
	if i < 0 || i >= s.test.N {
		return Probe{}, fmt.Errorf("test_index %d out of range 0..%d", i, s.test.N-1)
	}
	return s.setProbe(probeState{Probe: Probe{Source: "test", Index: i, Label: int(s.test.Labels[i])},
		input: s.test.Image(i)}), nil
}

// setProbeUser makes a user's prepared digit the probe.
func (s *Session) setProbeUser(input []float32) Probe {
	return s.setProbe(probeState{Probe: Probe{Source: "user", Index: -1, Label: -1},
		input: append([]float32(nil), input...)})
}

func (s *Session) setProbe(ps probeState) Probe {
	s.probeMu.Lock()
	s.probe = ps
	s.probeMu.Unlock()
	s.probeDirt.Store(true)
	s.kick()
	return ps.Probe
}

// Progress returns the trainer's latest progress.
func (s *Session) Progress() nn.Progress { return s.trainer.Progress() }
