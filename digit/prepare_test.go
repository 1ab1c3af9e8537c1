package digit

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"math"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"golang.org/x/image/bmp"
)

// reference is the prepared seven drawn plainly: white ink on black, in the middle.
func reference(t *testing.T) []float32 {
	t.Helper()
	return prepare(t, encodePNG(t, canvas(seven, 280, 280, 40, 40, 200, 255, 0))).Input
}

// checkInput asserts the MNIST invariants of a prepared input: Side×Side values in 0..1,
// the ink fits a Box×Box square (plus a pixel of anti-aliasing), its centre of mass is
// near pixel (14, 14), as in MNIST.
func checkInput(t *testing.T, what string, in []float32) {
	t.Helper()
	if len(in) != Side*Side {
		t.Fatalf("%s: len(Input) = %d, want %d", what, len(in), Side*Side)
	}
	minX, minY, maxX, maxY := Side, Side, -1, -1
	var s, sx, sy float64
	for i, v := range in {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("%s: Input[%d] = %v, want 0..1", what, i, v)
		}
		if v > 0.05 {
			x, y := i%Side, i/Side
			minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		}
		s += float64(v)
		sx += float64(v) * float64(i%Side)
		sy += float64(v) * float64(i/Side)
	}
	if maxX < 0 {
		t.Fatalf("%s: Input is empty", what)
	}
	if w, h := maxX-minX+1, maxY-minY+1; max(w, h) > Box+1 || max(w, h) < Box-2 {
		t.Errorf("%s: ink spans %d×%d, want its longer side about %d", what, w, h, Box)
	}
	if cx, cy := sx/s, sy/s; math.Abs(cx-Side/2) > 1 || math.Abs(cy-Side/2) > 1 {
		t.Errorf("%s: centre of mass (%.2f, %.2f), want within 1 of (14, 14)", what, cx, cy)
	}
}

func TestPrepareSteps(t *testing.T) {
	r := prepare(t, encodePNG(t, canvas(seven, 280, 280, 40, 40, 200, 0, 255)))
	checkInput(t, "seven", r.Input)
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
		b := s.Image.Bounds()
		if b.Dx() > 112 || b.Dy() > 112 || b.Dx() < 1 || b.Dy() < 1 {
			t.Errorf("step %q image is %v, want 1..112 a side", s.Name, b)
		}
		if s.Caption == "" {
			t.Errorf("step %q has no caption", s.Name)
		}
	}
	if got, want := strings.Join(names, ","), "grey,polarity,clean,crop,scale,centre"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
	if last := r.Steps[len(r.Steps)-1].Image.Bounds(); last != image.Rect(0, 0, Side, Side) {
		t.Errorf("centre step image = %v, want 28×28", last)
	}
	if !r.Inverted || r.Format != "png" || r.Width != 280 || r.Height != 280 {
		t.Errorf("Result = {Inverted %v, Format %q, %d×%d}, want {true, png, 280×280}", r.Inverted, r.Format, r.Width, r.Height)
	}
	imgs := r.StepImages()
	if len(imgs) != len(r.Steps) {
		t.Fatalf("StepImages() gave %d, want %d", len(imgs), len(r.Steps))
	}
	for _, s := range imgs {
		if !strings.HasPrefix(s.PNG, "data:image/png;base64,") || len(s.PNG) > 16<<10 {
			t.Errorf("StepImages %q: PNG %.40q… (%d bytes), want a small PNG data URL", s.Name, s.PNG, len(s.PNG))
		}
	}
}

