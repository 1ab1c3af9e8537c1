package filters

import "fmt"

// Resample brings f to a k×k support (e.g. a learned 5×5 filter's) and returns the
// weights (row-major), made zero mean and unit L1 norm.
//
//   - LM filters keep their scale: the continuous filter is averaged over each pixel of
//     the k×k window centred on it, at the digit's pixel size (cut when k < Size,
//     extended when k > Size). A learned filter slides over the same pixels as the
//     digit bank, so a match means "the same pattern at the same size on the digit".
//     (Shrinking a 15×15 filter into 5×5 instead would make its σ sub-pixel and wipe
//     out its orientation.) Resample(f, f.Size) gives f.Data for [LMDigit].
//   - The lesson and Sobel kernels exist only as weights and have no scale of their
//     own: their whole support is stretched onto k×k, each new cell the area-weighted
//     mean of the old pixels it covers. The lesson's 3×3 [-1 0 1] becomes columns
//     -1, -⅔, 0, ⅔, 1 at 5×5.
func Resample(f Filter, k int) []float64 {
	if k < 1 {
		panic(fmt.Sprintf("filters: Resample(%q, %d): k must be positive", f.Name, k))
	}
	var out []float64
	if fn, ok := continuous(f); ok {
		h := float64(k) / 2
		out = render(fn, -h, h, k, lmDigitSub)
	} else {
		out = boxResample(f.Data, f.Size, k)
	}
	normalise(out)
	return out
}

// boxResample maps the n×n piecewise-constant image d onto k×k cells: out = A·d·Aᵀ with
// A[i][p] the share of new cell i covered by old pixel p.
func boxResample(d []float64, n, k int) []float64 {
	a := make([]float64, k*n)
	cell := float64(n) / float64(k) // width of a new cell in old pixels
	for i := range k {
		lo, hi := float64(i)*cell, float64(i+1)*cell
		for p := range n {
			overlap := min(hi, float64(p+1)) - max(lo, float64(p))
			if overlap > 0 {
				a[i*n+p] = overlap / cell
			}
		}
	}
	// tmp = A·d (k×n), out = tmp·Aᵀ (k×k).
	tmp := make([]float64, k*n)
	for i := range k {
		for p := range n {
			if w := a[i*n+p]; w != 0 {
				for q := range n {
					tmp[i*n+q] += w * d[p*n+q]
				}
			}
		}
	}
	out := make([]float64, k*k)
	for i := range k {
		for j := range k {
			var s float64
			for q := range n {
				s += tmp[i*n+q] * a[j*n+q]
			}
			out[i*k+j] = s
		}
	}
	return out
}
