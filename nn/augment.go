package nn

import "math"

// Data augmentation: with Config.Augment, every training image is drawn through a small
// random affine transform as its batch is converted from bytes. The ranges are those of
// the digits the app meets beyond MNIST (a student's drawing or photo, prepared the way
// MNIST was: scaled into 20×20 and centred by centre of mass): the preparation leaves a
// digit's size and position off by a little, and people tilt and slant their digits.
// Each parameter is drawn uniformly from its range:
const (
	augShift  = 2.0  // translation along each axis, ±pixels
	augRotate = 15.0 // rotation, ±degrees
	augScale  = 0.1  // scale factor 1±augScale (the same along both axes)
	augShear  = 0.15 // horizontal shear (slant) x += k·(y−centre), k in ±augShear
)

// affine maps an output pixel (x, y) to the source position it samples:
// (a·x + b·y + c, d·x + e·y + f).
type affine struct{ a, b, c, d, e, f float32 }

// augmentKey is where the random transforms of a training step come from: the trainer's
// seed and the position of the step's first sample in the stream of training samples.
// A sample's transform depends only on these and its position in the batch, not on how
// the batch is split over workers and micro-batches.
type augmentKey struct {
	on    bool
	seed  uint64
	first int64 // samples seen before this step
}

// splitmix64 is one step of the SplitMix64 generator: a cheap, well-mixed hash of x.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// randomAffine returns the transform of training sample number n (counted from the start
// of training) for seed, for h×w images: the inverse of
//
//	p′ = centre + t + s·R(θ)·Shear(k)·(p − centre)
//
// where p is a pixel of the stored digit and p′ the pixel it lands on.
func randomAffine(seed uint64, n int64, h, w int) affine {
	state := splitmix64(seed^0x6175676d656e74) ^ uint64(n)*0xd1342543de82ef95
	// uniform returns the next value, uniform in [−1, 1).
	uniform := func() float64 {
		state = splitmix64(state)
		return float64(state>>11)/(1<<52) - 1
	}
	theta := uniform() * augRotate * math.Pi / 180
	s := 1 + uniform()*augScale
	k := uniform() * augShear
	tx, ty := uniform()*augShift, uniform()*augShift
	// M = s·R(θ)·[[1 k] [0 1]]
	sin, cos := math.Sincos(theta)
	m00, m01 := s*cos, s*(cos*k-sin)
	m10, m11 := s*sin, s*(sin*k+cos)
	det := m00*m11 - m01*m10
	i00, i01, i10, i11 := m11/det, -m01/det, -m10/det, m00/det
	// p = centre + M⁻¹·(p′ − centre − t): MNIST centres a digit's mass on pixel
	// (w/2, h/2), so rotating and scaling about it keep the digit in place.
	cx, cy := float64(w)/2, float64(h)/2
	ox, oy := -cx-tx, -cy-ty
	return affine{
		a: float32(i00), b: float32(i01), c: float32(cx + i00*ox + i01*oy),
		d: float32(i10), e: float32(i11), f: float32(cy + i10*ox + i11*oy),
	}
}

// warp writes the h×w image src, scaled to 0..1 and resampled through t with bilinear
// interpolation, into dst; source pixels outside the image are 0 (background).
func warp(dst []float32, src []byte, h, w int, t affine) {
	dst = dst[:h*w]
	src = src[:h*w]
	// at is src[y·w+x], or 0 outside the image.
	at := func(x, y int) float32 {
		if uint(x) >= uint(w) || uint(y) >= uint(h) {
			return 0
		}
		return float32(src[y*w+x])
	}
	for y := range h {
		sx := t.b*float32(y) + t.c
		sy := t.e*float32(y) + t.f
		row := dst[y*w : (y+1)*w]
		for x := range row {
			// floor for sx, sy > −2 (anything lower samples only background):
			// truncation toward zero of a positive number.
			x0, y0 := int(sx+2)-2, int(sy+2)-2
			var v float32
			switch {
			case sx <= -1 || sy <= -1 || x0 >= w || y0 >= h:
				// all four taps are outside
			case x0 >= 0 && y0 >= 0 && x0+1 < w && y0+1 < h:
				ax, ay := sx-float32(x0), sy-float32(y0)
				i := y0*w + x0
				p00, p01 := float32(src[i]), float32(src[i+1])
				p10, p11 := float32(src[i+w]), float32(src[i+w+1])
				top := p00 + ax*(p01-p00)
				bot := p10 + ax*(p11-p10)
				v = (top + ay*(bot-top)) * (1.0 / 255)
			default:
				ax, ay := sx-float32(x0), sy-float32(y0)
				top := at(x0, y0) + ax*(at(x0+1, y0)-at(x0, y0))
				bot := at(x0, y0+1) + ax*(at(x0+1, y0+1)-at(x0, y0+1))
				v = (top + ay*(bot-top)) * (1.0 / 255)
			}
			row[x] = v
			sx += t.a
			sy += t.d
		}
	}
}
