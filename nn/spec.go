package nn

import "fmt"

// Classes is the number of outputs every model ends with: one per digit.
const Classes = 10

// Limits on what a spec may ask for, so that a spec edited in the browser cannot make the
// server allocate without bound.
const (
	maxDim     = 1024       // largest input height, width or channel count
	maxFilters = 512        // conv output channels
	maxKernel  = 32         // conv kernel size
	maxUnits   = 1 << 14    // dense outputs
	maxLayers  = 64         // layers in one spec
	maxParams  = 20_000_000 // parameters in one model
	maxValues  = 1 << 22    // values in one layer's output for one sample
)

// LayerSpec declares one layer. Type is "conv", "relu", "maxpool", "flatten" or "dense";
// the other fields apply to some types only and are zero elsewhere.
type LayerSpec struct {
	Type    string `json:"type"`
	Filters int    `json:"filters,omitempty"` // conv: output channels
	Kernel  int    `json:"kernel,omitempty"`  // conv: kernel size (square)
	Stride  int    `json:"stride,omitempty"`  // conv/maxpool (default conv 1, pool = size)
	Pad     int    `json:"pad,omitempty"`     // conv: zero padding
	Size    int    `json:"size,omitempty"`    // maxpool window (default 2)
	Units   int    `json:"units,omitempty"`   // dense outputs
}

// Spec declares a sequential model. Softmax with cross-entropy is implied after the last
// layer, whose output must be Classes values.
type Spec struct {
	Name   string      `json:"name"`
	Input  Shape       `json:"input"`
	Layers []LayerSpec `json:"layers"`
}

// mnistInput is the shape of one MNIST digit.
var mnistInput = Shape{C: 1, H: 28, W: 28}

// OneConvSpec is the lesson's first net: conv 1→9 5×5, ReLU, flatten, dense 10.
func OneConvSpec() Spec {
	return Spec{Name: "one-conv", Input: mnistInput, Layers: []LayerSpec{
		{Type: "conv", Filters: 9, Kernel: 5},
		{Type: "relu"},
		{Type: "flatten"},
		{Type: "dense", Units: Classes},
	}}
}

// PyramidSpec is the lesson's pyramid: conv 1→10 5×5, ReLU, pool 2, conv 10→20 5×5, ReLU,
// pool 2, flatten, dense 10.
func PyramidSpec() Spec {
	return Spec{Name: "pyramid", Input: mnistInput, Layers: []LayerSpec{
		{Type: "conv", Filters: 10, Kernel: 5},
		{Type: "relu"},
		{Type: "maxpool", Size: 2},
		{Type: "conv", Filters: 20, Kernel: 5},
		{Type: "relu"},
		{Type: "maxpool", Size: 2},
		{Type: "flatten"},
		{Type: "dense", Units: Classes},
	}}
}

// DefaultSpec is the net the app trains: the lesson's pyramid made wider (16 then 32
// filters) with a small hidden dense layer. The package documentation says why.
func DefaultSpec() Spec {
	return Spec{Name: "default", Input: mnistInput, Layers: []LayerSpec{
		{Type: "conv", Filters: 16, Kernel: 5},
		{Type: "relu"},
		{Type: "maxpool", Size: 2},
		{Type: "conv", Filters: 32, Kernel: 5},
		{Type: "relu"},
		{Type: "maxpool", Size: 2},
		{Type: "flatten"},
		{Type: "dense", Units: 64},
		{Type: "relu"},
		{Type: "dense", Units: Classes},
	}}
}

// Validate reports whether the spec describes a model this package can build.
func (s Spec) Validate() error {
	_, err := s.plan()
	return err
}

// plan checks the spec and returns each layer's description, with defaults filled in.
// Inside the engine a batch of spatial values is channel-major (see doc.go) and a batch of
// flat values is sample-major, so conv and maxpool need a spatial input, dense a flat one,
// and flatten moves from one to the other.
func (s Spec) plan() ([]LayerInfo, error) {
	infos, err := s.planLayers()
	if err != nil {
		return nil, err
	}
	if out := infos[len(infos)-1].Out; out.H != 1 || out.W != 1 || out.C != Classes || !flatAfter(infos) {
		return nil, fmt.Errorf("spec %q: the last layer must give %d flat outputs (one per digit), got %v", s.Name, Classes, out)
	}
	return infos, nil
}

// flatAfter reports whether the last of the layers gives a flat output.
func flatAfter(infos []LayerInfo) bool {
	for _, info := range infos {
		if info.Type == "flatten" {
			return true
		}
	}
	return false
}

