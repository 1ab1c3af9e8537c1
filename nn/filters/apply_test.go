package filters

import (
	"math"
	"math/rand/v2"
	"testing"
)

// applyRef is the obviously-correct correlation: float64, explicit zero padding.
func applyRef(img []float32, h, w int, f Filter) []float64 {
	out := make([]float64, h*w)
	r := (f.Size - 1) / 2
	for y := range h {
		for x := range w {
			var s float64
			for i := range f.Size {
				for j := range f.Size {
					sy, sx := y+i-r, x+j-r
					if sy < 0 || sy >= h || sx < 0 || sx >= w {
						continue
					}
					s += f.At(i, j) * float64(img[sy*w+sx])
				}
			}
			out[y*w+x] = s
		}
	}
	return out
}

func TestApplyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	cases := []struct{ h, w, k int }{{28, 28, 3}, {28, 28, 15}, {5, 7, 15}, {1, 1, 3}, {9, 4, 4}, {6, 11, 1}, {28, 28, 49}}
	for _, c := range cases {
		img := make([]float32, c.h*c.w)
		for i := range img {
			img[i] = rng.Float32()
		}
		f := Filter{Name: "random", Size: c.k, Data: make([]float64, c.k*c.k)}
		for i := range f.Data {
			f.Data[i] = rng.NormFloat64()
		}
		got, want := Apply(img, c.h, c.w, f), applyRef(img, c.h, c.w, f)
		for i := range got {
			if math.Abs(float64(got[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
				t.Errorf("Apply(%d×%d, %d×%d kernel)[%d] = %g, want %g", c.h, c.w, c.k, c.k, i, got[i], want[i])
				break
			}
		}
	}
}

// stroke returns a 28×28 image, 0 everywhere but 1 in columns x0..x1.
func stroke(x0, x1 int) []float32 {
	img := make([]float32, 28*28)
	for y := range 28 {
		for x := x0; x <= x1; x++ {
			img[y*28+x] = 1
		}
	}
	return img
}

func TestLessonVerticalOnStroke(t *testing.T) {
	vertical, horizontal := Lesson()[0], Lesson()[1]
	img := stroke(12, 14) // a 3 px vertical stroke
	out := Apply(img, 28, 28, vertical)
	row := 14 * 28
	// Dark-to-bright on the left edge of the stroke, bright-to-dark on the right.
	for _, c := range []struct {
		x    int
		want float32
	}{{10, 0}, {11, 3}, {12, 3}, {13, 0}, {14, -3}, {15, -3}, {16, 0}} {
		if got := out[row+c.x]; got != c.want {
			t.Errorf("vertical on a stroke at x=%d: %g, want %g", c.x, got, c.want)
		}
	}
	// The horizontal kernel sees no edge across a vertical stroke (away from the
	// top and bottom borders, where zero padding makes one).
	h := Apply(img, 28, 28, horizontal)
	for y := 1; y < 27; y++ {
		for x := range 28 {
			if h[y*28+x] != 0 {
				t.Fatalf("horizontal on a vertical stroke at (%d,%d) = %g, want 0", x, y, h[y*28+x])
			}
		}
	}
}

func TestFlatImageGivesNoResponseInside(t *testing.T) {
	flat := make([]float32, 28*28)
	for i := range flat {
		flat[i] = 0.7
	}
	for _, f := range append(append(Lesson(), Sobel()...), LMDigit()...) {
		out := Apply(flat, 28, 28, f)
		r := (f.Size - 1) / 2
		var edge float64
		for y := range 28 {
			for x := range 28 {
				v := math.Abs(float64(out[y*28+x]))
				inside := y >= r && y < 28-r && x >= r && x < 28-r
				if inside && v > 1e-5 {
					t.Fatalf("%s on a flat image at (%d,%d) = %g, want 0", f.Name, x, y, v)
				}
				if !inside {
					edge = max(edge, v)
				}
			}
		}
		// Zero padding: the flat image ends in a step at the border.
		if f.Family == FamilyLesson && edge < 1 {
			t.Errorf("%s on a flat image: largest border response %g, want the padding step (≥ 1)", f.Name, edge)
		}
	}
}

func TestApplyPanicsOnShapeMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Apply with a 10-value image as 28×28 did not panic")
		}
	}()
	Apply(make([]float32, 10), 28, 28, Lesson()[0])
}

func TestApplyBank(t *testing.T) {
	img := benchDigit()
	// The lesson kernels go one by one, the LM filters through the matrix multiply;
	// a lone 3×3 after them and an odd image shape check the grouping and the borders.
	bank := append(Bank(), Sobel()[1])
	bank = append(bank, LMLarge()[:5]...)
	maps := ApplyBank(img, 28, 28, bank)
	if len(maps) != len(bank) {
		t.Fatalf("ApplyBank gave %d maps, want %d", len(maps), len(bank))
	}
	odd := img[:19*28]
	for i, m := range ApplyBank(odd, 28, 19, bank) {
		want := Apply(odd, 28, 19, bank[i])
		for j := range m {
			if d := math.Abs(float64(m[j] - want[j])); d > 1e-5*(1+math.Abs(float64(want[j]))) {
				t.Fatalf("ApplyBank(28×19) map %d (%s)[%d] = %g, want %g (Apply)", i, bank[i].Name, j, m[j], want[j])
			}
		}
	}
	for i, m := range maps {
		want := Apply(img, 28, 28, bank[i])
		for j := range m {
			if d := math.Abs(float64(m[j] - want[j])); d > 1e-5*(1+math.Abs(float64(want[j]))) {
				t.Fatalf("ApplyBank map %d (%s)[%d] = %g, want %g (Apply)", i, bank[i].Name, j, m[j], want[j])
			}
		}
	}
}