// TestPrepareInvariance: the same digit anywhere, at any size, in either polarity, in any
// format or colour model, prepares to the same input.
func TestPrepareInvariance(t *testing.T) {
	ref := reference(t)
	whiteOnBlack := canvas(seven, 280, 280, 40, 40, 200, 255, 0)
	blackOnWhite := canvas(seven, 280, 280, 40, 40, 200, 0, 255)
	gray16 := image.NewGray16(whiteOnBlack.Bounds())
	nrgba64 := image.NewNRGBA64(whiteOnBlack.Bounds())
	for i, v := range blackOnWhite.Pix {
		gray16.Pix[2*i], gray16.Pix[2*i+1] = v, v^0x5a // 16-bit: low byte varies
		nrgba64.SetNRGBA64(i%280, i/280, color.NRGBA64{uint16(v) * 257, uint16(v) * 200, uint16(v) * 257, 0xffff})
	}
	paletted := image.NewPaletted(whiteOnBlack.Bounds(), color.Palette{color.Black, color.Gray{128}, color.White})
	for i, v := range whiteOnBlack.Pix {
		paletted.Pix[i] = uint8((int(v) + 64) / 128)
	}
	var gifBuf, bmpBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, paletted, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, blackOnWhite); err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(blackOnWhite.Bounds())
	for i, v := range blackOnWhite.Pix {
		rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = v, v/2, 255-v/3, 255 // a coloured pen on yellow-ish paper
	}
	for _, c := range []struct {
		name     string
		data     []byte
		inverted bool
		minCorr  float64 // 0 means 0.9
	}{
		{"off-centre corner", encodePNG(t, canvas(seven, 280, 280, 170, 5, 100, 255, 0)), false, 0},
		// A 14-pixel digit is scaled up: its strokes cannot keep their exact shape, and a
		// one-pixel shift of 2-pixel strokes costs much correlation.
		{"tiny in a corner", encodePNG(t, canvas(seven, 40, 40, 2, 3, 14, 255, 0)), false, 0.8},
		{"huge photo size", encodePNG(t, canvas(seven, 3000, 2000, 2000, 900, 900, 0, 240)), true, 0},
		{"dark on light", encodePNG(t, blackOnWhite), true, 0},
		{"grey paper, dark-grey ink", encodePNG(t, canvas(seven, 280, 280, 60, 30, 180, 70, 150)), true, 0},
		{"transparent, black ink", encodePNG(t, toNRGBA(whiteOnBlack, color.NRGBA{0, 0, 0, 0})), true, 0},
		{"transparent, white ink", encodePNG(t, toNRGBA(whiteOnBlack, color.NRGBA{255, 255, 255, 0})), false, 0},
		{"16-bit grey", encodePNG(t, gray16), true, 0},
		{"16-bit colour", encodePNG(t, nrgba64), true, 0},
		{"RGBA colour", encodePNG(t, rgba), true, 0},
		{"paletted GIF", gifBuf.Bytes(), false, 0},
		{"BMP", bmpBuf.Bytes(), true, 0},
		{"JPEG", encodeJPEG(t, blackOnWhite), true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := prepare(t, c.data)
			checkInput(t, c.name, r.Input)
			if r.Inverted != c.inverted {
				t.Errorf("Inverted = %v, want %v", r.Inverted, c.inverted)
			}
			want := c.minCorr
			if want == 0 {
				want = 0.9
			}
			if got := correlation(r.Input, ref); got < want {
				t.Errorf("correlation with the plain seven = %.3f, want ≥ %.2f", got, want)
			}
		})
	}
}

// TestPrepareEXIF: a JPEG stored turned or mirrored, with the EXIF orientation that says
// so, prepares like the upright digit, and like imaging's own auto-orientation.
func TestPrepareEXIF(t *testing.T) {
	ref := reference(t)
	up := imaging.Clone(canvas(seven, 240, 280, 20, 40, 200, 0, 255))
	// stored[o] undoes orientation o, so that applying o shows the upright digit.
	stored := map[int]*image.NRGBA{
		1: up,
		2: imaging.FlipH(up),
		3: imaging.Rotate180(up),
		4: imaging.FlipV(up),
		5: imaging.Transpose(up),
		6: imaging.Rotate90(up),
		7: imaging.Transverse(up),
		8: imaging.Rotate270(up),
	}
	for o := 1; o <= 8; o++ {
		for _, order := range []string{"MM", "II"} {
			data := withEXIF(encodeJPEG(t, stored[o]), o, order)
			if got := jpegOrientation(data); got != o {
				t.Errorf("jpegOrientation(orientation %d, %s) = %d", o, order, got)
			}
			r := prepare(t, data)
			if got := correlation(r.Input, ref); got < 0.9 {
				t.Errorf("orientation %d (%s): correlation with upright = %.3f, want ≥ 0.9", o, order, got)
			}
			auto, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
			if err != nil {
				t.Fatalf("imaging.Decode: %v", err)
			}
			ra := prepare(t, encodePNG(t, auto))
			if got := correlation(r.Input, ra.Input); got < 0.97 {
				t.Errorf("orientation %d (%s): correlation with imaging's auto-orientation = %.3f, want ≥ 0.97", o, order, got)
			}
		}
	}
}

// TestPrepareNoise: paper texture and specks do not move or grow the digit.
func TestPrepareNoise(t *testing.T) {
	ref := reference(t)
	m := canvas(seven, 280, 280, 50, 50, 180, 30, 220)
	seed := uint32(1)
	rnd := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	for i := range m.Pix {
		m.Pix[i] = uint8(max(0, min(255, int(m.Pix[i])+int(rnd()%31)-15))) // texture ±15
	}
	for k := 0; k < 12; k++ { // dark specks of 2×2 pixels far from the digit
		x, y := int(rnd()%270), int(rnd()%30)
		for d := 0; d < 4; d++ {
			m.Pix[(y+d/2)*280+x+d%2] = 20
		}
	}
	r := prepare(t, encodeJPEG(t, m))
	checkInput(t, "noisy", r.Input)
	if got := correlation(r.Input, ref); got < 0.9 {
		t.Errorf("correlation with the clean seven = %.3f, want ≥ 0.9", got)
	}
}

