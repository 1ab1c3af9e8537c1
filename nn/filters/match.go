package filters

import (
	"fmt"
	"math"
	"sync"
)

// Match is the hand-made filter most similar to one learned filter.
type Match struct {
	Learned int    `json:"learned"` // index of the learned filter
	Filter  int    `json:"filter"`  // index in the bank; -1 if the learned filter is flat
	Name    string `json:"name"`    // the bank filter's name; "" if Filter is -1
	// Score is |cos| of the angle between the zero-mean learned filter and the
	// zero-mean resampled bank filter: 1 means the same pattern up to scale and sign,
	// 0 nothing in common. Chance level matters when reading it: against [Bank], the
	// best score of a random 5×5 filter is about 0.4 (0.6 at the 95th percentile), of
	// a random 3×3 one about 0.7, because 3×3 leaves little room to differ.
	Score float64 `json:"score"`
	// Negated reports that the learned filter looks like the bank filter with its
	// sign flipped (the correlation is negative).
	Negated bool `json:"negated"`
}

// Matcher compares learned k×k filters with a bank resampled once to k×k. It is safe for
// concurrent use.
type Matcher struct {
	k     int
	names []string
	vecs  [][]float64 // resampled, zero mean, unit L2 norm (nil if flat at k×k)
}

// NewMatcher resamples bank to k×k ([Resample]) for later matching.
func NewMatcher(bank []Filter, k int) *Matcher {
	m := &Matcher{k: k, names: make([]string, len(bank)), vecs: make([][]float64, len(bank))}
	for i, f := range bank {
		m.names[i] = f.Name
		v := Resample(f, k)
		if unitL2(v) {
			m.vecs[i] = v
		}
	}
	return m
}

// K returns the support the matcher compares at.
func (m *Matcher) K() int { return m.k }

// Resampled returns bank filter i as the matcher sees it: k×k, zero mean, unit L2
// norm (all zeros if it is flat at this size). The slice is the matcher's own.
func (m *Matcher) Resampled(i int) []float64 {
	if m.vecs[i] == nil {
		return make([]float64, m.k*m.k)
	}
	return m.vecs[i]
}

// Match returns the bank filter most similar to learned (k×k, row-major) by the
// sign-invariant normalised correlation described at [Match.Score]. Ties go to the
// lower bank index. A flat learned filter (all weights equal) matches nothing:
// Filter is -1 and Score 0. Match.Learned is 0; [Matcher.MatchAll] numbers them.
func (m *Matcher) Match(learned []float32) Match {
	if len(learned) != m.k*m.k {
		panic(fmt.Sprintf("filters: Match: learned filter has %d weights, want %d×%d", len(learned), m.k, m.k))
	}
	var mean float64
	for _, v := range learned {
		mean += float64(v)
	}
	mean /= float64(len(learned))
	var buf [64]float64
	l := buf[:0]
	var norm float64
	for _, v := range learned {
		d := float64(v) - mean
		l = append(l, d)
		norm += d * d
	}
	best := Match{Filter: -1}
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return best
	}
	inv := 1 / math.Sqrt(norm)
	for i, v := range m.vecs {
		if v == nil {
			continue
		}
		var dot float64
		for j, x := range v[:len(l)] {
			dot += x * l[j]
		}
		if s := math.Abs(dot) * inv; s > best.Score {
			best = Match{Filter: i, Name: m.names[i], Score: min(s, 1), Negated: dot < 0}
		}
	}
	return best
}

// MatchAll matches every learned filter; result i has Learned = i.
func (m *Matcher) MatchAll(learned [][]float32) []Match {
	out := make([]Match, len(learned))
	for i, l := range learned {
		out[i] = m.Match(l)
		out[i].Learned = i
	}
	return out
}

// BestMatch is [Matcher.Match] with a matcher for (bank, k) taken from a small cache,
// so calling it many times a second with the same bank resamples the bank once.
func BestMatch(learned []float32, k int, bank []Filter) Match {
	return cachedMatcher(bank, k).Match(learned)
}

// MatchAll is [Matcher.MatchAll] with a cached matcher, as [BestMatch].
func MatchAll(learned [][]float32, k int, bank []Filter) []Match {
	return cachedMatcher(bank, k).MatchAll(learned)
}

// The cache is keyed by a hash of the bank's names and weights, so a changed bank
// never reuses a stale matcher; a handful of entries is plenty for one server.
var matchers struct {
	sync.Mutex
	m map[uint64]*Matcher
}

const maxMatchers = 16

func cachedMatcher(bank []Filter, k int) *Matcher {
	key := fingerprint(bank, k)
	matchers.Lock()
	m, ok := matchers.m[key]
	matchers.Unlock()
	if ok {
		return m
	}
	m = NewMatcher(bank, k)
	matchers.Lock()
	if matchers.m == nil || len(matchers.m) >= maxMatchers {
		matchers.m = make(map[uint64]*Matcher)
	}
	matchers.m[key] = m
	matchers.Unlock()
	return m
}

// fingerprint hashes everything that decides the resampled bank: FNV-1a over 64-bit
// words, which is plenty to tell banks apart and costs ~10 µs for the full bank.
func fingerprint(bank []Filter, k int) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	mix := func(v uint64) { h = (h ^ v) * prime }
	str := func(s string) {
		for i := 0; i < len(s); i++ {
			mix(uint64(s[i]))
		}
		mix(uint64(len(s)))
	}
	mix(uint64(k))
	mix(uint64(len(bank)))
	for _, f := range bank {
		str(f.Name)
		str(f.Family)
		mix(uint64(f.Size))
		mix(math.Float64bits(f.Sigma))
		mix(math.Float64bits(f.AngleDeg))
		for _, v := range f.Data {
			mix(math.Float64bits(v))
		}
	}
	return h
}

// unitL2 scales v to unit L2 norm; it reports false if v is (numerically) zero.
func unitL2(v []float64) bool {
	var n float64
	for _, x := range v {
		n += x * x
	}
	if n < 1e-24 {
		return false
	}
	inv := 1 / math.Sqrt(n)
	for i := range v {
		v[i] *= inv
	}
	return true
}
