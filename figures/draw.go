package figures

import (
	"image"
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// diverging is the colour scale for signed data: dark orange at -lim, white at 0, dark
// blue at +lim, as in the browser app (a blue–orange pair that reads the same for the common forms of
// colour blindness). It implements palette.ColorMap, symmetric around zero.
type diverging struct{ lim float64 }

// The scale's anchors, from -1 to 1.
var divergingAnchors = []color.RGBA{
	{127, 39, 4, 255},    // -1 dark orange
	{253, 141, 60, 255},  // -0.5
	{255, 255, 255, 255}, // 0 white
	{66, 146, 198, 255},  // 0.5
	{8, 48, 107, 255},    // 1 dark blue
}

// color returns the colour of v; values beyond ±lim get the end colours.
func (d *diverging) color(v float64) color.RGBA {
	t := 0.0
	if d.lim > 0 && !math.IsNaN(v) {
		t = math.Max(-1, math.Min(1, v/d.lim))
	}
	p := (t + 1) / 2 * float64(len(divergingAnchors)-1)
	i := min(int(p), len(divergingAnchors)-2)
	f := p - float64(i)
	a, b := divergingAnchors[i], divergingAnchors[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

func (d *diverging) At(v float64) (color.Color, error) {
	if v < -d.lim || v > d.lim {
		return nil, palette.ErrOverflow
	}
	return d.color(v), nil
}
func (d *diverging) Max() float64     { return d.lim }
func (d *diverging) SetMax(v float64) { d.lim = math.Abs(v) }
func (d *diverging) Min() float64     { return -d.lim }
func (d *diverging) SetMin(v float64) { d.lim = math.Abs(v) }
func (d *diverging) Alpha() float64   { return 1 }
func (d *diverging) SetAlpha(float64) {}
func (d *diverging) Palette(n int) palette.Palette {
	cs := make([]color.Color, n)
	for i := range cs {
		cs[i] = d.color(-d.lim + 2*d.lim*float64(i)/float64(max(1, n-1)))
	}
	return plainPalette(cs)
}

type plainPalette []color.Color

func (p plainPalette) Colors() []color.Color { return p }

// absMax returns the largest |v| (0 for an empty or all-zero slice).
func absMax[T float32 | float64](v []T) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// signedImage draws an h×w array on the diverging scale ±lim, each value a px×px
// block, so that the pixels stay sharp however the image is scaled.
func signedImage[T float32 | float64](v []T, h, w int, lim float64, px int) image.Image {
	d := diverging{lim}
	img := image.NewRGBA(image.Rect(0, 0, w*px, h*px))
	for y := range h {
		for x := range w {
			fillBlock(img, x*px, y*px, px, d.color(float64(v[y*w+x])))
		}
	}
	return img
}

// digitImage draws a 0..1 digit in greys, ink (1) black on white paper (0).
func digitImage(v []float32, h, w, px int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w*px, h*px))
	for y := range h {
		for x := range w {
			g := uint8(math.Round(255 * (1 - math.Max(0, math.Min(1, float64(v[y*w+x]))))))
			fillBlock(img, x*px, y*px, px, color.RGBA{g, g, g, 255})
		}
	}
	return img
}

func fillBlock(img *image.RGBA, x0, y0, px int, c color.RGBA) {
	for y := y0; y < y0+px; y++ {
		for x := x0; x < x0+px; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// blockSize is the block size that makes an n-value-wide array at least side points
// wide at the PNG resolution.
func blockSize(n int, side vg.Length) int {
	return max(1, int(math.Ceil(side.Dots(DPI)/float64(n))))
}

// page is a draw.Canvas addressed from the top-left corner, in points, as a slide is
// laid out.
type page struct{ c draw.Canvas }

func (p page) width() vg.Length { return p.c.Max.X - p.c.Min.X }

func (p page) pt(x, top vg.Length) vg.Point {
	return vg.Point{X: p.c.Min.X + x, Y: p.c.Max.Y - top}
}

// image draws img in the w×h box whose top-left corner is (x, top), with a thin grey
// frame. The box is snapped to whole PNG pixels and img brought to exactly that many
// pixels by nearest-neighbour sampling, so weights stay crisp squares instead of being
// blurred by the rasteriser (which also keeps the PNGs small).
func (p page) image(img image.Image, x, top, w, h vg.Length) {
	snap := func(v vg.Length) vg.Length { return vg.Length(math.Round(v.Dots(DPI))) * 72 / DPI }
	lo := p.pt(snap(x), snap(top+h))
	lo = vg.Point{X: snap(lo.X), Y: snap(lo.Y)}
	w, h = snap(w), snap(h)
	r := vg.Rectangle{Min: lo, Max: vg.Point{X: lo.X + w, Y: lo.Y + h}}
	p.c.DrawImage(r, nearest(img, int(math.Round(w.Dots(DPI))), int(math.Round(h.Dots(DPI)))))
	p.c.SetLineWidth(0.5)
	p.c.SetColor(color.Gray{Y: 160})
	p.c.Stroke(r.Path())
}

// nearest resamples img to w×h pixels, each taking the source pixel under its centre.
func nearest(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if w < 1 || h < 1 || (b.Dx() == w && b.Dy() == h) {
		return img
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		sy := b.Min.Y + (2*y+1)*b.Dy()/(2*h)
		for x := range w {
			sx := b.Min.X + (2*x+1)*b.Dx()/(2*w)
			out.Set(x, y, img.At(sx, sy))
		}
	}
	return out
}

// text writes s with its top at top, aligned on x by xa (draw.XLeft, XCenter, XRight).
func (p page) text(s string, x, top, size vg.Length, xa draw.XAlignment, bold bool) {
	p.textIn(color.Black, s, x, top, size, xa, bold)
}

// textIn is text in colour col.
func (p page) textIn(col color.Color, s string, x, top, size vg.Length, xa draw.XAlignment, bold bool) {
	f := sans(size)
	if bold {
		f.Weight = xfont.WeightBold
	}
	sty := draw.TextStyle{Color: col, Font: f, XAlign: xa, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	p.c.FillText(sty, p.pt(x, top), s)
}

// sans is the figures' font: Liberation Sans (embedded with gonum/plot), plainer than
// the default serif on a projector.
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: plot.DefaultFont.Typeface, Variant: "Sans", Size: size}
}

// title writes a figure's title (large enough for the back of a classroom) and an
// optional subtitle, centred at the top.
func (p page) title(title, sub string) {
	p.text(title, p.width()/2, 10, 24, draw.XCenter, true)
	if sub != "" {
		p.text(sub, p.width()/2, 42, 14, draw.XCenter, false)
	}
}

// colorBar draws a vertical colour bar for ±lim with tick labels in the w×h box whose
// top-left corner is (x, top).
func (p page) colorBar(lim float64, x, top, w, h vg.Length, label string) {
	if lim <= 0 {
		lim = 1
	}
	bar := plot.New()
	bar.HideX()
	bar.Y.Label.Text = label
	bar.Y.Label.TextStyle.Font = sans(14)
	bar.Y.Tick.Label.Font = sans(12)
	bar.Add(&plotter.ColorBar{ColorMap: &diverging{lim}, Vertical: true, Colors: 64})
	lo := p.pt(x, top+h)
	bar.Draw(draw.Canvas{Canvas: p.c.Canvas, Rectangle: vg.Rectangle{Min: lo, Max: vg.Point{X: lo.X + w, Y: lo.Y + h}}})
}
