package digit

import (
	"image"
	"image/color"
	"math"
	"sort"
)

// workMax is the longest side the pipeline works at after decoding: plenty for a digit
// that ends up 20 pixels tall, and it bounds the time of every step after the decoder.
const workMax = 256

// plane is a grey image of float32 values, row-major: p[y*w+x].
type plane struct {
	w, h int
	p    []float32
}

func newPlane(w, h int) *plane { return &plane{w: w, h: h, p: make([]float32, w*h)} }

// at returns the value at (x, y).
func (g *plane) at(x, y int) float32 { return g.p[y*g.w+x] }

// greyAlpha converts img to premultiplied luma and alpha planes (0..1), reduced by an
// integer factor so that no side exceeds workMax: each output pixel is the mean of a
// block of source pixels (area averaging, so huge images are anti-aliased as they shrink).
func greyAlpha(img image.Image) (lum, alpha *plane, opaque bool) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	f := 1
	for (sw+f-1)/f > workMax || (sh+f-1)/f > workMax {
		f++
	}
	w, h := (sw+f-1)/f, (sh+f-1)/f
	lum, alpha = newPlane(w, h), newPlane(w, h)
	row := rowReader(img)
	opaque = true
	if f == 1 {
		for y := 0; y < h; y++ {
			if row(y, lum.p[y*w:(y+1)*w], alpha.p[y*w:(y+1)*w]) {
				opaque = false
			}
		}
		return lum, alpha, opaque
	}
	rl := make([]float32, sw) // one source row
	ra := make([]float32, sw)
	for y := 0; y < sh; y++ {
		if row(y, rl, ra) {
			opaque = false
		}
		ol, oa := lum.p[(y/f)*w:], alpha.p[(y/f)*w:]
		for x := 0; x < sw; x++ {
			ol[x/f] += rl[x]
			oa[x/f] += ra[x]
		}
	}
	for y := 0; y < h; y++ {
		bh := min(f, sh-y*f)
		for x := 0; x < w; x++ {
			inv := 1 / float32(bh*min(f, sw-x*f))
			lum.p[y*w+x] *= inv
			alpha.p[y*w+x] *= inv
		}
	}
	return lum, alpha, opaque
}

// Luma weights (ITU-R BT.601, as JPEG's Y), on the gamma-encoded values.
const (
	kr = 0.299
	kg = 0.587
	kb = 0.114
)

// rowReader returns a function that fills one source row (y counted from the top of the
// bounds) with premultiplied luma and alpha and reports whether any alpha is below 1.
// Common image types have fast paths; anything else goes through color.Color.
func rowReader(img image.Image) func(y int, l, a []float32) bool {
	b := img.Bounds()
	const inv8, inv16 = 1.0 / 255, 1.0 / 65535
	fill1 := func(a []float32) bool {
		for i := range a {
			a[i] = 1
		}
		return false
	}
	switch m := img.(type) {
	case *image.Gray:
		return func(y int, l, a []float32) bool {
			s := m.Pix[y*m.Stride:]
			for x := range l {
				l[x] = float32(s[x]) * inv8
			}
			return fill1(a)
		}
	case *image.Gray16:
		return func(y int, l, a []float32) bool {
			s := m.Pix[y*m.Stride:]
			for x := range l {
				l[x] = float32(uint16(s[2*x])<<8|uint16(s[2*x+1])) * inv16
			}
			return fill1(a)
		}
	case *image.YCbCr:
		return func(y int, l, a []float32) bool {
			s := m.Y[y*m.YStride:]
			for x := range l {
				l[x] = float32(s[x]) * inv8
			}
			return fill1(a)
		}
	case *image.NRGBA:
		return func(y int, l, a []float32) bool {
			s := m.Pix[y*m.Stride:]
			t := false
			for x := range l {
				p := s[4*x : 4*x+4]
				al := float32(p[3]) * inv8
				l[x] = (kr*float32(p[0]) + kg*float32(p[1]) + kb*float32(p[2])) * inv8 * al
				a[x] = al
				t = t || p[3] != 0xff
			}
			return t
		}
	case *image.RGBA:
		return func(y int, l, a []float32) bool {
			s := m.Pix[y*m.Stride:]
			t := false
			for x := range l {
				p := s[4*x : 4*x+4]
				l[x] = (kr*float32(p[0]) + kg*float32(p[1]) + kb*float32(p[2])) * inv8
				a[x] = float32(p[3]) * inv8
				t = t || p[3] != 0xff
			}
			return t
		}
	case *image.Paletted:
		var pl, pa [256]float32
		for i, c := range m.Palette {
			pl[i], pa[i] = colourLA(c)
		}
		return func(y int, l, a []float32) bool {
			s := m.Pix[y*m.Stride:]
			t := false
			for x := range l {
				l[x], a[x] = pl[s[x]], pa[s[x]]
				t = t || a[x] < 1
			}
			return t
		}
	}
	return func(y int, l, a []float32) bool {
		t := false
		for x := range l {
			l[x], a[x] = colourLA(img.At(b.Min.X+x, b.Min.Y+y))
			t = t || a[x] < 1
		}
		return t
	}
}

