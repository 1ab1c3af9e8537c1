package filters

import "fmt"

// Families of filters, the values of [Filter.Family].
const (
	// FamilyLesson is the lesson's 3×3 edge kernels.
	FamilyLesson = "lesson"
	// FamilySobel is the Sobel pair.
	FamilySobel = "sobel"
	// FamilyEdge is LM's first derivative, across, of an elongated Gaussian.
	FamilyEdge = "lm-edge"
	// FamilyBar is LM's second derivative, across, of an elongated Gaussian.
	FamilyBar = "lm-bar"
	// FamilyLoG is LM's Laplacian of Gaussian.
	FamilyLoG = "lm-log"
	// FamilyGauss is LM's Gaussian (made zero mean, as the reference does).
	FamilyGauss = "lm-gauss"
)

// Filter is one hand-made kernel.
type Filter struct {
	Name   string `json:"name"`   // short, unique in its bank, e.g. "edge 30° σ=1"
	Family string `json:"family"` // one of the Family constants
	Size   int    `json:"size"`   // the support is Size×Size
	// Data holds Size*Size weights, row-major, row 0 at the top: Data[y*Size+x].
	Data []float64 `json:"data"`
	// AngleDeg is the direction of the edge or bar a filter answers to (an oriented
	// filter's long axis) in degrees, counter-clockwise from the x axis as seen on
	// screen: 90 for the vertical lesson kernel and sobel-x, 0 for LoGs and Gaussians.
	AngleDeg float64 `json:"angle_deg"`
	// Sigma is the Gaussian's σ in pixels: across the long axis for oriented filters,
	// the σ actually used for Gaussians and LoGs (so 3σ for the wide LoG); 0 for the
	// lesson and Sobel kernels.
	Sigma float64 `json:"sigma"`
	Index int     `json:"index"` // position in the bank it was built in
}

// At returns the weight at row y, column x.
func (f Filter) At(y, x int) float64 { return f.Data[y*f.Size+x] }

// Oriented reports whether f belongs to an oriented family (edge or bar).
func (f Filter) Oriented() bool { return f.Family == FamilyEdge || f.Family == FamilyBar }

func newFilter(name, family string, size int, data []float64) Filter {
	if len(data) != size*size {
		panic(fmt.Sprintf("filters: %s has %d weights, want %d", name, len(data), size*size))
	}
	return Filter{Name: name, Family: family, Size: size, Data: data}
}

// Lesson returns the lesson's two 3×3 edge kernels, exactly as the lesson writes them:
// "vertical" (rows [-1 0 1] three times: it answers to vertical edges, dark on the
// left, bright on the right) and "horizontal" (rows [-1 -1 -1], [0 0 0], [1 1 1]:
// horizontal edges, dark above, bright below). They are zero mean; their L1 norm is 6.
func Lesson() []Filter {
	v := newFilter("vertical", FamilyLesson, 3, []float64{
		-1, 0, 1,
		-1, 0, 1,
		-1, 0, 1,
	})
	h := newFilter("horizontal", FamilyLesson, 3, []float64{
		-1, -1, -1,
		0, 0, 0,
		1, 1, 1,
	})
	v.AngleDeg, v.Index = 90, 0
	h.AngleDeg, h.Index = 0, 1
	return []Filter{v, h}
}

// Sobel returns the Sobel pair with the lesson's signs: "sobel-x" (bright on the right
// is positive: vertical edges) and "sobel-y" (bright below is positive: horizontal
// edges). Weights are the classic integers (L1 norm 8).
func Sobel() []Filter {
	x := newFilter("sobel-x", FamilySobel, 3, []float64{
		-1, 0, 1,
		-2, 0, 2,
		-1, 0, 1,
	})
	y := newFilter("sobel-y", FamilySobel, 3, []float64{
		-1, -2, -1,
		0, 0, 0,
		1, 2, 1,
	})
	x.AngleDeg, x.Index = 90, 0
	y.AngleDeg, y.Index = 0, 1
	return []Filter{x, y}
}

// Bank returns the set learned filters are compared with: the lesson's kernels, Sobel
// and the digit-sized LM bank ([LMDigit]), in that order (52 filters). The slice and
// its filters are fresh copies; changing them changes nothing else.
func Bank() []Filter {
	lm := LMDigit()
	out := make([]Filter, 0, 4+len(lm))
	out = append(out, Lesson()...)
	out = append(out, Sobel()...)
	return append(out, lm...)
}
