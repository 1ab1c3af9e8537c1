package nn

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// A checkpoint file is
//
//	magic    8 bytes  "CSCOPE\x00\x1a"
//	version  uint32   little-endian, checkpointVersion
//	kind     uint32   1 = trainer, 2 = model only
//	meta     uint32 length + JSON (checkpointMeta)
//	arrays   for each array: uint32 length + that many float32, little-endian
//	extra    uint32 length + bytes, opaque to this package
//	sum      32 bytes SHA-256 of everything before it
//
// The arrays are the model's parameters in Model.params order, then (trainer only) the
// optimizer state arrays.
const (
	checkpointMagic   = "CSCOPE\x00\x1a"
	checkpointVersion = 1
	kindTrainer       = 1
	kindModel         = 2
	maxCheckpoint     = 1 << 30 // bytes; far above any model a spec may describe
)

// ErrBadCheckpoint is wrapped by every error about a file that is not a usable
// checkpoint: foreign, truncated, corrupt or of another version.
var ErrBadCheckpoint = errors.New("bad checkpoint")

// checkpointMeta is the JSON part of a checkpoint.
type checkpointMeta struct {
	Spec      Spec     `json:"spec"`
	Config    Config   `json:"config,omitzero"`
	Progress  Progress `json:"progress,omitzero"`
	Running   bool     `json:"running,omitempty"`
	AdamStep  int64    `json:"adam_step,omitempty"`
	EpochRNG  []byte   `json:"epoch_rng,omitempty"`
	Pos       int      `json:"pos,omitempty"`
	LossAvgN  int      `json:"loss_avg_n,omitempty"`
	NumArrays int      `json:"num_arrays"`
}

// encode writes a checkpoint of the given kind to a buffer.
func encode(kind uint32, meta checkpointMeta, arrays [][]float32, extra []byte) []byte {
	meta.NumArrays = len(arrays)
	js, err := json.Marshal(meta)
	if err != nil {
		panic(fmt.Sprintf("nn: encode checkpoint meta: %v", err))
	}
	size := 8 + 4 + 4 + 4 + len(js) + 4 + len(extra) + sha256.Size
	for _, a := range arrays {
		size += 4 + 4*len(a)
	}
	b := make([]byte, 0, size)
	b = append(b, checkpointMagic...)
	b = binary.LittleEndian.AppendUint32(b, checkpointVersion)
	b = binary.LittleEndian.AppendUint32(b, kind)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	for _, a := range arrays {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(a)))
		for _, v := range a {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(extra)))
	b = append(b, extra...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// decoded is a checked checkpoint.
type decoded struct {
	meta   checkpointMeta
	arrays [][]float32
	extra  []byte
}

// decode checks a checkpoint's magic, version, kind and checksum and splits it up.
func decode(b []byte, kind uint32) (*decoded, error) {
	if len(b) < 8 || string(b[:8]) != checkpointMagic {
		return nil, fmt.Errorf("not a convscope checkpoint (wrong magic): %w", ErrBadCheckpoint)
	}
	if len(b) < 8+12+sha256.Size {
		return nil, fmt.Errorf("truncated (%d bytes): %w", len(b), ErrBadCheckpoint)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != checkpointVersion {
		return nil, fmt.Errorf("version %d, this program reads version %d: %w", v, checkpointVersion, ErrBadCheckpoint)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("checksum mismatch (truncated or corrupt file): %w", ErrBadCheckpoint)
	}
	if k := binary.LittleEndian.Uint32(b[12:]); k != kind {
		return nil, fmt.Errorf("holds kind %d, want %d (trainer vs model): %w", k, kind, ErrBadCheckpoint)
	}
	r := body[16:]
	next := func(n int) ([]byte, error) {
		if n < 0 || n > len(r) {
			return nil, fmt.Errorf("field runs past the end: %w", ErrBadCheckpoint)
		}
		f := r[:n]
		r = r[n:]
		return f, nil
	}
	length := func() (int, error) {
		f, err := next(4)
		if err != nil {
			return 0, err
		}
		return int(binary.LittleEndian.Uint32(f)), nil
	}
	d := &decoded{}
	n, err := length()
	if err != nil {
		return nil, err
	}
	js, err := next(n)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(js, &d.meta); err != nil {
		return nil, fmt.Errorf("meta: %v: %w", err, ErrBadCheckpoint)
	}
	if d.meta.NumArrays < 0 || d.meta.NumArrays > 4*maxLayers*3 {
		return nil, fmt.Errorf("%d arrays: %w", d.meta.NumArrays, ErrBadCheckpoint)
	}
	for range d.meta.NumArrays {
		n, err := length()
		if err != nil {
			return nil, err
		}
		f, err := next(4 * n)
		if err != nil {
			return nil, err
		}
		a := make([]float32, n)
		for i := range a {
			a[i] = math.Float32frombits(binary.LittleEndian.Uint32(f[4*i:]))
		}
		d.arrays = append(d.arrays, a)
	}
	if n, err = length(); err != nil {
		return nil, err
	}
	if d.extra, err = next(n); err != nil {
		return nil, err
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%d unexpected bytes at the end: %w", len(r), ErrBadCheckpoint)
	}
	d.extra = bytes.Clone(d.extra)
	return d, nil
}

// modelFrom builds the model a decoded checkpoint describes and loads its parameters,
// which are the first arrays.
func modelFrom(d *decoded) (*Model, [][]float32, error) {
	infos, err := d.meta.Spec.plan()
	if err != nil {
		return nil, nil, fmt.Errorf("spec: %v: %w", err, ErrBadCheckpoint)
	}
	m := build(d.meta.Spec, infos)
	ps := m.params()
	if len(d.arrays) < len(ps) {
		return nil, nil, fmt.Errorf("%d arrays for %d parameters: %w", len(d.arrays), len(ps), ErrBadCheckpoint)
	}
	for i, p := range ps {
		if len(d.arrays[i]) != len(p.W) {
			return nil, nil, fmt.Errorf("%s has %d values, want %d: %w", p.Name, len(d.arrays[i]), len(p.W), ErrBadCheckpoint)
		}
		if !finite(d.arrays[i]) {
			return nil, nil, fmt.Errorf("%s holds NaN or Inf: %w", p.Name, ErrBadCheckpoint)
		}
		copy(p.W, d.arrays[i])
	}
	return m, d.arrays[len(ps):], nil
}

// SaveModel writes m's spec and parameters to w in the checkpoint format.
func SaveModel(w io.Writer, m *Model) error {
	var arrays [][]float32
	for _, p := range m.params() {
		arrays = append(arrays, p.W)
	}
	if _, err := w.Write(encode(kindModel, checkpointMeta{Spec: m.spec}, arrays, nil)); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// LoadModel reads a model written by SaveModel. Foreign, truncated and corrupt input is
// refused with an error wrapping ErrBadCheckpoint.
func LoadModel(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxCheckpoint+1))
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	d, err := decode(b, kindModel)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m, rest, err := modelFrom(d)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("load model: %d extra arrays: %w", len(rest), ErrBadCheckpoint)
	}
	return m, nil
}

