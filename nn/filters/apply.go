package filters

import "fmt"

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

// ApplyBank applies every filter of bank to img ([Apply]), one map per filter.
func ApplyBank(img []float32, h, w int, bank []Filter) [][]float32 {
	out := make([][]float32, len(bank))
	buf := make([]float32, len(bank)*h*w)
	for i, f := range bank {
		out[i] = buf[i*h*w : (i+1)*h*w : (i+1)*h*w]
		ApplyTo(out[i], img, h, w, f)
	}
	return out
}