// planLayers checks each layer and returns their descriptions, without requiring the
// last one to give Classes outputs.
func (s Spec) planLayers() ([]LayerInfo, error) {
	in := s.Input
	if in.C < 1 || in.H < 1 || in.W < 1 || in.C > maxDim || in.H > maxDim || in.W > maxDim {
		return nil, fmt.Errorf("spec %q: input shape %v: each of c, h, w must be in 1..%d", s.Name, in, maxDim)
	}
	if len(s.Layers) == 0 {
		return nil, fmt.Errorf("spec %q: no layers", s.Name)
	}
	if len(s.Layers) > maxLayers {
		return nil, fmt.Errorf("spec %q: %d layers, at most %d", s.Name, len(s.Layers), maxLayers)
	}
	flat := false
	count := map[string]int{}
	total := map[string]int{}
	for _, l := range s.Layers {
		total[l.Type]++
	}
	infos := make([]LayerInfo, 0, len(s.Layers))
	params := 0
	for i, l := range s.Layers {
		info := LayerInfo{Index: i, Type: l.Type, In: in, Spec: l}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("spec %q: layer %d (%s): %s", s.Name, i, l.Type, fmt.Sprintf(format, args...))
		}
		switch l.Type {
		case "conv":
			if flat {
				return nil, bad("a conv layer needs a spatial input, not the output of flatten or dense")
			}
			if l.Filters < 1 || l.Filters > maxFilters {
				return nil, bad("filters = %d, want 1..%d", l.Filters, maxFilters)
			}
			if l.Kernel < 1 || l.Kernel > maxKernel {
				return nil, bad("kernel = %d, want 1..%d", l.Kernel, maxKernel)
			}
			if l.Stride == 0 {
				info.Spec.Stride = 1
			}
			if info.Spec.Stride < 1 || info.Spec.Stride > maxKernel {
				return nil, bad("stride = %d, want 1..%d", l.Stride, maxKernel)
			}
			if l.Pad < 0 || l.Pad >= l.Kernel {
				return nil, bad("pad = %d, want 0..%d", l.Pad, l.Kernel-1)
			}
			if l.Size != 0 || l.Units != 0 {
				return nil, bad("size and units do not apply to conv")
			}
			oh := (in.H+2*l.Pad-l.Kernel)/info.Spec.Stride + 1
			ow := (in.W+2*l.Pad-l.Kernel)/info.Spec.Stride + 1
			if in.H+2*l.Pad < l.Kernel || in.W+2*l.Pad < l.Kernel {
				return nil, bad("kernel %d does not fit input %v with pad %d", l.Kernel, in, l.Pad)
			}
			info.Out = Shape{C: l.Filters, H: oh, W: ow}
			info.Params = l.Filters*in.C*l.Kernel*l.Kernel + l.Filters
		case "maxpool":
			if flat {
				return nil, bad("a maxpool layer needs a spatial input, not the output of flatten or dense")
			}
			if l.Size == 0 {
				info.Spec.Size = 2
			}
			if info.Spec.Size < 1 || info.Spec.Size > maxKernel {
				return nil, bad("size = %d, want 1..%d", l.Size, maxKernel)
			}
			if l.Stride == 0 {
				info.Spec.Stride = info.Spec.Size
			}
			if info.Spec.Stride < 1 || info.Spec.Stride > maxKernel {
				return nil, bad("stride = %d, want 1..%d", l.Stride, maxKernel)
			}
			if l.Filters != 0 || l.Kernel != 0 || l.Pad != 0 || l.Units != 0 {
				return nil, bad("filters, kernel, pad and units do not apply to maxpool")
			}
			if in.H < info.Spec.Size || in.W < info.Spec.Size {
				return nil, bad("window %d does not fit input %v", info.Spec.Size, in)
			}
			info.Out = Shape{C: in.C, H: (in.H-info.Spec.Size)/info.Spec.Stride + 1, W: (in.W-info.Spec.Size)/info.Spec.Stride + 1}
		case "relu":
			if l != (LayerSpec{Type: "relu"}) {
				return nil, bad("relu takes no settings")
			}
			info.Out = in
		case "flatten":
			if l != (LayerSpec{Type: "flatten"}) {
				return nil, bad("flatten takes no settings")
			}
			flat = true
			info.Out = Shape{C: in.Size(), H: 1, W: 1}
		case "dense":
			if !flat {
				return nil, bad("a dense layer needs a flat input: put a flatten layer before it")
			}
			if l.Units < 1 || l.Units > maxUnits {
				return nil, bad("units = %d, want 1..%d", l.Units, maxUnits)
			}
			if l.Filters != 0 || l.Kernel != 0 || l.Stride != 0 || l.Pad != 0 || l.Size != 0 {
				return nil, bad("only units applies to dense")
			}
			info.Out = Shape{C: l.Units, H: 1, W: 1}
			info.Params = l.Units*in.Size() + l.Units
		default:
			return nil, bad("unknown layer type %q (want conv, relu, maxpool, flatten or dense)", l.Type)
		}
		if info.Out.Size() > maxValues {
			return nil, bad("output %v has more than %d values", info.Out, maxValues)
		}
		params += info.Params
		if params > maxParams {
			return nil, fmt.Errorf("spec %q: more than %d parameters", s.Name, maxParams)
		}
		count[l.Type]++
		info.Name = layerName(l.Type, count[l.Type], total[l.Type])
		infos = append(infos, info)
		in = info.Out
	}
	return infos, nil
}

// layerName names the k-th layer of a type that occurs n times: conv, relu and pool
// layers are always numbered ("conv1"); flatten and dense only when there are several.
func layerName(typ string, k, n int) string {
	base := typ
	if typ == "maxpool" {
		base = "pool"
	}
	if n == 1 && (typ == "flatten" || typ == "dense") {
		return base
	}
	return fmt.Sprintf("%s%d", base, k)
}