// Save writes the trainer's model, optimizer state, progress and position in the epoch,
// with the caller's extra bytes, to path atomically: a temporary file in the same folder
// is written, synced and renamed over path, then the folder is synced. Call it from OnStep
// or when Run is not running.
func (t *Trainer) Save(path string, extra []byte) error {
	var arrays [][]float32
	for _, p := range t.params {
		if !allFinite(p.W) {
			// A diverged run: keep the last good checkpoint rather than one that
			// RestoreTrainer would refuse.
			return fmt.Errorf("save checkpoint: %w", ErrNotFinite)
		}
		arrays = append(arrays, p.W)
	}
	st, step := t.opt.state()
	arrays = append(arrays, st...)
	meta := checkpointMeta{Spec: t.m.spec, Config: t.cfg, Progress: *t.prog.Load(), Running: t.running,
		AdamStep: step, EpochRNG: t.epochRNG, Pos: t.pos, LossAvgN: t.avgN}
	if err := writeAtomic(path, encode(kindTrainer, meta, arrays, extra)); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// ErrNotFinite is returned by Save when a weight is NaN or infinite: training diverged
// (the learning rate was too high), and the file on disk is left as it was.
var ErrNotFinite = errors.New("weights are not finite numbers (training diverged: lower the learning rate and reset)")

func allFinite(w []float32) bool {
	for _, v := range w {
		if v-v != 0 { // NaN or ±Inf
			return false
		}
	}
	return true
}

// writeAtomic replaces path with data so that a crash leaves either the old or the new
// file, never a mix.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// RestoreTrainer reads a checkpoint written by Save and returns a trainer that continues
// where the saved one was, with the saved extra bytes. Foreign, truncated and corrupt
// files are refused with an error wrapping ErrBadCheckpoint.
func RestoreTrainer(path string, train, test *Dataset) (*Trainer, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("restore trainer: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpoint+1))
	if err != nil {
		return nil, nil, fmt.Errorf("restore trainer %q: %w", path, err)
	}
	t, extra, err := restore(b, train, test)
	if err != nil {
		return nil, nil, fmt.Errorf("restore trainer %q: %w", path, err)
	}
	return t, extra, nil
}

func restore(b []byte, train, test *Dataset) (*Trainer, []byte, error) {
	d, err := decode(b, kindTrainer)
	if err != nil {
		return nil, nil, err
	}
	m, state, err := modelFrom(d)
	if err != nil {
		return nil, nil, err
	}
	meta := d.meta
	if err := meta.Config.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%v: %w", err, ErrBadCheckpoint)
	}
	t, err := NewTrainer(m, train, test, meta.Config)
	if err != nil {
		return nil, nil, err
	}
	want, _ := t.opt.state()
	if len(state) != len(want) {
		return nil, nil, fmt.Errorf("%d optimizer arrays, want %d: %w", len(state), len(want), ErrBadCheckpoint)
	}
	for i := range want {
		if len(state[i]) != len(want[i]) {
			return nil, nil, fmt.Errorf("optimizer array %d has %d values, want %d: %w", i, len(state[i]), len(want[i]), ErrBadCheckpoint)
		}
		copy(want[i], state[i])
	}
	t.opt.setStep(meta.AdamStep)
	p := meta.Progress
	if meta.Pos < 0 || meta.Pos > train.N || p.Step < 0 || p.Epoch < 0 || p.SamplesSeen < 0 {
		return nil, nil, fmt.Errorf("position out of range: %w", ErrBadCheckpoint)
	}
	if meta.EpochRNG != nil {
		rng := &rand.PCG{}
		if err := rng.UnmarshalBinary(meta.EpochRNG); err != nil {
			return nil, nil, fmt.Errorf("rng state: %v: %w", err, ErrBadCheckpoint)
		}
		t.rng = rng
		t.shuffle()
	}
	t.pos = meta.Pos
	t.step, t.epoch, t.seen = p.Step, p.Epoch, p.SamplesSeen
	t.lossAvg, t.accAvg, t.avgN = p.TrainLoss, p.TrainAccuracy, meta.LossAvgN
	t.testAcc, t.testLoss, t.testFull, t.testAt = p.TestAccuracy, p.TestLoss, p.TestFull, p.TestAt
	t.running = meta.Running
	t.publish()
	return t, d.extra, nil
}
