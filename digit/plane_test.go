package digit

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// TestGreyAlphaColourModels: every colour model the decoders produce gives the same luma
// (fast paths and the generic path agree) and alpha.
func TestGreyAlphaColourModels(t *testing.T) {
	const w, h = 17, 9
	r := image.Rect(0, 0, w, h)
	level := func(x, y int) uint8 { return uint8((x*15 + y*7) % 256) }
	gray, gray16 := image.NewGray(r), image.NewGray16(r)
	rgba, nrgba, rgba64, nrgba64 := image.NewRGBA(r), image.NewNRGBA(r), image.NewRGBA64(r), image.NewNRGBA64(r)
	cmyk := image.NewCMYK(r)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(r, nil)
	for i := range 256 {
		pal.Palette = append(pal.Palette, color.Gray{uint8(i)})
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := level(x, y)
			gray.SetGray(x, y, color.Gray{v})
			gray16.SetGray16(x, y, color.Gray16{uint16(v) * 257})
			rgba.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(v) * 257, uint16(v) * 257, uint16(v) * 257, 0xffff})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(v) * 257, uint16(v) * 257, uint16(v) * 257, 0xffff})
			cmyk.SetCMYK(x, y, color.CMYK{0, 0, 0, 255 - v})
			ycc.Y[ycc.YOffset(x, y)] = v
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = 128, 128
			pal.SetColorIndex(x, y, v)
		}
	}
	for _, c := range []struct {
		name string
		img  image.Image
	}{
		{"Gray", gray}, {"Gray16", gray16}, {"RGBA", rgba}, {"NRGBA", nrgba}, {"RGBA64", rgba64},
		{"NRGBA64", nrgba64}, {"CMYK", cmyk}, {"YCbCr 4:2:0", ycc}, {"Paletted", pal},
	} {
		lum, alpha, opaque := greyAlpha(c.img)
		if lum.w != w || lum.h != h || !opaque {
			t.Errorf("greyAlpha(%s): %d×%d, opaque %v; want %d×%d, true", c.name, lum.w, lum.h, opaque, w, h)
			continue
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				want := float64(level(x, y)) / 255
				if got := float64(lum.at(x, y)); math.Abs(got-want) > 1.5/255 || alpha.at(x, y) != 1 {
					t.Fatalf("greyAlpha(%s) at (%d,%d) = %.4f, alpha %.3f; want %.4f, 1", c.name, x, y, got, alpha.at(x, y), want)
				}
			}
		}
	}
}

// TestGreyAlphaTransparency: luma comes out premultiplied, alpha as it was.
func TestGreyAlphaTransparency(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	m.SetNRGBA(0, 0, color.NRGBA{255, 255, 255, 51})
	m.SetNRGBA(1, 0, color.NRGBA{0, 0, 0, 0})
	lum, alpha, opaque := greyAlpha(m)
	if opaque || math.Abs(float64(lum.p[0])-0.2) > 1e-3 || math.Abs(float64(alpha.p[0])-0.2) > 1e-3 || lum.p[1] != 0 || alpha.p[1] != 0 {
		t.Errorf("greyAlpha(white at 20%%, clear) = lum %v, alpha %v, opaque %v; want [0.2 0], [0.2 0], false", lum.p, alpha.p, opaque)
	}
}

// TestGreyAlphaShrinks: a large image is reduced by whole blocks, each the mean of its
// pixels, the last partial block included.
func TestGreyAlphaShrinks(t *testing.T) {
	const w, h = 1001, 600 // factor 4: 251×150, the last column a block of one pixel
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*w+x] = uint8(x % 4 * 40)
		}
	}
	lum, _, _ := greyAlpha(m)
	if lum.w != 251 || lum.h != 150 {
		t.Fatalf("greyAlpha(%d×%d) = %d×%d, want 251×150", w, h, lum.w, lum.h)
	}
	if got, want := lum.at(10, 10), float32(60)/255; math.Abs(float64(got-want)) > 1e-5 {
		t.Errorf("a full block = %v, want the mean %v", got, want)
	}
	if got := lum.at(250, 10); got != 0 {
		t.Errorf("the last one-pixel block = %v, want 0 (the value of its single pixel)", got)
	}
}

// TestOrientRoundTrip: each EXIF orientation maps the corners where the EXIF
// specification puts them.
func TestOrientRoundTrip(t *testing.T) {
	g := newPlane(3, 2) // 0 1 2 / 3 4 5
	for i := range g.p {
		g.p[i] = float32(i)
	}
	for _, c := range []struct {
		o       int
		w, h    int
		topLeft float32
	}{
		{1, 3, 2, 0}, {2, 3, 2, 2}, {3, 3, 2, 5}, {4, 3, 2, 3},
		{5, 2, 3, 0}, {6, 2, 3, 3}, {7, 2, 3, 5}, {8, 2, 3, 2},
	} {
		out := orient(g, c.o)
		if out.w != c.w || out.h != c.h || out.p[0] != c.topLeft {
			t.Errorf("orient(3×2, %d) = %d×%d with %v top left, want %d×%d with %v", c.o, out.w, out.h, out.p[0], c.w, c.h, c.topLeft)
		}
	}
}