// colourLA returns the premultiplied luma and the alpha of c, both 0..1.
func colourLA(c color.Color) (l, a float32) {
	r, g, bl, al := c.RGBA()
	const inv16 = 1.0 / 65535
	return (kr*float32(r) + kg*float32(g) + kb*float32(bl)) * inv16, float32(al) * inv16
}

// orient applies an EXIF orientation (1..8) so that the plane shows what the camera saw.
func orient(g *plane, o int) *plane {
	if o <= 1 || o > 8 {
		return g
	}
	W, H := g.w, g.h
	w, h := W, H
	if o >= 5 {
		w, h = H, W
	}
	out := newPlane(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = W-1-x, y
			case 3: // upside down
				sx, sy = W-1-x, H-1-y
			case 4: // mirrored upside down
				sx, sy = x, H-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // stored rotated 90° anticlockwise: turn it clockwise
				sx, sy = y, H-1-x
			case 7: // transversed
				sx, sy = W-1-y, H-1-x
			case 8: // stored rotated 90° clockwise: turn it anticlockwise
				sx, sy = W-1-y, x
			}
			out.p[y*w+x] = g.p[sy*W+sx]
		}
	}
	return out
}

// span is the run of input cells one output cell covers, with their weights.
type span struct {
	lo int       // first input cell
	w  []float32 // weights of cells lo, lo+1, …; they sum to 1
}

// axisSpans lists, for each of n output cells over m input cells, which inputs cover it
// and by how much (area averaging).
func axisSpans(m, n int) []span {
	out := make([]span, n)
	all := make([]float32, 0, m+2*n)
	s := float64(m) / float64(n)
	for o := range out {
		lo, hi := float64(o)*s, float64(o+1)*s
		start := len(all)
		out[o].lo = int(lo)
		for i := int(lo); i < m && float64(i) < hi; i++ {
			cov := min(hi, float64(i+1)) - max(lo, float64(i))
			all = append(all, float32(max(cov, 0)/s))
		}
		out[o].w = all[start:len(all):len(all)]
	}
	return out
}

// resize resamples g to w×h by area averaging (each output pixel is the mean of the input
// area it covers).
func resize(g *plane, w, h int) *plane {
	if w == g.w && h == g.h {
		return g
	}
	xs, ys := axisSpans(g.w, w), axisSpans(g.h, h)
	tmp := newPlane(w, g.h)
	for y := 0; y < g.h; y++ {
		src, dst := g.p[y*g.w:(y+1)*g.w], tmp.p[y*w:(y+1)*w]
		for x, sp := range xs {
			var s float32
			for k, c := range sp.w {
				s += c * src[sp.lo+k]
			}
			dst[x] = s
		}
	}
	out := newPlane(w, h)
	for y, sp := range ys {
		dst := out.p[y*w : (y+1)*w]
		for k, c := range sp.w {
			src := tmp.p[(sp.lo+k)*w : (sp.lo+k+1)*w]
			for x := range dst {
				dst[x] += c * src[x]
			}
		}
	}
	return out
}

// blur3 smooths g with the 3×3 binomial kernel [1 2 1]ᵀ[1 2 1]/16, repeating edge pixels.
func blur3(g *plane) *plane {
	w, h := g.w, g.h
	tmp, out := newPlane(w, h), newPlane(w, h)
	for y := 0; y < h; y++ {
		r := g.p[y*w : (y+1)*w]
		t := tmp.p[y*w : (y+1)*w]
		for x := range r {
			l, c, rr := r[max(x-1, 0)], r[x], r[min(x+1, w-1)]
			t[x] = (l + 2*c + rr) / 4
		}
	}
	for y := 0; y < h; y++ {
		u, c, d := tmp.p[max(y-1, 0)*w:], tmp.p[y*w:], tmp.p[min(y+1, h-1)*w:]
		o := out.p[y*w : (y+1)*w]
		for x := range o {
			o[x] = (u[x] + 2*c[x] + d[x]) / 4
		}
	}
	return out
}

// dilate widens bright strokes: each pixel becomes the maximum of the (2r+1)² square
// around it (separable: rows, then columns).
func dilate(g *plane, r int) *plane {
	w, h := g.w, g.h
	tmp, out := newPlane(w, h), newPlane(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var m float32
			for k := max(x-r, 0); k <= min(x+r, w-1); k++ {
				m = max(m, g.p[y*w+k])
			}
			tmp.p[y*w+x] = m
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var m float32
			for k := max(y-r, 0); k <= min(y+r, h-1); k++ {
				m = max(m, tmp.p[k*w+x])
			}
			out.p[y*w+x] = m
		}
	}
	return out
}

// crop returns the part of g inside r.
func crop(g *plane, r image.Rectangle) *plane {
	out := newPlane(r.Dx(), r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(out.p[(y-r.Min.Y)*out.w:], g.p[y*g.w+r.Min.X:y*g.w+r.Max.X])
	}
	return out
}