// TestPrepareThinStrokes: a digit written with a fine pen is thickened, not lost.
func TestPrepareThinStrokes(t *testing.T) {
	thin := seven
	thin.width = 0.015
	r := prepare(t, encodePNG(t, canvas(thin, 500, 500, 50, 50, 400, 0, 255)))
	checkInput(t, "thin", r.Input)
	found := false
	for _, s := range r.Steps {
		found = found || s.Name == "thicken"
	}
	if !found {
		t.Errorf("no thicken step for strokes 6 px wide in a 400 px digit")
	}
	var ink int
	for _, v := range r.Input {
		if v > 0.5 {
			ink++
		}
	}
	if ink < 30 {
		t.Errorf("%d pixels of strong ink, want ≥ 30 (the strokes faded)", ink)
	}
}

func TestPrepareBadInput(t *testing.T) {
	good := encodePNG(t, canvas(seven, 280, 280, 40, 40, 200, 0, 255))
	goodJPEG := encodeJPEG(t, canvas(seven, 280, 280, 40, 40, 200, 0, 255))
	var gifBomb bytes.Buffer
	gifBomb.WriteString("GIF89a")
	gifBomb.Write([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x3b})
	bmpBomb := make([]byte, 54)
	copy(bmpBomb, "BM")
	bmpBomb[10], bmpBomb[14], bmpBomb[26], bmpBomb[28] = 54, 40, 1, 24
	copy(bmpBomb[18:], []byte{0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00}) // 65536×65536
	manyScans := append([]byte{}, goodJPEG[:len(goodJPEG)-2]...)               // before EOI
	for range 200 {
		manyScans = append(manyScans, 0xff, 0xda, 0, 8, 1, 1, 0, 1, 63, 0x10, 0)
	}
	manyScans = append(manyScans, 0xff, 0xd9)
	white := image.NewGray(image.Rect(0, 0, 280, 280))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	speck := canvas(seven, 280, 280, 140, 140, 1, 0, 255)
	lim := DefaultLimits()
	for _, c := range []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"over the byte limit", good, Limits{MaxBytes: int64(len(good) - 1)}, ErrTooLarge},
		{"PNG bomb 100000×100000", bombPNG(100000, 100000), lim, ErrTooLarge},
		{"PNG 5000×5000 over the pixel limit", bombPNG(5000, 5000), lim, ErrTooLarge},
		{"PNG 9000×10 over the side limit", bombPNG(9000, 10), lim, ErrTooLarge},
		{"GIF bomb 65535×65535", gifBomb.Bytes(), lim, ErrTooLarge},
		{"BMP bomb 65536×65536", bmpBomb, lim, ErrTooLarge},
		{"JPEG of 200 scans", manyScans, lim, ErrTooLarge},
		{"empty", nil, lim, ErrUnsupported},
		{"text", []byte("a 7, I promise"), lim, ErrUnsupported},
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n"), lim, ErrUnsupported},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), lim, ErrUnsupported},
		{"truncated PNG", good[:len(good)/2], lim, ErrCorrupt},
		{"truncated JPEG", goodJPEG[:len(goodJPEG)/2], lim, ErrCorrupt},
		{"PNG header only", good[:8], lim, ErrCorrupt},
		{"PNG declaring 0×0", bombPNG(0, 0), lim, ErrCorrupt},
		{"PNG bomb header, no data", bombPNG(100, 100), lim, ErrCorrupt},
		{"blank white", encodePNG(t, white), lim, ErrBlank},
		{"blank black", encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50))), lim, ErrBlank},
		{"fully transparent", encodePNG(t, image.NewNRGBA(image.Rect(0, 0, 50, 50))), lim, ErrBlank},
		{"one-pixel speck", encodePNG(t, speck), lim, ErrBlank},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Prepare(c.data, c.lim)
			mustSentinel(t, c.name, err, c.want)
		})
	}
}

// TestPrepareBombAllocates: refusing a decompression bomb allocates next to nothing.
func TestPrepareBombAllocates(t *testing.T) {
	data := bombPNG(100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		if _, err := Prepare(data, DefaultLimits()); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Prepare(bomb) = %v, want ErrTooLarge", err)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing a bomb 10 times allocated %d bytes, want < 1 MiB", n)
	}
}

