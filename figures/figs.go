package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"convscope/nn/filters"
)

// drawLMBank: the 48 filters of the digit bank in the reference order, 12 to a row,
// each on its own symmetric scale (the shape is the point, not the amplitude).
func drawLMBank(c draw.Canvas, _ Input) error {
	p := page{c}
	bank := filters.LMDigit()
	var sig []string
	for _, v := range filters.LMDigitSigmas() {
		sig = append(sig, strconv.FormatFloat(v, 'g', 3, 64))
	}
	p.title(fmt.Sprintf("Leung–Malik filter bank for 28×28 digits (%d×%d)", bank[0].Size, bank[0].Size),
		"σ = "+strings.Join(sig, ", ")+" px (LM Large at half scale) · edges and bars at 0°, 30°, …, 150° · blue < 0 < orange")
	const (
		s      vg.Length = 66 // tile side
		gap    vg.Length = 6
		midGap vg.Length = 40
		top0   vg.Length = 74
		rowH   vg.Length = s + 34
	)
	group := 6*s + 5*gap
	left := (p.width() - 2*group - midGap) / 2
	px := blockSize(bank[0].Size, s)
	two := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for i, f := range bank {
		row, col := i/12, i%12
		x := left + vg.Length(col)*(s+gap)
		if col >= 6 {
			x += midGap - gap
		}
		top := top0 + vg.Length(row)*rowH + 20
		p.image(signedImage(f.Data, f.Size, f.Size, absMax(f.Data), px), x, top, s, s)
		switch {
		case i < 36 && i%6 == 0: // the first of six orientations
			kind := "edges"
			if f.Family == filters.FamilyBar {
				kind = "bars"
			}
			p.text(fmt.Sprintf("%s σ=%s, 0°→150°", kind, two(f.Sigma)), x+group/2, top-18, 13, draw.XCenter, false)
		case i >= 36 && (i-36)%3 == 0: // the first of a scale's Gaussian, LoG(σ), LoG(3σ)
			p.text(fmt.Sprintf("σ=%s: Gauss, LoG σ, LoG 3σ", two(f.Sigma)), x+(3*s+2*gap)/2, top-18, 13, draw.XCenter, false)
		}
	}
	return nil
}

// drawLessonEdges: the lesson's two kernels on top, the first five digits below, then
// each digit filtered by each kernel (as in the lesson's notebook).
func drawLessonEdges(c draw.Canvas, in Input) error {
	if err := in.checkDigits(); err != nil {
		return err
	}
	p := page{c}
	p.title("The lesson's edge kernels on training digits",
		"slid over the digit without flipping, as in a CNN; pixels beyond the border count as 0")
	kernels := filters.Lesson()
	const k vg.Length = 84
	kx := []vg.Length{p.width()/2 - 40 - k, p.width()/2 + 40}
	for i, f := range kernels {
		p.image(signedImage(f.Data, 3, 3, absMax(f.Data), blockSize(3, k)), kx[i], 72, k, k)
		for y := range 3 {
			for x := range 3 {
				col := color.Color(color.Black) // white on the dark ends of the scale
				if f.At(y, x) != 0 {
					col = color.White
				}
				p.textIn(col, strconv.FormatFloat(f.At(y, x), 'f', -1, 64), kx[i]+k/6+vg.Length(x)*k/3, 72+vg.Length(y)*k/3+7, 16, draw.XCenter, true)
			}
		}
		p.text(f.Name+" kernel", kx[i]+k/2, 72+k+4, 15, draw.XCenter, true)
	}
	n := min(5, len(in.Digits))
	const (
		s      vg.Length = 108
		gap    vg.Length = 18
		labelW vg.Length = 120
	)
	left := (p.width() - labelW - vg.Length(n)*s - vg.Length(n-1)*gap) / 2
	rows := []string{"digit", "vertical", "horizontal"}
	maps := make([][][]float32, 2)
	for r, f := range kernels {
		for _, d := range in.Digits[:n] {
			maps[r] = append(maps[r], filters.Apply(d, 28, 28, f))
		}
	}
	px := blockSize(28, s)
	for r, name := range rows {
		top := 226 + vg.Length(r)*(s+26)
		p.text(name, left+labelW-14, top+s/2-8, 15, draw.XRight, true)
		var lim float64 // one scale per kernel row, so the digits compare
		if r > 0 {
			for _, m := range maps[r-1] {
				lim = math.Max(lim, absMax(m))
			}
		}
		for i := range n {
			x := left + labelW + vg.Length(i)*(s+gap)
			if r == 0 {
				p.image(digitImage(in.Digits[i], 28, 28, px), x, top, s, s)
				if i < len(in.Labels) {
					p.text(fmt.Sprintf("label %d", in.Labels[i]), x+s/2, top-18, 13, draw.XCenter, false)
				}
				continue
			}
			p.image(signedImage(maps[r-1][i], 28, 28, lim, px), x, top, s, s)
		}
	}
	return nil
}

