package nn

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestLessonSpecs(t *testing.T) {
	tests := []struct {
		spec   Spec
		params int
		outs   []Shape
	}{
		{OneConvSpec(), 52084, []Shape{{9, 24, 24}, {9, 24, 24}, {5184, 1, 1}, {10, 1, 1}}},
		{PyramidSpec(), 8490, []Shape{{10, 24, 24}, {10, 24, 24}, {10, 12, 12}, {20, 8, 8}, {20, 8, 8}, {20, 4, 4}, {320, 1, 1}, {10, 1, 1}}},
	}
	for _, tt := range tests {
		m, err := NewModel(tt.spec, 1)
		if err != nil {
			t.Fatalf("NewModel(%s): %v", tt.spec.Name, err)
		}
		if got := m.NumParams(); got != tt.params {
			t.Errorf("NewModel(%s).NumParams() = %d, want %d (the lesson's count)", tt.spec.Name, got, tt.params)
		}
		var outs []Shape
		for _, l := range m.Layers() {
			outs = append(outs, l.Out)
		}
		if !reflect.DeepEqual(outs, tt.outs) {
			t.Errorf("NewModel(%s) output shapes = %v, want %v", tt.spec.Name, outs, tt.outs)
		}
	}
}

func TestLayerNames(t *testing.T) {
	m, err := NewModel(PyramidSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range m.Layers() {
		names = append(names, l.Name)
	}
	want := []string{"conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "dense"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("pyramid layer names = %v, want %v", names, want)
	}
}

func TestSpecJSONRoundTrip(t *testing.T) {
	for _, s := range []Spec{OneConvSpec(), PyramidSpec(), DefaultSpec()} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var got Spec
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("JSON round trip of %s = %+v, want %+v", s.Name, got, s)
		}
		if !strings.Contains(string(b), `"input":{"c":1,"h":28,"w":28}`) {
			t.Errorf("json.Marshal(%s) = %s, want the input shape as {\"c\":1,\"h\":28,\"w\":28}", s.Name, b)
		}
	}
}

func TestBadSpecs(t *testing.T) {
	in := Shape{1, 28, 28}
	dense := LayerSpec{Type: "dense", Units: 10}
	flat := LayerSpec{Type: "flatten"}
	tests := []struct {
		name string
		spec Spec
		want string // part of the error
	}{
		{"no layers", Spec{Input: in}, "no layers"},
		{"bad input", Spec{Input: Shape{0, 28, 28}, Layers: []LayerSpec{flat, dense}}, "input shape"},
		{"unknown type", Spec{Input: in, Layers: []LayerSpec{{Type: "softmax"}, flat, dense}}, "unknown layer type"},
		{"no filters", Spec{Input: in, Layers: []LayerSpec{{Type: "conv", Kernel: 3}, flat, dense}}, "filters"},
		{"no kernel", Spec{Input: in, Layers: []LayerSpec{{Type: "conv", Filters: 3}, flat, dense}}, "kernel"},
		{"kernel too big", Spec{Input: Shape{1, 4, 4}, Layers: []LayerSpec{{Type: "conv", Filters: 3, Kernel: 5}, flat, dense}}, "does not fit"},
		{"negative pad", Spec{Input: in, Layers: []LayerSpec{{Type: "conv", Filters: 3, Kernel: 3, Pad: -1}, flat, dense}}, "pad"},
		{"negative stride", Spec{Input: in, Layers: []LayerSpec{{Type: "conv", Filters: 3, Kernel: 3, Stride: -2}, flat, dense}}, "stride"},
		{"pool too big", Spec{Input: Shape{1, 3, 3}, Layers: []LayerSpec{{Type: "maxpool", Size: 4}, flat, dense}}, "does not fit"},
		{"dense without flatten", Spec{Input: in, Layers: []LayerSpec{dense}}, "flatten"},
		{"conv after flatten", Spec{Input: in, Layers: []LayerSpec{flat, {Type: "conv", Filters: 2, Kernel: 1}, dense}}, "spatial"},
		{"wrong output count", Spec{Input: in, Layers: []LayerSpec{flat, {Type: "dense", Units: 7}}}, "10 flat outputs"},
		{"not flat at the end", Spec{Input: Shape{10, 1, 1}, Layers: []LayerSpec{{Type: "relu"}}}, "10 flat outputs"},
		{"relu with settings", Spec{Input: in, Layers: []LayerSpec{{Type: "relu", Units: 3}, flat, dense}}, "no settings"},
		{"huge dense", Spec{Input: in, Layers: []LayerSpec{flat, {Type: "dense", Units: 1 << 20}, dense}}, "units"},
	}
	for _, tt := range tests {
		err := tt.spec.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Spec{%s}.Validate() = %v, want an error about %q", tt.name, err, tt.want)
		}
		if _, err := NewModel(tt.spec, 1); err == nil {
			t.Errorf("NewModel(%s) succeeded, want an error", tt.name)
		}
	}
}