func TestRead(t *testing.T) {
	lim := Limits{MaxBytes: 100}
	if b, err := Read(bytes.NewReader(make([]byte, 100)), lim); err != nil || len(b) != 100 {
		t.Errorf("Read(100 bytes, limit 100) = %d bytes, %v; want 100, nil", len(b), err)
	}
	r := bytes.NewReader(make([]byte, 1<<20))
	if _, err := Read(r, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read(1 MiB, limit 100) error = %v, want ErrTooLarge", err)
	}
	if r.Len() != 1<<20-101 {
		t.Errorf("Read consumed %d bytes of an oversized body, want 101", 1<<20-r.Len())
	}
}

func TestHTTPStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{ErrTooLarge, http.StatusRequestEntityTooLarge},
		{ErrUnsupported, http.StatusUnsupportedMediaType},
		{ErrCorrupt, http.StatusBadRequest},
		{ErrBlank, http.StatusUnprocessableEntity},
		{errors.New("disk on fire"), http.StatusInternalServerError},
	} {
		if got := HTTPStatus(c.err); got != c.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	_, err := Prepare(bombPNG(100000, 100000), DefaultLimits())
	if got := HTTPStatus(err); got != http.StatusRequestEntityTooLarge {
		t.Errorf("HTTPStatus(wrapped %v) = %d, want 413", err, got)
	}
}

// TestPrepareShadow: a photo of paper in uneven light (bright on one side, in shadow on
// the other) still gives the digit, not the shadow.
func TestPrepareShadow(t *testing.T) {
	ref := reference(t)
	m := canvas(seven, 400, 300, 150, 60, 180, 0, 255)
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			light := 0.95 - 0.5*float64(x)/400 - 0.1*float64(y)/300 // from 0.95 down to 0.35
			ink := float64(m.Pix[y*400+x]) / 255                    // 0 is ink, 1 paper
			m.Pix[y*400+x] = uint8(255 * light * (0.15 + 0.85*ink))
		}
	}
	r := prepare(t, encodeJPEG(t, m))
	checkInput(t, "shadow", r.Input)
	if got := correlation(r.Input, ref); got < 0.9 {
		t.Errorf("correlation with the seven in even light = %.3f, want ≥ 0.9", got)
	}
}

// TestPrepareSheetOnTable: a photo of the sheet with the dark table around it gives the
// digit written on the sheet, not the sheet.
func TestPrepareSheetOnTable(t *testing.T) {
	ref := reference(t)
	m := canvas(seven, 480, 360, 190, 90, 150, 25, 225)
	for y := 0; y < 360; y++ {
		for x := 0; x < 480; x++ {
			if x < 70 || x >= 420 || y < 40 || y >= 330 { // the table
				m.Pix[y*480+x] = uint8(50 + (x*3+y*5)%17)
			}
		}
	}
	r := prepare(t, encodeJPEG(t, m))
	checkInput(t, "sheet on a table", r.Input)
	if got := correlation(r.Input, ref); got < 0.9 {
		t.Errorf("correlation with the seven alone = %.3f, want ≥ 0.9", got)
	}
	if len(r.Steps) < 2 || r.Steps[1].Name != "paper" || !r.Inverted {
		t.Errorf("steps[1] = %q, Inverted %v; want \"paper\", true", r.Steps[1].Name, r.Inverted)
	}
}

// TestPrepareTinyImages: images of a few pixels give a digit or ErrBlank, never a panic.
func TestPrepareTinyImages(t *testing.T) {
	for _, size := range []image.Point{{1, 1}, {2, 2}, {3, 1}, {1, 5}, {4, 4}, {5, 5}, {7, 3}, {9, 8}} {
		for _, fill := range []uint8{0, 255} {
			for _, dot := range []uint8{0, 128, 255} {
				m := image.NewGray(image.Rectangle{Max: size})
				for i := range m.Pix {
					m.Pix[i] = fill
				}
				m.Pix[len(m.Pix)/2] = dot
				if size.X >= 4 && size.Y >= 4 { // a bright "sheet" inside a dark edge
					for y := 1; y < size.Y-1; y++ {
						for x := 1; x < size.X-1; x++ {
							m.Pix[y*size.X+x] = 255 - fill
						}
					}
				}
				r, err := Prepare(encodePNG(t, m), DefaultLimits())
				if err != nil {
					if !errors.Is(err, ErrBlank) {
						t.Errorf("%v image of %d with a dot of %d: error %v, want ErrBlank or a digit", size, fill, dot, err)
					}
					continue
				}
				if len(r.Input) != Side*Side {
					t.Errorf("%v image: len(Input) = %d", size, len(r.Input))
				}
			}
		}
	}
}
