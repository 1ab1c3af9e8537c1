package filters

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestResampleIdentityAtOwnSize(t *testing.T) {
	for _, f := range append(append(Lesson(), Sobel()...), LMDigit()...) {
		got := Resample(f, f.Size)
		want := append([]float64(nil), f.Data...)
		normalise(want)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("Resample(%s, %d)[%d] = %g, want %g", f.Name, f.Size, i, got[i], want[i])
				break
			}
		}
	}
}

func TestResampleLessonTo5(t *testing.T) {
	got := Resample(Lesson()[0], 5)
	// Columns -1, -2/3, 0, 2/3, 1, the same in every row, scaled to unit L1 norm.
	cols := []float64{-1, -2.0 / 3, 0, 2.0 / 3, 1}
	scale := 1 / (5 * (1 + 2.0/3 + 2.0/3 + 1))
	for y := range 5 {
		for x := range 5 {
			if want := cols[x] * scale; math.Abs(got[y*5+x]-want) > 1e-12 {
				t.Errorf("Resample(vertical, 5)[%d][%d] = %g, want %g", y, x, got[y*5+x], want)
			}
		}
	}
}

// TestResampleKeepsScale: an LM filter brought to a smaller odd support is its own
// centre, cut out at the same pixel size (zero mean and unit L1 norm again).
func TestResampleKeepsScale(t *testing.T) {
	for _, k := range []int{3, 5, 9} {
		for _, f := range LMDigit() {
			o := (f.Size - k) / 2
			want := make([]float64, 0, k*k)
			for y := range k {
				want = append(want, f.Data[(y+o)*f.Size+o:(y+o)*f.Size+o+k]...)
			}
			normalise(want)
			got := Resample(f, k)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Errorf("Resample(%s, %d)[%d] = %g, want the centre of the filter: %g", f.Name, k, i, got[i], want[i])
					break
				}
			}
		}
	}
}

func toF32(v []float64, sign float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(sign * x)
	}
	return out
}

func TestMatchFindsItselfAndItsNegation(t *testing.T) {
	bank := Bank()
	for _, k := range []int{5, 3, 7} {
		m := NewMatcher(bank, k)
		for i := range bank {
			v := Resample(bank[i], k)
			for _, sign := range []float64{1, -1} {
				got := BestMatch(toF32(v, sign), k, bank)
				if got.Score < 1-1e-6 || got.Negated != (sign < 0) {
					t.Errorf("k=%d: BestMatch(%g·%s) = %+v, want score 1, negated %v", k, sign, bank[i].Name, got, sign < 0)
					continue
				}
				if got.Filter == i {
					continue
				}
				// Another filter may win only if it is the same pattern at this size.
				var cos float64
				for j, x := range m.Resampled(got.Filter) {
					cos += x * m.Resampled(i)[j]
				}
				if math.Abs(cos) < 1-1e-6 {
					t.Errorf("k=%d: BestMatch(%g·%s) chose %s (cos %g with it), want itself", k, sign, bank[i].Name, got.Name, cos)
				}
			}
		}
	}
}

func TestMatchToleratesNoiseAndScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	bank := Bank()
	for i := 4; i < len(bank); i += 5 {
		v := Resample(bank[i], 5)
		learned := make([]float32, 25)
		for j := range learned {
			// A learned filter: the pattern at another scale, on an offset, plus noise.
			learned[j] = float32(-3*v[j] + 0.2 + 0.01*rng.NormFloat64())
		}
		got := BestMatch(learned, 5, bank)
		if got.Filter != i || !got.Negated || got.Score < 0.9 {
			t.Errorf("BestMatch(-3·%s + noise) = %+v, want %s, negated, score ≥ 0.9", bank[i].Name, got, bank[i].Name)
		}
	}
}

func TestMatchFlatAndScoresInRange(t *testing.T) {
	bank := Bank()
	if got := BestMatch(make([]float32, 25), 5, bank); got.Filter != -1 || got.Score != 0 || got.Name != "" {
		t.Errorf("BestMatch(flat) = %+v, want Filter -1, score 0", got)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	learned := make([][]float32, 20)
	for i := range learned {
		learned[i] = make([]float32, 25)
		for j := range learned[i] {
			learned[i][j] = float32(rng.NormFloat64())
		}
	}
	for i, got := range MatchAll(learned, 5, bank) {
		if got.Learned != i || got.Filter < 0 || got.Filter >= len(bank) || got.Name != bank[got.Filter].Name {
			t.Errorf("MatchAll[%d] = %+v: wrong learned index or filter", i, got)
		}
		if got.Score <= 0 || got.Score > 1 {
			t.Errorf("MatchAll[%d].Score = %g, want in (0, 1]", i, got.Score)
		}
	}
}

func TestMatchCacheSeesChangedBank(t *testing.T) {
	bank := append(Lesson(), Sobel()...)
	v := Resample(bank[0], 5)
	if got := BestMatch(toF32(v, 1), 5, bank); got.Filter != 0 {
		t.Fatalf("BestMatch(vertical) = %+v, want filter 0", got)
	}
	// The same slice, now holding a different kernel at index 0: the answer must follow.
	bank[0].Data = []float64{0, 0, 0, -1, 0, 1, 0, 0, 0}
	want := Resample(bank[0], 5)
	got := BestMatch(toF32(want, 1), 5, bank)
	if got.Filter != 0 || got.Score < 1-1e-6 {
		t.Errorf("BestMatch after changing bank[0] = %+v, want filter 0 with score 1", got)
	}
}

func TestMatchPanicsOnWrongSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("BestMatch of 24 weights at k=5 did not panic")
		}
	}()
	BestMatch(make([]float32, 24), 5, Bank())
}

// TestRandomFiltersScoreLow: the score separates a real resemblance from chance. With
// 52 candidates a random 5×5 filter always finds something; its best score stays far
// from the ≥ 0.9 of a bank filter under noise (TestMatchToleratesNoiseAndScale).
func TestRandomFiltersScoreLow(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	m := NewMatcher(Bank(), 5)
	var s []float64
	for range 400 {
		l := make([]float32, 25)
		for j := range l {
			l[j] = float32(rng.NormFloat64())
		}
		s = append(s, m.Match(l).Score)
	}
	slices.Sort(s)
	if med, p95 := s[len(s)/2], s[len(s)*95/100]; med > 0.55 || p95 > 0.75 {
		t.Errorf("random 5×5 filters: median best score %.2f, 95th percentile %.2f; want ≤ 0.55 and ≤ 0.75", med, p95)
	}
}
