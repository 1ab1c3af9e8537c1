package nn

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSaveLoadModelSamePredictions(t *testing.T) {
	_, test := loadTestMNIST(t)
	m, err := NewModel(PyramidSpec(), 4)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := SaveModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := LoadModel(&buf)
	if err != nil {
		t.Fatalf("LoadModel(SaveModel(m)): %v", err)
	}
	for i := 0; i < 20; i++ {
		x := test.Image(i)
		if p, q := m.Predict(x), got.Predict(x); !reflect.DeepEqual(p, q) {
			t.Fatalf("loaded model predicts %v for test digit %d, want %v", q, i, p)
		}
	}
}

// trainSteps runs n training steps outside Run.
func trainSteps(t *Trainer, n int) {
	t.startPool()
	defer t.stopPool()
	for range n {
		t.trainStep()
	}
	t.publish()
}

func smallTrainer(t *testing.T, spec Spec, cfg Config) *Trainer {
	t.Helper()
	train, test := loadTestMNIST(t)
	m, err := NewModel(spec, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, train.Subset(512), test.Subset(200), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func weights(m *Model) [][]float32 {
	var w [][]float32
	for _, p := range m.params() {
		w = append(w, append([]float32(nil), p.W...))
	}
	return w
}

// TestSaveRestoreContinues: a trainer restored from a checkpoint takes exactly the same
// next steps as the one that was saved (weights, optimizer state, shuffle, position).
func TestSaveRestoreContinues(t *testing.T) {
	for _, opt := range []string{"adam", "sgd"} {
		cfg := DefaultConfig()
		cfg.Optimizer, cfg.BatchSize, cfg.Workers, cfg.EvalEvery = opt, 24, 2, 7
		if opt == "sgd" {
			cfg.LR = 0.05
		}
		a := smallTrainer(t, PyramidSpec(), cfg)
		trainSteps(a, 30) // crosses an epoch end: 512 samples are 21.3 batches
		a.publish()
		path := filepath.Join(t.TempDir(), "ckpt.bin")
		extra := []byte(`{"server":"state"}`)
		if err := a.Save(path, extra); err != nil {
			t.Fatal(err)
		}
		b, gotExtra, err := RestoreTrainer(path, a.train, a.test)
		if err != nil {
			t.Fatalf("RestoreTrainer: %v", err)
		}
		if !bytes.Equal(gotExtra, extra) {
			t.Errorf("RestoreTrainer extra = %q, want %q", gotExtra, extra)
		}
		pa, pb := a.Progress(), b.Progress()
		pa.SamplesPerSec = 0 // a rate measured while running, not state
		if pa != pb {
			t.Errorf("restored progress = %+v, want %+v", pb, pa)
		}
		trainSteps(a, 15)
		trainSteps(b, 15)
		if !reflect.DeepEqual(weights(a.m), weights(b.m)) {
			t.Errorf("%s: weights 15 steps after restore differ from the uninterrupted run", opt)
		}
	}
}

func TestRestoreRefusesBadFiles(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSize = 16
	a := smallTrainer(t, OneConvSpec(), cfg)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.bin")
	if err := a.Save(good, []byte("x")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(data)
		b[i] ^= 0x10
		return b
	}
	var model bytes.Buffer
	if err := SaveModel(&model, a.m); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", data[:len(data)/2]},
		{"one byte short", data[:len(data)-1]},
		{"bit flip in weights", flip(len(data) / 2)},
		{"bit flip in header", flip(9)},
		{"bit flip in checksum", flip(len(data) - 1)},
		{"foreign", []byte("PK\x03\x04 this is a zip file, not a checkpoint at all......................")},
		{"model, not trainer", model.Bytes()},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, "bad.bin")
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := RestoreTrainer(path, a.train, a.test)
		if !errors.Is(err, ErrBadCheckpoint) {
			t.Errorf("RestoreTrainer(%s file) = %v, want an error wrapping ErrBadCheckpoint", tt.name, err)
		}
	}
	if _, err := LoadModel(bytes.NewReader(data)); !errors.Is(err, ErrBadCheckpoint) {
		t.Errorf("LoadModel(trainer checkpoint) = %v, want ErrBadCheckpoint", err)
	}
	if _, _, err := RestoreTrainer(filepath.Join(dir, "missing.bin"), a.train, a.test); err == nil || errors.Is(err, ErrBadCheckpoint) {
		t.Errorf("RestoreTrainer(missing file) = %v, want a not-found error", err)
	}
}

func TestSaveIsAtomic(t *testing.T) {
	cfg := DefaultConfig()
	a := smallTrainer(t, PyramidSpec(), cfg)
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.bin")
	for i := 0; i < 3; i++ {
		if err := a.Save(path, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "ckpt.bin" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after three saves the folder holds %v, want only ckpt.bin", names)
	}
	if _, extra, err := RestoreTrainer(path, a.train, a.test); err != nil || !bytes.Equal(extra, []byte{2}) {
		t.Errorf("RestoreTrainer = extra %v, %v; want the last save's extra [2]", extra, err)
	}
	if err := a.Save(filepath.Join(dir, "no-such-dir", "x.bin"), nil); err == nil {
		t.Error("Save into a missing folder succeeded, want an error")
	}
}

// TestSaveRefusesDivergedWeights: a run whose weights became NaN leaves the last good
// checkpoint on disk untouched, instead of a file that RestoreTrainer would refuse.
func TestSaveRefusesDivergedWeights(t *testing.T) {
	a := smallTrainer(t, PyramidSpec(), DefaultConfig())
	path := filepath.Join(t.TempDir(), "ckpt.bin")
	if err := a.Save(path, []byte("good")); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a.params[0].W[3] = float32(math.NaN())
	if err := a.Save(path, []byte("bad")); !errors.Is(err, ErrNotFinite) {
		t.Errorf("Save with a NaN weight = %v, want ErrNotFinite", err)
	}
	a.params[0].W[3] = float32(math.Inf(1))
	if err := a.Save(path, []byte("bad")); !errors.Is(err, ErrNotFinite) {
		t.Errorf("Save with an infinite weight = %v, want ErrNotFinite", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, good) {
		t.Error("the good checkpoint was changed by a refused save")
	}
}
