package filters

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
)

// The Leung–Malik bank (Leung & Malik, IJCV 2001; the reference is VGG Oxford's
// makeLMfilters.m). Its structure, common to both sizes built here:
//
//	 0–17  first derivative across an elongated Gaussian (σ along = 3σ across):
//	       scales 1..3 (outer), orientations 0°, 30°, …, 150° (inner)
//	18–35  second derivative across, same order
//	36–47  per scale 1..4: Gaussian(σ), LoG(σ), LoG(3σ)
//
// Orientation: here θ is the long axis counter-clockwise on screen. The reference
// rotates its sampling points by θ with y pointing up, which turns its filters the
// other way on screen; the six orientations are the same set, so only the order within
// a scale differs (0° and 90° coincide).
//
// Every filter is made zero mean, then divided by its L1 norm, as the reference does.
// The reference does this to the Gaussians too; so does this package. A zero-mean
// Gaussian is a bump on a slightly negative floor: a blob detector rather than a blur.
// Keeping it means the bank is the reference's bank, every filter answers on the same
// scale, and the matcher (which compares zero-mean vectors) sees exactly the filter
// that is drawn.

// The reference's LM Large scales, and the digit bank's: LM Large at half scale. The
// oriented filters use the first three (digit bank: σ across 0.71, 1, 1.41; σ along
// 2.1, 3, 4.2), the Gaussians and LoGs all four ([Describe] says why).
var (
	lmLargeSigmas = []float64{math.Sqrt2, 2, 2 * math.Sqrt2, 4}
	lmDigitSigmas = []float64{math.Sqrt2 / 2, 1, math.Sqrt2, 2}
)

// LMLargeSigmas returns the four scales of [LMLarge]: √2, 2, 2√2, 4.
func LMLargeSigmas() []float64 { return slices.Clone(lmLargeSigmas) }

// LMDigitSigmas returns the four scales of [LMDigit]: √2/2, 1, √2, 2.
func LMDigitSigmas() []float64 { return slices.Clone(lmDigitSigmas) }

const (
	// LMLargeSize is the reference support of LM Large.
	LMLargeSize = 49
	// LMDigitSize is the support of the digit-sized bank: about half a digit.
	LMDigitSize = 15
	// lmDigitSub is the number of samples per pixel side when the digit bank is
	// rendered: each weight is the filter's mean over its pixel, because σ = 0.71 is
	// too fine to sample at pixel centres alone.
	lmDigitSub = 5
)

// Describe says which digit-sized bank ConvScope shows and why; the UI prints it.
func Describe() string {
	return "Leung–Malik bank for 28×28 digits: the reference's 48 filters at half the " +
		"scale of LM Large, σ = 0.71, 1, 1.41, 2 px, on a 15×15 support (LM Large is " +
		"49×49 with σ = 1.41…4: wider than a whole digit). Edges and bars use the first " +
		"three scales, elongated 3:1 (σ along = 2.1, 3, 4.2 px, reaching at least ±1.65σ " +
		"inside the support). A bar filter's centre lobe is 2σ wide, so the bars fit " +
		"MNIST's 2–3 px strokes; LoG(σ) finds stroke ends and dots, LoG(3σ) at 2.1…6 px " +
		"the digits' loops. Each weight is the filter's mean over its pixel; every filter " +
		"has zero mean and unit L1 norm, as in the reference."
}

// LMLarge returns the reference LM Large bank: 48 filters, 49×49, σ = √2, 2, 2√2, 4,
// sampled at pixel centres as the reference does, in the reference order.
func LMLarge() []Filter { return cloneBank(lmLarge()) }

// LMDigit returns the digit-sized LM bank: the reference structure and order, 15×15,
// σ = [LMDigitSigmas], each weight averaged over its pixel.
func LMDigit() []Filter { return cloneBank(lmDigit()) }

var (
	lmLarge = sync.OnceValue(func() []Filter { return MakeLM(LMLargeSize, lmLargeSigmas, 1) })
	lmDigit = sync.OnceValue(func() []Filter { return MakeLM(LMDigitSize, lmDigitSigmas, lmDigitSub) })
)

