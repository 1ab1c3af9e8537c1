package figures

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"convscope/nn/filters"
)

var update = flag.Bool("update", false, "rewrite the golden figures in testdata/")

// syntheticInput is a fixed, deterministic input: "learned" 5×5 filters made of digit
// bank filters (some negated) plus fixed noise, and three drawn digits.
func syntheticInput() Input {
	rng := rand.New(rand.NewPCG(2026, 11))
	bank := filters.LMDigit()
	picks := []int{1, 3, 8, 19, 22, 37, 40, 5, 27, 14}
	in := Input{K: 5}
	for i, b := range picks {
		v := filters.Resample(bank[b], 5)
		sign := 1.0
		if i%3 == 1 {
			sign = -1
		}
		l := make([]float32, 25)
		for j := range l {
			l[j] = float32(sign*4*v[j] + 0.05*rng.NormFloat64())
		}
		in.Learned = append(in.Learned, l)
	}
	in.Digits = [][]float32{drawDigit(0), drawDigit(1), drawDigit(7), drawDigit(4), drawDigit(8)}
	in.Labels = []int{0, 1, 7, 4, 8}
	return in
}

// drawDigit draws a crude anti-aliased 28×28 digit from line segments and rings.
func drawDigit(d int) []float32 {
	img := make([]float32, 28*28)
	seg := func(x0, y0, x1, y1 float64) {
		for y := range 28 {
			for x := range 28 {
				px, py := float64(x), float64(y)
				dx, dy := x1-x0, y1-y0
				t := math.Max(0, math.Min(1, ((px-x0)*dx+(py-y0)*dy)/(dx*dx+dy*dy)))
				dist := math.Hypot(px-x0-t*dx, py-y0-t*dy)
				v := float32(math.Max(0, math.Min(1, 2-dist)))
				img[y*28+x] = max(img[y*28+x], v)
			}
		}
	}
	ring := func(cx, cy, rx, ry float64) {
		for a := 0; a < 24; a++ {
			t0, t1 := float64(a)*math.Pi/12, float64(a+1)*math.Pi/12
			seg(cx+rx*math.Cos(t0), cy+ry*math.Sin(t0), cx+rx*math.Cos(t1), cy+ry*math.Sin(t1))
		}
	}
	switch d {
	case 0:
		ring(14, 14, 6, 9)
	case 1:
		seg(15, 5, 12, 23)
	case 7:
		seg(8, 6, 20, 6)
		seg(20, 6, 12, 23)
	case 4:
		seg(16, 5, 7, 17)
		seg(7, 17, 21, 17)
		seg(17, 9, 17, 23)
	case 8:
		ring(14, 9, 5, 4)
		ring(14, 18, 6, 5)
	}
	return img
}

func TestRenderGolden(t *testing.T) {
	in := syntheticInput()
	for _, name := range Names() {
		for _, format := range Formats() {
			got, err := Render(name, format, in)
			if err != nil {
				t.Fatalf("Render(%q, %q) error: %v", name, format, err)
			}
			if format == "png" {
				checkPNG(t, name, got)
			}
			path := filepath.Join("testdata", name+"_golden."+format)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden figure (run go test ./figures -update): %v", err)
			}
			if !sameFigure(t, format, got, want) {
				bad := filepath.Join(t.TempDir(), name+"."+format)
				os.WriteFile(bad, got, 0o644)
				t.Errorf("Render(%q, %q) differs from %s (got written to %s)", name, format, path, bad)
			}
		}
	}
}

// TestRenderIsDeterministic: the same input gives the same bytes (slides can be
// regenerated and diffed). One figure is enough here: the goldens cover the rest.
func TestRenderIsDeterministic(t *testing.T) {
	in := syntheticInput()
	a, errA := Render("matches", "png", in)
	b, errB := Render("matches", "png", in)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("Render(matches, png) twice gave different bytes (errors %v, %v)", errA, errB)
	}
}