// gray converts g (0..1) to an 8-bit grey image.
func (g *plane) gray() *image.Gray {
	m := image.NewGray(image.Rect(0, 0, g.w, g.h))
	for i, v := range g.p {
		m.Pix[i] = uint8(min(max(v, 0), 1)*255 + 0.5)
	}
	return m
}

// preview returns g as a grey image at most previewMax pixels a side.
func (g *plane) preview() *image.Gray {
	const previewMax = 112
	if g.w <= previewMax && g.h <= previewMax {
		return g.gray()
	}
	w, h := fitIn(g.w, g.h, previewMax)
	return resize(g, w, h).gray()
}

// fitIn returns the size of a w×h rectangle scaled to fit n×n, keeping its aspect
// ratio; neither side is below 1.
func fitIn(w, h, n int) (int, int) {
	if w >= h {
		return n, max(1, (h*n+w/2)/w)
	}
	return max(1, (w*n+h/2)/h), n
}

// quantile returns the q-quantile (0..1) of the values of p inside 0..1, from a
// histogram of 1024 bins.
func quantile(vals []float32, q float64) float32 {
	const bins = 1024
	var hist [bins]int
	for _, v := range vals {
		hist[min(max(int(v*bins), 0), bins-1)]++
	}
	need := int(q*float64(len(vals))) + 1
	n := 0
	for i, c := range hist {
		n += c
		if n >= need {
			return (float32(i) + 0.5) / bins
		}
	}
	return 1
}

// shading is a background that varies linearly over the image: a + b·x + c·y.
type shading struct{ a, b, c float64 }

// at returns the background at (x, y).
func (s shading) at(x, y int) float32 { return float32(s.a + s.b*float64(x) + s.c*float64(y)) }

// inverted returns the shading of the inverted image.
func (s shading) inverted() shading { return shading{1 - s.a, -s.b, -s.c} }

// fitShading estimates the background of g from the ring of width k around its edge, where
// paper shows and ink rarely does: the ring is cut into 16 pieces, and a plane is fitted to
// their medians by least squares, twice, the second time without the pieces that fit
// worst (ink touching the edge, a corner of the table).
func fitShading(g *plane, k int) shading {
	type sample struct{ x, y, v float64 }
	var pts []sample
	piece := func(x0, y0, x1, y1 int) {
		if x1 <= x0 || y1 <= y0 {
			return
		}
		sub := &plane{w: x1 - x0, h: y1 - y0, p: make([]float32, 0, (x1-x0)*(y1-y0))}
		for y := y0; y < y1; y++ {
			sub.p = append(sub.p, g.p[y*g.w+x0:y*g.w+x1]...)
		}
		pts = append(pts, sample{float64(x0+x1-1) / 2, float64(y0+y1-1) / 2, float64(quantile(sub.p, 0.5))})
	}
	const n = 4 // pieces a side
	for i := 0; i < n; i++ {
		xa, xb := g.w*i/n, g.w*(i+1)/n
		ya, yb := g.h*i/n, g.h*(i+1)/n
		piece(xa, 0, xb, k)       // top
		piece(xa, g.h-k, xb, g.h) // bottom
		piece(0, ya, k, yb)       // left
		piece(g.w-k, ya, g.w, yb) // right
	}
	if len(pts) == 0 {
		return shading{a: float64(quantile(g.p, 0.5))}
	}
	fit := func(pts []sample) shading {
		// Normal equations of v ≈ a + b·x + c·y, solved by Cramer's rule.
		var n, sx, sy, sxx, sxy, syy, sv, sxv, syv float64
		for _, p := range pts {
			n++
			sx, sy, sv = sx+p.x, sy+p.y, sv+p.v
			sxx, sxy, syy = sxx+p.x*p.x, sxy+p.x*p.y, syy+p.y*p.y
			sxv, syv = sxv+p.x*p.v, syv+p.y*p.v
		}
		det := n*(sxx*syy-sxy*sxy) - sx*(sx*syy-sxy*sy) + sy*(sx*sxy-sxx*sy)
		if n == 0 || math.Abs(det) < 1e-9 {
			return shading{a: sv / max(n, 1)}
		}
		a := (sv*(sxx*syy-sxy*sxy) - sx*(sxv*syy-sxy*syv) + sy*(sxv*sxy-sxx*syv)) / det
		b := (n*(sxv*syy-syv*sxy) - sv*(sx*syy-sxy*sy) + sy*(sx*syv-sxv*sy)) / det
		c := (n*(sxx*syv-sxy*sxv) - sx*(sx*syv-sxv*sy) + sv*(sx*sxy-sxx*sy)) / det
		return shading{a, b, c}
	}
	s := fit(pts)
	res := make([]float64, len(pts))
	for i, p := range pts {
		res[i] = math.Abs(p.v - float64(s.at(int(p.x), int(p.y))))
	}
	sorted := append([]float64(nil), res...)
	sort.Float64s(sorted)
	cut := max(sorted[len(sorted)*3/4], 0.02) // keep the best-fitting three quarters
	var keep []sample
	for i, p := range pts {
		if res[i] <= cut {
			keep = append(keep, p)
		}
	}
	return fit(keep)
}
