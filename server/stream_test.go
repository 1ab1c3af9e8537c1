package server

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"convscope/nn"
)

func TestHelloFirst(t *testing.T) {
	s := start(t, nil)
	c := s.dial(t)
	m := read(t, c)
	if m.typ != "hello" {
		t.Fatalf("first frame is %q, want hello", m.typ)
	}
	if v := m.json["protocol"]; v != float64(ProtocolVersion) {
		t.Errorf("hello.protocol = %v, want %d", v, ProtocolVersion)
	}
	var h struct {
		Model   ModelInfo `json:"model"`
		History History   `json:"history"`
		Probe   Probe     `json:"probe"`
	}
	if err := json.Unmarshal(m.raw, &h); err != nil {
		t.Fatal(err)
	}
	if want := s.session.model.Params; h.Model.Params != want || len(h.Model.Layers) != len(nn.PyramidSpec().Layers) {
		t.Errorf("hello.model = %d params, %d layers; want %d, %d", h.Model.Params, len(h.Model.Layers), want, len(nn.PyramidSpec().Layers))
	}
	if h.Probe.Source != "test" || h.Probe.Label < 0 || h.Probe.Label > 9 {
		t.Errorf("hello.probe = %+v, want a test digit", h.Probe)
	}
	b := read(t, c)
	if b.typ != "bank" {
		t.Fatalf("second frame is %q, want bank", b.typ)
	}
	var meta struct {
		Filters []bankFilter `json:"filters"`
	}
	if err := json.Unmarshal(b.bin.Meta, &meta); err != nil {
		t.Fatal(err)
	}
	if len(meta.Filters) != len(b.bin.Tensors) || len(meta.Filters) < 48 {
		t.Errorf("bank: %d descriptions, %d kernels; want the same number, ≥ 48", len(meta.Filters), len(b.bin.Tensors))
	}
}

// TestFramesMatchModel: metrics, filters and activations frames arrive and decode to the
// model's shapes, and the filters move as the network learns.
func TestFramesMatchModel(t *testing.T) {
	s := start(t, nil)
	c := s.dial(t)
	layers := s.session.model.Layers

	met := readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) > 0 })
	for _, k := range []string{"step", "epoch", "epoch_fraction", "train_loss", "train_accuracy", "test_accuracy", "samples_per_sec", "running"} {
		if _, ok := met.json[k]; !ok {
			t.Errorf("metrics frame lacks %q: %s", k, met.raw)
		}
	}

	f1 := readUntil(t, c, ofType("filters")).bin
	var convs []nn.LayerInfo
	for _, l := range layers {
		if l.Type == "conv" {
			convs = append(convs, l)
		}
	}
	if len(f1.Tensors) != len(convs) {
		t.Fatalf("filters frame has %d tensors, want %d conv layers", len(f1.Tensors), len(convs))
	}
	for i, l := range convs {
		want := [4]int{l.Out.C, l.In.C, l.Spec.Kernel, l.Spec.Kernel}
		if got := f1.Tensors[i]; got.ID != l.Index || got.Dims != want {
			t.Errorf("filters tensor %d = id %d dims %v, want id %d dims %v", i, got.ID, got.Dims, l.Index, want)
		}
	}
	f2 := readUntil(t, c, func(m msg) bool { return m.typ == "filters" && m.bin.Step > f1.Step }).bin
	if sameValues(f1.Tensors[0].Values(), f2.Tensors[0].Values()) {
		t.Errorf("conv1 filters at step %d and %d are equal; training should change them", f1.Step, f2.Step)
	}

	a := readUntil(t, c, ofType("activations")).bin
	var meta activationsMeta
	if err := json.Unmarshal(a.Meta, &meta); err != nil {
		t.Fatal(err)
	}
	checkDerived(t, a, meta.Derived, layers)
	var sum float64
	for _, p := range meta.Probabilities {
		sum += float64(p)
	}
	if len(meta.Probabilities) != 10 || math.Abs(sum-1) > 1e-3 {
		t.Errorf("activations probabilities = %v (sum %v), want 10 summing to 1", meta.Probabilities, sum)
	}

	mt := readUntil(t, c, ofType("matches"))
	if ms, _ := mt.json["matches"].([]any); len(ms) != convs[0].Out.C {
		t.Errorf("matches frame has %d matches, want %d (one per conv1 filter)", len(ms), convs[0].Out.C)
	}
}