// drawLearned: the learned first-layer filters on one symmetric scale with its colour
// bar, so that weights compare across filters.
func drawLearned(c draw.Canvas, in Input) error {
	if err := in.checkLearned(); err != nil {
		return err
	}
	p := page{c}
	n := len(in.Learned)
	p.title("Learned first-layer filters", fmt.Sprintf("%d filters, %d×%d weights, one scale: blue < 0 < orange", n, in.K, in.K))
	var lim float64
	for _, l := range in.Learned {
		lim = math.Max(lim, absMax(l))
	}
	cols, _, sz := learnedGrid(n)
	px := blockSize(in.K, sz)
	for i, l := range in.Learned {
		x := 20 + vg.Length(i%cols)*(sz+learnedGap)
		top := learnedTop + vg.Length(i/cols)*(sz+learnedGap+18)
		p.image(signedImage(l, in.K, in.K, lim, px), x, top, sz, sz)
		p.text(fmt.Sprintf("#%d", i), x+sz/2, top+sz+3, 12, draw.XCenter, false)
	}
	h := c.Max.Y - c.Min.Y
	p.colorBar(lim, p.width()-learnedBarW, learnedTop, learnedBarW-20, min(h-learnedTop-20, 300), "weight")
	return nil
}

const (
	learnedTop  vg.Length = 80  // below the title
	learnedBarW vg.Length = 110 // colour bar and its labels
	learnedGap  vg.Length = 10
)

// learnedGrid lays n filters out in at most 16 columns across the width left of the
// colour bar; sz is the tile side.
func learnedGrid(n int) (cols, rows int, sz vg.Length) {
	cols = max(1, min(n, 16))
	rows = (n + cols - 1) / cols
	sz = min((960-40-learnedBarW-vg.Length(cols-1)*learnedGap)/vg.Length(cols), 110)
	return cols, rows, sz
}

// learnedHeight fits the figure to its rows, tall enough for the colour bar.
func learnedHeight(in Input) vg.Length {
	_, rows, sz := learnedGrid(len(in.Learned))
	return max(learnedTop+vg.Length(rows)*(sz+learnedGap+18)+20, 320)
}

// matched returns the matched bank filter as the matcher saw it (K×K), with the sign
// the learned filter has, and its name.
func matched(m filters.Match, k int, bank []filters.Filter) ([]float64, string) {
	if m.Filter < 0 || m.Filter >= len(bank) {
		return make([]float64, k*k), "no match (flat)"
	}
	v := filters.Resample(bank[m.Filter], k)
	name := bank[m.Filter].Name
	if m.Negated {
		for i := range v {
			v[i] = -v[i]
		}
		name = "−" + name
	}
	return v, name
}

