package server

import (
	"encoding/json"
	"fmt"
	"time"

	"convscope/nn"
	"convscope/nn/filters"
)

// Messages of docs/PROTOCOL.md §1.1, as Go values.

type helloMsg struct {
	Type     string     `json:"type"`
	T        float64    `json:"t"`
	Protocol int        `json:"protocol"`
	Model    ModelInfo  `json:"model"`
	Config   nn.Config  `json:"config"`
	Progress metrics    `json:"progress"`
	History  History    `json:"history"`
	Probe    Probe      `json:"probe"`
	TestSize int        `json:"test_size"`
	Rates    helloRates `json:"rates"`
	Restored bool       `json:"restored"`
	Border   string     `json:"border"`
}

type helloRates struct {
	MetricsMS int64 `json:"metrics_ms"`
	VisualMS  int64 `json:"visual_ms"`
	MatchesMS int64 `json:"matches_ms"`
}

// metrics is nn.Progress without the config: the fields of a metrics frame and of
// GET /api/status.
type metrics struct {
	Step          int64   `json:"step"`
	Epoch         int     `json:"epoch"`
	EpochFraction float64 `json:"epoch_fraction"`
	SamplesSeen   int64   `json:"samples_seen"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestAccuracy  float64 `json:"test_accuracy"`
	TestLoss      float64 `json:"test_loss"`
	TestFull      bool    `json:"test_full"`
	TestAt        int64   `json:"test_at"`
	SamplesPerSec float64 `json:"samples_per_sec"`
	Running       bool    `json:"running"`
}

func toMetrics(p nn.Progress) metrics {
	return metrics{Step: p.Step, Epoch: p.Epoch, EpochFraction: p.EpochFraction,
		SamplesSeen: p.SamplesSeen, TrainLoss: p.TrainLoss, TrainAccuracy: p.TrainAccuracy,
		TestAccuracy: p.TestAccuracy, TestLoss: p.TestLoss, TestFull: p.TestFull,
		TestAt: p.TestAt, SamplesPerSec: p.SamplesPerSec, Running: p.Running}
}

type metricsFrame struct {
	Type string  `json:"type"`
	T    float64 `json:"t"`
	metrics
}

func metricsMsg(p nn.Progress, at time.Time) metricsFrame {
	return metricsFrame{Type: "metrics", T: millis(at), metrics: toMetrics(p)}
}

type statusMsg struct {
	Type    string    `json:"type"`
	T       float64   `json:"t"`
	Event   string    `json:"event"`
	Running bool      `json:"running"`
	Step    int64     `json:"step"`
	Config  nn.Config `json:"config"`
	Probe   Probe     `json:"probe"`
}

type matchMsg struct {
	Filter  int     `json:"filter"`
	Bank    int     `json:"bank"`
	Name    string  `json:"name"`
	Score   float64 `json:"score"`
	Negated bool    `json:"negated"`
}

type matchesMsg struct {
	Type    string     `json:"type"`
	T       float64    `json:"t"`
	Step    int64      `json:"step"`
	Layer   int        `json:"layer"`
	Matches []matchMsg `json:"matches"`
}

type errorMsg struct {
	Type  string  `json:"type"`
	T     float64 `json:"t"`
	Error string  `json:"error"`
}

// mustJSON marshals a wire message. Its types always marshal, but a float that is not
// finite (a diverged run's loss) cannot be JSON: then the viewers get an error message in
// its place, and the goroutine that sends it lives on.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(errorMsg{Type: "error", T: millis(time.Now()),
			Error: fmt.Sprintf("the server could not encode a %T message: %v", v, err)})
	}
	return b
}

// renderer turns a published model into binary and JSON frames. It is used by the
// snapshot goroutine only, except bankFrame which is built once at start.
type renderer struct {
	bank    []filters.Filter
	matcher *filters.Matcher // for the first conv layer's kernel size; nil without conv
	first   int              // layer index of the first conv layer, -1 if none
}

func newRenderer(info ModelInfo) *renderer {
	r := &renderer{bank: filters.Bank(), first: -1}
	for _, l := range info.Layers {
		if l.Type == "conv" {
			r.first = l.Index
			r.matcher = filters.NewMatcher(r.bank, l.Spec.Kernel)
			break
		}
	}
	return r
}

type bankFilter struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	Group       string  `json:"group"`
	Family      string  `json:"family"`
	Size        int     `json:"size"`
	AngleDeg    float64 `json:"angle_deg"`
	Sigma       float64 `json:"sigma"`
	Description string  `json:"description"`
}

// bankFrame is the hand-made filters for the edge view (kind 4), sent once per viewer.
func (r *renderer) bankFrame(at time.Time) (frame, error) {
	meta := struct {
		Filters     []bankFilter `json:"filters"`
		Description string       `json:"description"`
		Border      string       `json:"border"`
	}{Description: filters.Describe(), Border: filters.Border}
	ts := make([]Tensor, len(r.bank))
	for i, f := range r.bank {
		group := "lm"
		if f.Family == filters.FamilyLesson || f.Family == filters.FamilySobel {
			group = "lesson"
		}
		meta.Filters = append(meta.Filters, bankFilter{ID: i, Name: f.Name, Group: group,
			Family: f.Family, Size: f.Size, AngleDeg: f.AngleDeg, Sigma: f.Sigma,
			Description: describeFilter(f)})
		v := make([]float32, len(f.Data))
		for j, x := range f.Data {
			v[j] = float32(x)
		}
		ts[i] = Quantise(i, [4]int{1, 1, f.Size, f.Size}, v)
	}
	b, err := EncodeBinary(BinBank, 0, at, meta, ts)
	return frame{kind: kindBank, binary: true, data: b}, err
}

func describeFilter(f filters.Filter) string {
	switch f.Family {
	case filters.FamilyLesson:
		return fmt.Sprintf("the lesson's 3×3 %s edge kernel", f.Name)
	case filters.FamilySobel:
		return fmt.Sprintf("Sobel %s: a smoothed edge kernel", f.Name)
	case filters.FamilyEdge:
		return fmt.Sprintf("edge at %g°: first derivative of an elongated Gaussian, σ=%.2g", f.AngleDeg, f.Sigma)
	case filters.FamilyBar:
		return fmt.Sprintf("bar at %g°: second derivative of an elongated Gaussian, σ=%.2g", f.AngleDeg, f.Sigma)
	case filters.FamilyLoG:
		return fmt.Sprintf("spot/blob: Laplacian of Gaussian, σ=%.2g", f.Sigma)
	case filters.FamilyGauss:
		return fmt.Sprintf("blur: Gaussian, σ=%.2g", f.Sigma)
	}
	return f.Name
}

type filtersMeta struct {
	Layers []filtersLayer `json:"layers"`
}

type filtersLayer struct {
	Index int       `json:"index"`
	Name  string    `json:"name"`
	Bias  []float32 `json:"bias"`
}

// filters is every conv layer's kernels (kind 1).
func (r *renderer) filters(pub *published, at time.Time) (frame, error) {
	f := frame{kind: kindFilters, binary: true}
	cw := pub.m.ConvWeights()
	var meta filtersMeta
	ts := make([]Tensor, len(cw))
	for i, c := range cw {
		meta.Layers = append(meta.Layers, filtersLayer{Index: c.Layer.Index, Name: c.Layer.Name, Bias: c.B})
		ts[i] = Quantise(c.Layer.Index, [4]int{c.Out, c.In, c.K, c.K}, c.W)
	}
	b, err := EncodeBinary(BinFilters, pub.p.Step, at, meta, ts)
	f.data = b
	return f, err
}

type activationsMeta struct {
	Probe         Probe        `json:"probe"`
	Probabilities []float32    `json:"probabilities"`
	Predicted     int          `json:"predicted"`
	Derived       []Derivation `json:"derived"`
}

// traceTensors quantises a trace: the input (id InputID) then every layer's output.
// With derive, the outputs of ReLU and Flatten layers are left out and described by
// derivations from their input layer's record instead.
func traceTensors(tr *nn.Trace, in nn.Shape, derive bool) ([]Tensor, []Derivation) {
	ts := make([]Tensor, 0, 1+len(tr.Outputs))
	ds := []Derivation{}
	ts = append(ts, Quantise(InputID, [4]int{1, in.C, in.H, in.W}, tr.Input))
	from := InputID
	for _, a := range tr.Outputs {
		l := a.Layer
		op := ""
		switch l.Type {
		case "relu":
			op = OpReLU
		case "flatten":
			op = OpFlatten
		}
		if derive && op != "" {
			ds = append(ds, Derivation{ID: l.Index, From: from, Op: op})
		} else {
			o := l.Out
			ts = append(ts, Quantise(l.Index, [4]int{1, o.C, o.H, o.W}, a.Data))
		}
		from = l.Index
	}
	return ts, ds
}

// activations is every layer's output for the probe (kind 2), without the records that
// the viewer rebuilds from others.
func (r *renderer) activations(pub *published, pr probeState, at time.Time) (frame, error) {
	f := frame{kind: kindActivations, binary: true}
	tr := pub.m.Trace(pr.input)
	ts, ds := traceTensors(tr, pub.m.Spec().Input, true)
	meta := activationsMeta{Probe: pr.Probe, Probabilities: tr.Probs, Predicted: nn.Argmax(tr.Probs), Derived: ds}
	b, err := EncodeBinary(BinActivations, pub.p.Step, at, meta, ts)
	f.data = b
	return f, err
}

// edges is the probe's responses to every hand-made filter (kind 3).
func (r *renderer) edges(pub *published, pr probeState, at time.Time) (frame, error) {
	f := frame{kind: kindEdges, binary: true}
	in := pub.m.Spec().Input
	if in.C != 1 {
		return f, nil // the hand-made filters are single-channel
	}
	maps := filters.ApplyBank(pr.input, in.H, in.W, r.bank)
	ts := make([]Tensor, len(maps))
	for i, m := range maps {
		ts[i] = Quantise(i, [4]int{1, 1, in.H, in.W}, m)
	}
	meta := struct {
		Probe Probe `json:"probe"`
	}{pr.Probe}
	b, err := EncodeBinary(BinEdges, pub.p.Step, at, meta, ts)
	f.data = b
	return f, err
}

// matches is the closest hand-made filter of every first-layer learned filter.
func (r *renderer) matches(pub *published, at time.Time) (frame, error) {
	f := frame{kind: kindMatches}
	if r.matcher == nil {
		return f, nil
	}
	cw := pub.m.ConvWeights()[0]
	if cw.In != 1 {
		return f, nil // hand-made filters see one channel
	}
	learned := make([][]float32, cw.Out)
	for o := range cw.Out {
		learned[o] = cw.W[o*cw.K*cw.K : (o+1)*cw.K*cw.K]
	}
	msg := matchesMsg{Type: "matches", T: millis(at), Step: pub.p.Step, Layer: r.first}
	for _, m := range r.matcher.MatchAll(learned) {
		msg.Matches = append(msg.Matches, matchMsg{Filter: m.Learned, Bank: m.Filter,
			Name: m.Name, Score: m.Score, Negated: m.Negated})
	}
	f.data = mustJSON(msg)
	return f, nil
}