// checkDerived: the frame sends the input and every layer but the ReLU and Flatten ones,
// declares those as derived from their input layer, and decoding plus deriving gives every
// layer in the model's shape, ReLU outputs equal to max(0, source).
func checkDerived(t *testing.T, a *Frame, ds []Derivation, layers []nn.LayerInfo) {
	t.Helper()
	want := map[int]Derivation{}
	sent := []int{InputID}
	from := InputID
	for _, l := range layers {
		switch l.Type {
		case "relu":
			want[l.Index] = Derivation{ID: l.Index, From: from, Op: OpReLU}
		case "flatten":
			want[l.Index] = Derivation{ID: l.Index, From: from, Op: OpFlatten}
		default:
			sent = append(sent, l.Index)
		}
		from = l.Index
	}
	if len(want) == 0 {
		t.Fatal("the test model has no ReLU or Flatten layer")
	}
	if len(a.Tensors) != len(sent) {
		t.Fatalf("activations frame has %d records, want %d (input + layers that are not derived)", len(a.Tensors), len(sent))
	}
	for i, id := range sent {
		if a.Tensors[i].ID != id {
			t.Errorf("activations record %d has id %d, want %d", i, a.Tensors[i].ID, id)
		}
	}
	if len(ds) != len(want) {
		t.Errorf("meta.derived = %+v, want %d entries", ds, len(want))
	}
	for _, d := range ds {
		if want[d.ID] != d {
			t.Errorf("meta.derived has %+v, want %+v", d, want[d.ID])
		}
	}
	all, err := Derive(slices.Clone(a.Tensors), ds)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]Tensor{}
	for _, x := range all {
		byID[x.ID] = x
	}
	if in := byID[InputID]; in.Dims != [4]int{1, 1, 28, 28} {
		t.Errorf("activations input dims %v, want [1 1 28 28]", in.Dims)
	}
	for _, l := range layers {
		got, ok := byID[l.Index]
		if !ok {
			t.Errorf("layer %d (%s): no record after deriving", l.Index, l.Name)
			continue
		}
		if w := [4]int{1, l.Out.C, l.Out.H, l.Out.W}; got.Dims != w {
			t.Errorf("layer %d (%s): dims %v after deriving, want %v", l.Index, l.Name, got.Dims, w)
		}
		if l.Type != "relu" {
			continue
		}
		st := byID[want[l.Index].From]
		src, v := st.Values(), got.Values()
		if len(v) != len(src) {
			continue
		}
		tol := float64(st.Scale) / 2
		for j := range v {
			if e := float64(max(0, src[j])); v[j] < 0 || math.Abs(float64(v[j])-e) > tol {
				t.Fatalf("layer %d (%s): value %d = %v, want max(0, %v)", l.Index, l.Name, j, v[j], src[j])
			}
		}
	}
}

func sameValues(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestProbeChange: a probe message gives everybody activations and edges of that digit.
func TestProbeChange(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	c := s.dial(t)
	other := s.dial(t)
	readUntil(t, c, ofType("activations"))
	if err := c.WriteJSON(map[string]any{"type": "probe", "test_index": 7}); err != nil {
		t.Fatal(err)
	}
	probe7 := func(m msg) bool {
		var meta struct{ Probe Probe }
		return (m.typ == "activations" || m.typ == "edges") && json.Unmarshal(m.bin.Meta, &meta) == nil && meta.Probe.Index == 7
	}
	for _, conn := range []*websocketConn{{c, "sender"}, {other, "other viewer"}} {
		a := readUntil(t, conn.c, func(m msg) bool { return m.typ == "activations" && probe7(m) })
		want := s.opts.Test.Image(7)
		got := a.bin.Tensors[0].Values()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1.0/255 {
				t.Fatalf("%s: probe input pixel %d = %v, want %v", conn.name, i, got[i], want[i])
			}
		}
		e := readUntil(t, conn.c, func(m msg) bool { return m.typ == "edges" && probe7(m) })
		if len(e.bin.Tensors) < 48 {
			t.Errorf("%s: edges frame has %d maps, want one per bank filter", conn.name, len(e.bin.Tensors))
		}
	}
	if err := c.WriteJSON(map[string]any{"type": "probe", "test_index": 100000}); err != nil {
		t.Fatal(err)
	}
	if m := readUntil(t, c, ofType("error")); errorText(m.json) == "" {
		t.Errorf("error frame without a message: %s", m.raw)
	}
}

// TestKeepaliveWhilePaused: a paused class still hears from the server every
// Timings.Keepalive, so a page can tell a dead connection (a laptop that slept, a roaming
// Wi-Fi) from a quiet one and reconnect.
func TestKeepaliveWhilePaused(t *testing.T) {
	s := start(t, func(o *Options) {
		o.Paused = true
		o.Timings.Keepalive = 30 * time.Millisecond
	})
	c := s.dial(t)
	first := readUntil(t, c, ofType("metrics"))
	for range 3 {
		m := readUntil(t, c, ofType("metrics"))
		if m.json["step"] != first.json["step"] || m.json["running"] != false {
			t.Fatalf("paused keepalive metrics = step %v running %v, want step %v and not running",
				m.json["step"], m.json["running"], first.json["step"])
		}
	}
}

// TestMustJSONNeverPanics: a value JSON cannot hold (a diverged run's NaN loss) becomes an
// error message for the viewers instead of a panic in a goroutine that serves them all.
func TestMustJSONNeverPanics(t *testing.T) {
	var got map[string]any
	if err := json.Unmarshal(mustJSON(map[string]float64{"train_loss": math.NaN()}), &got); err != nil {
		t.Fatalf("mustJSON(NaN) is not JSON: %v", err)
	}
	if got["type"] != "error" || !strings.Contains(fmt.Sprint(got["error"]), "could not encode") {
		t.Errorf("mustJSON(NaN) = %v, want an error message", got)
	}
}