// drawMatches: each learned filter beside its best hand-made match, with the score.
func drawMatches(c draw.Canvas, in Input) error {
	if err := in.checkLearned(); err != nil {
		return err
	}
	ms := in.matches()
	if len(ms) != len(in.Learned) {
		return fmt.Errorf("%d matches for %d learned filters: %w", len(ms), len(in.Learned), ErrNoData)
	}
	p := page{c}
	p.title("Learned filters and their closest hand-made filters",
		fmt.Sprintf("score = |cosine| of the zero-mean %d×%d weights; − means the match with its sign flipped", in.K, in.K))
	bank := filters.Bank()
	n := len(ms)
	cols := min(4, (n+7)/8)
	rows := (n + cols - 1) / cols
	const top0 vg.Length = 78
	colW := (p.width() - 40) / vg.Length(cols)
	rowH := ((c.Max.Y - c.Min.Y) - top0 - 14) / vg.Length(rows)
	s := min(rowH-8, 64)
	px := blockSize(in.K, s)
	fs := vg.Length(13) // caption size; smaller when four columns share the width
	if cols > 2 {
		fs = 11
	}
	for i, m := range ms {
		x := 20 + vg.Length(i/rows)*colW
		top := top0 + vg.Length(i%rows)*rowH
		l := in.Learned[i]
		p.text(fmt.Sprintf("#%d", i), x+22, top+s/2-7, 13, draw.XRight, false)
		p.image(signedImage(l, in.K, in.K, absMax(l), px), x+28, top, s, s)
		v, name := matched(m, in.K, bank)
		p.image(signedImage(v, in.K, in.K, absMax(v), px), x+32+s, top, s, s)
		p.text(name, x+40+2*s, top+s/2-fs-3, fs, draw.XLeft, true)
		p.text("score "+strconv.FormatFloat(m.Score, 'f', 2, 64), x+40+2*s, top+s/2+2, fs, draw.XLeft, false)
	}
	return nil
}

// drawResponses: for the first learned filters, the learned filter's feature map
// beside its matched filter's map on the same digits.
func drawResponses(c draw.Canvas, in Input) error {
	if err := in.checkLearned(); err != nil {
		return err
	}
	if err := in.checkDigits(); err != nil {
		return err
	}
	ms := in.matches()
	if len(ms) != len(in.Learned) {
		return fmt.Errorf("%d matches for %d learned filters: %w", len(ms), len(in.Learned), ErrNoData)
	}
	p := page{c}
	p.title("What a learned filter sees, and what its hand-made match sees",
		"each pair: the learned filter's feature map | the matched filter's map, on one scale per pair")
	bank := filters.Bank()
	nf, nd := min(4, len(in.Learned)), min(3, len(in.Digits))
	const (
		s    vg.Length = 84
		gap  vg.Length = 8
		pair vg.Length = 26 // extra space between digit columns
		top0 vg.Length = 76
	)
	left := (p.width() - 2*s - gap - pair - vg.Length(nd)*(2*s+gap+pair)) / 2
	dx := func(d int) vg.Length { return left + 2*s + gap + pair + vg.Length(d)*(2*s+gap+pair) }
	px := blockSize(28, s)
	kpx := blockSize(in.K, s)
	p.text("learned", left+s/2, top0+s+4, 13, draw.XCenter, true)
	p.text("hand-made", left+s+gap+s/2, top0+s+4, 13, draw.XCenter, true)
	for d := range nd {
		p.image(digitImage(in.Digits[d], 28, 28, px), dx(d)+s/2+gap/2, top0, s, s)
		label := "digit"
		if d < len(in.Labels) {
			label = fmt.Sprintf("digit, label %d", in.Labels[d])
		}
		p.text(label, dx(d)+s+gap/2, top0+s+4, 13, draw.XCenter, false)
	}
	for i := range nf {
		top := top0 + s + 26 + vg.Length(i)*(s+gap+16)
		l := in.Learned[i]
		v, name := matched(ms[i], in.K, bank)
		p.image(signedImage(l, in.K, in.K, absMax(l), kpx), left, top, s, s)
		p.image(signedImage(v, in.K, in.K, absMax(v), kpx), left+s+gap, top, s, s)
		p.text(fmt.Sprintf("#%d ~ %s (%.2f)", i, name, ms[i].Score), left, top+s+2, 11, draw.XLeft, false)
		lf := filters.Filter{Name: "learned", Size: in.K, Data: make([]float64, len(l))}
		for j, w := range l {
			lf.Data[j] = float64(w)
		}
		mf := filters.Filter{Name: name, Size: in.K, Data: v}
		for d := range nd {
			a, b := filters.Apply(in.Digits[d], 28, 28, lf), filters.Apply(in.Digits[d], 28, 28, mf)
			p.image(signedImage(a, 28, 28, absMax(a), px), dx(d), top, s, s)
			p.image(signedImage(b, 28, 28, absMax(b), px), dx(d)+s+gap, top, s, s)
		}
	}
	return nil
}