// checkPNG checks what a slide needs: 1280 px wide (960 pt at 96 dpi), small, and
// actually drawn on.
func checkPNG(t *testing.T, name string, b []byte) {
	t.Helper()
	if len(b) > 100<<10 {
		t.Errorf("Render(%q, png) is %d KB, want ≤ 100 KB", name, len(b)>>10)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Render(%q, png) is not a PNG: %v", name, err)
	}
	if w := img.Bounds().Dx(); w != 1280 {
		t.Errorf("Render(%q, png) is %d px wide, want 1280 (960 pt at %d dpi)", name, w, DPI)
	}
	if n := colours(img); n < 16 {
		t.Errorf("Render(%q, png) has %d colours: nothing drawn?", name, n)
	}
}

func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestRenderErrors(t *testing.T) {
	in := syntheticInput()
	if _, err := Render("nope", "png", in); !errors.Is(err, ErrUnknownFigure) {
		t.Errorf("Render(nope, png) error = %v, want ErrUnknownFigure", err)
	}
	if _, err := Render("lm-bank", "gif", in); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Render(lm-bank, gif) error = %v, want ErrUnknownFormat", err)
	}
	for _, name := range []string{"learned-filters", "matches", "responses"} {
		if _, err := Render(name, "svg", Input{Digits: in.Digits}); !errors.Is(err, ErrNoData) {
			t.Errorf("Render(%q) without learned filters: error = %v, want ErrNoData", name, err)
		}
	}
	for _, name := range []string{"lesson-edges", "responses"} {
		if _, err := Render(name, "svg", Input{Learned: in.Learned, K: 5}); !errors.Is(err, ErrNoData) {
			t.Errorf("Render(%q) without digits: error = %v, want ErrNoData", name, err)
		}
	}
	if _, err := Render("lm-bank", "png", Input{}); err != nil {
		t.Errorf("Render(lm-bank) needs no input, got error %v", err)
	}
	if !slices.Equal(Names(), []string{"learned-filters", "lesson-edges", "lm-bank", "matches", "responses"}) {
		t.Errorf("Names() = %v", Names())
	}
}

// TestDivergingScale: zero is white, the ends are orange (negative) and blue
// (positive), as in the browser app, and the scale is monotone in lightness on each side.
func TestDivergingScale(t *testing.T) {
	d := diverging{2}
	if c := d.color(0); c.R != 255 || c.G != 255 || c.B != 255 {
		t.Errorf("color(0) = %v, want white", c)
	}
	if c := d.color(-2); !(c.R > c.B) {
		t.Errorf("color(-max) = %v, want orange", c)
	}
	if c := d.color(2); !(c.B > c.R) {
		t.Errorf("color(+max) = %v, want blue", c)
	}
	light := func(v float64) int { c := d.color(v); return int(c.R) + int(c.G) + int(c.B) }
	for v := 0.0; v < 2; v += 0.1 {
		if light(v+0.1) > light(v) || light(-v-0.1) > light(-v) {
			t.Fatalf("lightness not decreasing away from 0 at |v| = %g", v)
		}
	}
}

// sameFigure compares two renderings: SVG byte for byte (it is text and the output is
// deterministic), PNG by decoded pixels, each channel within 2/255, so that a
// re-encoding or a rounding difference in anti-aliasing does not fail the test but a
// changed figure does. (gonum/plot's cmpimg would need a module the build does not
// otherwise use.)
func sameFigure(t *testing.T, format string, got, want []byte) bool {
	t.Helper()
	if format == "svg" {
		return bytes.Equal(got, want)
	}
	a, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("decode rendered PNG: %v", err)
	}
	b, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("decode golden PNG: %v", err)
	}
	if a.Bounds() != b.Bounds() {
		return false
	}
	pa, pb := toRGBA(a), toRGBA(b)
	for i := range pa.Pix {
		if d := int(pa.Pix[i]) - int(pb.Pix[i]); d > 2 || d < -2 {
			return false
		}
	}
	return true
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(img.Bounds())
	draw.Draw(r, r.Bounds(), img, img.Bounds().Min, draw.Src)
	return r
}