// MakeLM builds a Leung–Malik bank in the reference order with the given odd support,
// four scales and sub×sub samples per pixel (1 samples at pixel centres, as the
// reference does; more average the filter over each pixel). LM Small, for instance, is
// MakeLM(49, []float64{1, math.Sqrt2, 2, 2 * math.Sqrt2}, 1).
func MakeLM(size int, sigmas []float64, sub int) []Filter {
	if size < 1 || size%2 == 0 || len(sigmas) != 4 || sub < 1 {
		panic(fmt.Sprintf("filters: MakeLM(%d, %v, %d): want an odd size, 4 scales, sub ≥ 1", size, sigmas, sub))
	}
	bank := make([]Filter, 0, 48)
	for _, fam := range []string{FamilyEdge, FamilyBar} {
		for _, s := range sigmas[:3] {
			for o := range 6 {
				bank = append(bank, lmFilter(fam, size, s, float64(30*o), sub))
			}
		}
	}
	for _, s := range sigmas {
		bank = append(bank,
			lmFilter(FamilyGauss, size, s, 0, sub),
			lmFilter(FamilyLoG, size, s, 0, sub),
			lmFilter(FamilyLoG, size, 3*s, 0, sub))
	}
	for i := range bank {
		bank[i].Index = i
	}
	return bank
}

func lmFilter(family string, size int, sigma, angle float64, sub int) Filter {
	f := Filter{Family: family, Size: size, Sigma: sigma, AngleDeg: angle}
	f.Name = lmName(f)
	fn, _ := continuous(f)
	h := float64(size) / 2
	f.Data = render(fn, -h, h, size, sub)
	normalise(f.Data)
	return f
}

func lmName(f Filter) string {
	s := "σ=" + strconv.FormatFloat(f.Sigma, 'f', -1, 64)
	if len(s) > 7 {
		s = "σ=" + strconv.FormatFloat(f.Sigma, 'f', 2, 64)
	}
	switch f.Family {
	case FamilyEdge:
		return fmt.Sprintf("edge %g° %s", f.AngleDeg, s)
	case FamilyBar:
		return fmt.Sprintf("bar %g° %s", f.AngleDeg, s)
	case FamilyLoG:
		return "LoG " + s
	default:
		return "Gauss " + s
	}
}

// continuous returns f as a function of (x, y) in pixels from its centre, x to the
// right and y up, for the LM families; false for filters that exist only as weights.
func continuous(f Filter) (func(x, y float64) float64, bool) {
	s := f.Sigma
	switch f.Family {
	case FamilyEdge, FamilyBar:
		c, sn := math.Cos(f.AngleDeg*math.Pi/180), math.Sin(f.AngleDeg*math.Pi/180)
		second := f.Family == FamilyBar
		return func(x, y float64) float64 {
			u := x*c + y*sn  // along the long axis
			v := -x*sn + y*c // across, towards 90° counter-clockwise of it
			g := gauss(u, 3*s) * gauss(v, s)
			if second {
				return g * (v*v - s*s) / (s * s * s * s)
			}
			return -g * v / (s * s)
		}, true
	case FamilyLoG:
		return func(x, y float64) float64 {
			r2 := x*x + y*y
			return (r2 - 2*s*s) * math.Exp(-r2/(2*s*s))
		}, true
	case FamilyGauss:
		return func(x, y float64) float64 { return math.Exp(-(x*x + y*y) / (2 * s * s)) }, true
	}
	return nil, false
}

func gauss(x, s float64) float64 { return math.Exp(-x*x/(2*s*s)) / (s * math.Sqrt(2*math.Pi)) }

// render samples fn on a k×k grid whose cells tile the square [lo, hi]² (x to the
// right, y up; row 0 is the top). Each cell gets the mean of sub×sub samples at the
// centres of its sub-cells; sub = 1 samples the cell's centre.
func render(fn func(x, y float64) float64, lo, hi float64, k, sub int) []float64 {
	out := make([]float64, k*k)
	step := (hi - lo) / float64(k*sub)
	inv := 1 / float64(sub*sub)
	for r := range k {
		for c := range k {
			var sum float64
			for i := range sub {
				y := hi - (float64(r*sub+i)+0.5)*step
				for j := range sub {
					x := lo + (float64(c*sub+j)+0.5)*step
					sum += fn(x, y)
				}
			}
			out[r*k+c] = sum * inv
		}
	}
	return out
}

// normalise makes d zero mean, then unit L1 norm (a constant d becomes all zeros).
func normalise(d []float64) {
	var mean, before float64
	for _, v := range d {
		mean += v
		before += math.Abs(v)
	}
	mean /= float64(len(d))
	var l1 float64
	for i := range d {
		d[i] -= mean
		l1 += math.Abs(d[i])
	}
	if l1 <= 1e-12*before || l1 == 0 {
		clear(d)
		return
	}
	for i := range d {
		d[i] /= l1
	}
}

func cloneBank(b []Filter) []Filter {
	out := make([]Filter, len(b))
	for i, f := range b {
		f.Data = append([]float64(nil), f.Data...)
		out[i] = f
	}
	return out
}
