package filters

import (
	"fmt"
	"sync"

	"convscope/nn/internal/kern"
)

// Border states how [Apply] treats the image border; the UI prints it.
const Border = "Same-size output, correlation as in a CNN (the kernel is not flipped), " +
	"zero padding: pixels outside the image count as 0 (background), so a kernel " +
	"overlapping the border can answer there even on a flat image."

// Apply correlates the h×w image img (row-major) with f and returns an h×w map:
//
//	out[y][x] = Σ_{i,j} f[i][j] · img[y+i-r][x+j-r],  r = (f.Size-1)/2
//
// This is what a convolution layer computes (no kernel flip). Pixels outside the image
// are zero (zero padding), so the output has the input's size; see [Border].
func Apply(img []float32, h, w int, f Filter) []float32 {
	out := make([]float32, h*w)
	ApplyTo(out, img, h, w, f)
	return out
}

// ApplyTo is [Apply] writing into dst (length h·w), which it overwrites.
func ApplyTo(dst, img []float32, h, w int, f Filter) {
	if len(img) != h*w || len(dst) != h*w {
		panic(fmt.Sprintf("filters: Apply: image %d and output %d values, want %d×%d", len(img), len(dst), h, w))
	}
	if len(f.Data) != f.Size*f.Size {
		panic(fmt.Sprintf("filters: Apply: filter %q has %d weights, want %d", f.Name, len(f.Data), f.Size*f.Size))
	}
	clear(dst)
	k, r := f.Size, (f.Size-1)/2
	for i := range k {
		dy := i - r
		// Output rows whose source row y+dy is inside the image.
		y0, y1 := max(0, -dy), min(h, h-dy)
		for j := range k {
			wt := float32(f.Data[i*k+j])
			if wt == 0 {
				continue
			}
			dx := j - r
			x0, x1 := max(0, -dx), min(w, w-dx)
			if x0 >= x1 {
				continue
			}
			for y := y0; y < y1; y++ {
				o := dst[y*w+x0 : y*w+x1]
				s := img[(y+dy)*w+x0+dx:]
				s = s[:len(o)]
				x := 0
				for ; x+4 <= len(o); x += 4 {
					o4, s4 := o[x:x+4:x+4], s[x:x+4:x+4]
					o4[0] += wt * s4[0]
					o4[1] += wt * s4[1]
					o4[2] += wt * s4[2]
					o4[3] += wt * s4[3]
				}
				for ; x < len(o); x++ {
					o[x] += wt * s[x]
				}
			}
		}
	}
}

// ApplyBank applies every filter of bank to img ([Apply]), one map per filter. Runs of
// filters with the same support are computed the way a convolution layer is: the
// image's patches laid out as columns (im2col) and one matrix multiply with the
// filters as rows, which is several times faster than filter by filter. The maps agree
// with [Apply] up to float32 rounding.
func ApplyBank(img []float32, h, w int, bank []Filter) [][]float32 {
	if len(img) != h*w {
		panic(fmt.Sprintf("filters: ApplyBank: image has %d values, want %d×%d", len(img), h, w))
	}
	p := h * w
	buf := make([]float32, len(bank)*p)
	out := make([][]float32, len(bank))
	for i := range bank {
		out[i] = buf[i*p : (i+1)*p : (i+1)*p]
	}
	for start := 0; start < len(bank); {
		end := start + 1
		for end < len(bank) && bank[end].Size == bank[start].Size {
			end++
		}
		if end-start < minGemmFilters {
			for i := start; i < end; i++ {
				ApplyTo(out[i], img, h, w, bank[i])
			}
		} else {
			applyGemm(buf[start*p:end*p], img, h, w, bank[start:end])
		}
		start = end
	}
	return out
}

// minGemmFilters is the smallest run of same-size filters worth an im2col: below it,
// laying out the patches costs more than it saves.
const minGemmFilters = 4

var colsPool = sync.Pool{New: func() any { return new([]float32) }}

// applyGemm computes the maps of same-size filters into dst (len(bank) × h·w):
// dst[f×P] = W[f×K] · cols[K×P], K = size², P = h·w, where row t = i·size+j of cols
// holds, for every output pixel (y, x), the image at (y+i-r, x+j-r) or 0 outside.
func applyGemm(dst, img []float32, h, w int, bank []Filter) {
	k, r := bank[0].Size, (bank[0].Size-1)/2
	kk, p := k*k, h*w
	wts := make([]float32, len(bank)*kk)
	for f, flt := range bank {
		if len(flt.Data) != kk {
			panic(fmt.Sprintf("filters: ApplyBank: filter %q has %d weights, want %d", flt.Name, len(flt.Data), kk))
		}
		for t, v := range flt.Data {
			wts[f*kk+t] = float32(v)
		}
	}
	cp := colsPool.Get().(*[]float32)
	defer colsPool.Put(cp)
	if cap(*cp) < kk*p {
		*cp = make([]float32, kk*p)
	}
	cols := (*cp)[:kk*p]
	clear(cols)
	for i := range k {
		dy := i - r
		y0, y1 := max(0, -dy), min(h, h-dy)
		for j := range k {
			dx := j - r
			x0, x1 := max(0, -dx), min(w, w-dx)
			if x0 >= x1 {
				continue
			}
			row := cols[(i*k+j)*p : (i*k+j+1)*p]
			for y := y0; y < y1; y++ {
				copy(row[y*w+x0:y*w+x1], img[(y+dy)*w+x0+dx:])
			}
		}
	}
	kern.Gemm(dst, wts, cols, len(bank), kk, p, false)
}
