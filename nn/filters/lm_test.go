package filters

import (
	"math"
	"testing"
)

func banks() map[string][]Filter {
	return map[string][]Filter{"LMLarge": LMLarge(), "LMDigit": LMDigit()}
}

func TestLMBankReferenceOrder(t *testing.T) {
	sigmas := map[string][]float64{"LMLarge": LMLargeSigmas(), "LMDigit": LMDigitSigmas()}
	sizes := map[string]int{"LMLarge": 49, "LMDigit": 15}
	for name, bank := range banks() {
		if len(bank) != 48 {
			t.Fatalf("%s has %d filters, want 48", name, len(bank))
		}
		s := sigmas[name]
		type want struct {
			family string
			sigma  float64
			angle  float64
		}
		var order []want
		for _, fam := range []string{FamilyEdge, FamilyBar} {
			for _, sg := range s[:3] {
				for o := range 6 {
					order = append(order, want{fam, sg, float64(30 * o)})
				}
			}
		}
		for _, sg := range s {
			order = append(order, want{FamilyGauss, sg, 0}, want{FamilyLoG, sg, 0}, want{FamilyLoG, 3 * sg, 0})
		}
		names := map[string]bool{}
		for i, f := range bank {
			w := order[i]
			if f.Family != w.family || math.Abs(f.Sigma-w.sigma) > 1e-12 || f.AngleDeg != w.angle || f.Index != i {
				t.Errorf("%s[%d] = %s σ=%g %g° index %d, want %s σ=%g %g° index %d",
					name, i, f.Family, f.Sigma, f.AngleDeg, f.Index, w.family, w.sigma, w.angle, i)
			}
			if f.Size != sizes[name] || len(f.Data) != f.Size*f.Size {
				t.Errorf("%s[%d] is %d×%d with %d weights, want %d×%d", name, i, f.Size, f.Size, len(f.Data), sizes[name], sizes[name])
			}
			if names[f.Name] {
				t.Errorf("%s[%d]: name %q used twice", name, i, f.Name)
			}
			names[f.Name] = true
		}
	}
}

func TestLMBankZeroMeanUnitL1(t *testing.T) {
	for name, bank := range banks() {
		for i, f := range bank {
			var sum, l1 float64
			for _, v := range f.Data {
				sum += v
				l1 += math.Abs(v)
			}
			if math.Abs(sum) > 1e-12 {
				t.Errorf("%s[%d] %s: sum = %g, want 0", name, i, f.Name, sum)
			}
			if math.Abs(l1-1) > 1e-12 {
				t.Errorf("%s[%d] %s: L1 norm = %g, want 1", name, i, f.Name, l1)
			}
		}
	}
}

// principalAxis returns the direction (degrees in [0, 180), counter-clockwise, y up) of
// the largest second moment of the filter's energy f², and the ratio of the larger to
// the smaller moment.
func principalAxis(f Filter) (deg, ratio float64) {
	c := float64(f.Size-1) / 2
	var sxx, syy, sxy float64
	for r := range f.Size {
		for col := range f.Size {
			e := f.At(r, col) * f.At(r, col)
			x, y := float64(col)-c, c-float64(r)
			sxx += e * x * x
			syy += e * y * y
			sxy += e * x * y
		}
	}
	deg = 0.5 * math.Atan2(2*sxy, sxx-syy) * 180 / math.Pi
	if deg < 0 {
		deg += 180
	}
	tr, det := sxx+syy, sxx*syy-sxy*sxy
	d := math.Sqrt(tr*tr/4 - det)
	return deg, (tr/2 + d) / (tr/2 - d)
}

func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 180)
	return min(d, 180-d)
}

func TestLMOrientedEnergyAlongAngle(t *testing.T) {
	for name, bank := range banks() {
		for i, f := range bank[:36] {
			deg, ratio := principalAxis(f)
			if d := angleDiff(deg, f.AngleDeg); d > 2 {
				t.Errorf("%s[%d] %s: energy lies along %.1f°, want %g° (±2°)", name, i, f.Name, deg, f.AngleDeg)
			}
			if ratio < 1.5 {
				t.Errorf("%s[%d] %s: energy elongation %.2f, want ≥ 1.5", name, i, f.Name, ratio)
			}
		}
		for i, f := range bank[36:] {
			if _, ratio := principalAxis(f); ratio > 1.01 {
				t.Errorf("%s[%d] %s: energy elongation %.3f, want isotropic", name, 36+i, f.Name, ratio)
			}
		}
	}
}

// TestLMSigns pins the sign conventions the doc promises, on both banks.
func TestLMSigns(t *testing.T) {
	for name, bank := range banks() {
		n := bank[0].Size
		c := n / 2
		edge0, edge90 := bank[0], bank[3]
		if !(edge0.At(c-1, c) < 0 && edge0.At(c+1, c) > 0) {
			t.Errorf("%s %s: above %g, below %g; want negative above, positive below", name, edge0.Name, edge0.At(c-1, c), edge0.At(c+1, c))
		}
		if !(edge90.At(c, c-1) < 0 && edge90.At(c, c+1) > 0) {
			t.Errorf("%s %s: left %g, right %g; want negative left, positive right", name, edge90.Name, edge90.At(c, c-1), edge90.At(c, c+1))
		}
		// An edge at 30° separates the upper-left (negative) from the lower-right.
		edge30 := bank[1]
		if !(edge30.At(c-2, c-1) < 0 && edge30.At(c+2, c+1) > 0) {
			t.Errorf("%s %s: upper left %g, lower right %g; want negative, positive", name, edge30.Name, edge30.At(c-2, c-1), edge30.At(c+2, c+1))
		}
		for _, i := range []int{18, 36 + 1, 36 + 2} { // a bar and two LoGs: negative centre
			if bank[i].At(c, c) >= 0 {
				t.Errorf("%s %s: centre %g, want negative", name, bank[i].Name, bank[i].At(c, c))
			}
		}
		if g := bank[36]; g.At(c, c) <= 0 || g.At(c, c) < g.At(c, c+1) {
			t.Errorf("%s %s: centre %g, next %g; want a positive peak", name, g.Name, g.At(c, c), g.At(c, c+1))
		}
	}
}

func TestLMLargeSampledAtPixelCentres(t *testing.T) {
	// The reference samples at integer offsets: the 0° edge at σ=√2 is a product of a
	// Gaussian along x (σ 3√2) and its derivative along y, so the ratio of two weights
	// in one column is the ratio of the 1-D derivative at those offsets.
	f := LMLarge()[0]
	c := 24
	s := math.Sqrt2
	d := func(v float64) float64 { return -v * math.Exp(-v*v/(2*s*s)) }
	got := f.At(c-1, c) / f.At(c-3, c) // rows above the centre are y = +1, +3
	want := d(1) / d(3)
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("LMLarge[0]: weight ratio y=1 / y=3 = %g, want %g", got, want)
	}
}

func TestBanksAreCopies(t *testing.T) {
	a := LMDigit()
	a[0].Data[0] = 42
	if b := LMDigit(); b[0].Data[0] == 42 {
		t.Error("LMDigit() returned shared weights: a caller's change showed up in the next call")
	}
	if len(Bank()) != 52 {
		t.Errorf("len(Bank()) = %d, want 52", len(Bank()))
	}
}
