package digit

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
)

// fuzzSeeds returns small valid files of every format and broken variants of them.
func fuzzSeeds(t testing.TB) [][]byte {
	g := canvas(seven, 48, 40, 10, 6, 28, 0, 255)
	nrgba := toNRGBA(canvas(seven, 32, 32, 2, 2, 28, 255, 0), colorBlack)
	g16 := image.NewGray16(image.Rect(0, 0, 24, 24))
	for i := range g16.Pix {
		g16.Pix[i] = uint8(i * 7)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 30, 30), color.Palette{color.White, color.Black, color.Transparent})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	sheet := image.NewGray(image.Rect(0, 0, 5, 5)) // a bright "sheet" on a dark edge
	for y := 1; y < 4; y++ {
		for x := 1; x < 4; x++ {
			sheet.Pix[y*5+x] = 255
		}
	}
	var gifBuf, bmpBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, g); err != nil {
		t.Fatal(err)
	}
	valid := [][]byte{
		encodePNG(t, g),
		encodePNG(t, nrgba),
		encodePNG(t, g16),
		encodePNG(t, sheet),
		encodeJPEG(t, g),
		withEXIF(encodeJPEG(t, g), 6, "MM"),
		gifBuf.Bytes(),
		bmpBuf.Bytes(),
		bombPNG(100000, 100000),
	}
	webps, _ := filepath.Glob("testdata/*.webp")
	for _, name := range webps {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, b)
	}
	seeds := append([][]byte{}, valid...)
	for _, v := range valid {
		seeds = append(seeds, v[:len(v)/2], v[:min(len(v), 40)])
	}
	return seeds
}

// FuzzPrepare: no input makes Prepare panic, hang or answer with an unclassified error,
// and whatever it accepts comes out as a valid MNIST-like input with its steps.
func FuzzPrepare(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	// Small limits keep the fuzzer's memory in check; the checks are the same.
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Prepare(data, lim)
		if err != nil {
			if HTTPStatus(err) == 500 {
				t.Fatalf("Prepare error %q wraps none of the sentinel errors", err)
			}
			return
		}
		if len(r.Input) != Side*Side {
			t.Fatalf("len(Input) = %d, want %d", len(r.Input), Side*Side)
		}
		var s float64
		for i, v := range r.Input {
			if !(v >= 0 && v <= 1) || math.IsNaN(float64(v)) {
				t.Fatalf("Input[%d] = %v, want 0..1", i, v)
			}
			s += float64(v)
		}
		if s == 0 {
			t.Fatalf("accepted input has no ink at all")
		}
		if len(r.Steps) < 5 {
			t.Fatalf("%d steps, want at least 5", len(r.Steps))
		}
		for _, st := range r.Steps {
			b := st.Image.Bounds()
			if b.Dx() < 1 || b.Dy() < 1 || b.Dx() > 112 || b.Dy() > 112 {
				t.Fatalf("step %q image %v, want 1..112 a side", st.Name, b)
			}
		}
		if n := len(r.StepImages()); n != len(r.Steps) {
			t.Fatalf("StepImages() = %d images, want %d", n, len(r.Steps))
		}
	})
}

// TestPrepareWebP: the WebP samples (a "0" made with cwebp: lossy grey, lossless and
// lossy with alpha) prepare to a ring with a dark hole in the middle.
func TestPrepareWebP(t *testing.T) {
	for _, c := range []struct {
		file     string
		inverted bool
	}{
		{"zero-lossy.webp", false},
		{"zero-alpha-lossless.webp", true},
		{"zero-alpha-lossy.webp", true},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		r := prepare(t, data)
		checkInput(t, c.file, r.Input)
		if r.Format != "webp" || r.Inverted != c.inverted {
			t.Errorf("%s: Format %q, Inverted %v; want webp, %v", c.file, r.Format, r.Inverted, c.inverted)
		}
		row := r.Input[14*Side : 15*Side]
		var left, right float32
		for x := range 14 {
			left, right = max(left, row[x]), max(right, row[Side-1-x])
		}
		if row[14] > 0.1 || left < 0.5 || right < 0.5 {
			t.Errorf("%s: middle row: centre %.2f, left %.2f, right %.2f; want a ring around a dark hole", c.file, row[14], left, right)
		}
	}
}
