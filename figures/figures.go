package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"convscope/nn/filters"
)

// Errors that Render wraps, so that callers can tell them apart with errors.Is.
var (
	// ErrUnknownFigure means the figure name is not one of Names() (HTTP 404).
	ErrUnknownFigure = errors.New("unknown figure")
	// ErrUnknownFormat means the format is not one of Formats() (HTTP 400).
	ErrUnknownFormat = errors.New("unknown figure format")
	// ErrNoData means the input lacks what the figure shows: learned filters or digits.
	ErrNoData = errors.New("figure needs data")
)

// Input is what the figures show. Figures that do not use a field ignore it.
type Input struct {
	// Learned holds the learned first-layer filters, each K*K weights, row-major
	// (one input channel: nn.ConvFilters.W sliced per output channel).
	Learned [][]float32
	K       int
	// Matches are filters.MatchAll(Learned, K, filters.Bank()): Match.Filter indexes
	// filters.Bank(). If nil, Render computes them.
	Matches []filters.Match
	// Digits are 28×28 images, 0..1, ink high (MNIST polarity); Labels their classes
	// (may be shorter or nil).
	Digits [][]float32
	Labels []int
}

// DPI is the resolution of the PNG figures: a 960×540 pt figure is 1280×720 pixels.
const DPI = 96

type figure struct {
	w, h vg.Length
	draw func(c draw.Canvas, in Input) error
	// height, if set, replaces h for a given input (figures whose rows vary).
	height func(in Input) vg.Length
}

var figs = map[string]figure{
	"lm-bank":         {960, 500, drawLMBank, nil},
	"lesson-edges":    {960, 640, drawLessonEdges, nil},
	"learned-filters": {960, 420, drawLearned, learnedHeight},
	"matches":         {960, 540, drawMatches, nil},
	"responses":       {960, 630, drawResponses, nil},
}

// Names returns the figure names Render knows, sorted.
func Names() []string {
	names := make([]string, 0, len(figs))
	for n := range figs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Formats returns the output formats Render knows.
func Formats() []string { return []string{"png", "svg"} }

// Render draws figure name in format ("png" or "svg") from in. An unknown name wraps
// ErrUnknownFigure, an unknown format ErrUnknownFormat, missing input (no learned
// filters, no digits) ErrNoData.
func Render(name, format string, in Input) ([]byte, error) {
	f, ok := figs[name]
	if !ok {
		return nil, fmt.Errorf("render %q: %w", name, ErrUnknownFigure)
	}
	if f.height != nil {
		f.h = f.height(in)
	}
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(DPI),
			vgimg.UseBackgroundColor(color.White))}
	case "svg":
		cw = vgsvg.New(f.w, f.h)
	default:
		return nil, fmt.Errorf("render %q as %q: %w", name, format, ErrUnknownFormat)
	}
	dc := draw.New(cw)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if err := f.draw(dc, in); err != nil {
		return nil, fmt.Errorf("render %q: %w", name, err)
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render %q as %s: %w", name, format, err)
	}
	return buf.Bytes(), nil
}

// matches returns in.Matches, or computes them against filters.Bank().
func (in Input) matches() []filters.Match {
	if in.Matches != nil {
		return in.Matches
	}
	return filters.MatchAll(in.Learned, in.K, filters.Bank())
}

func (in Input) checkLearned() error {
	if len(in.Learned) == 0 || in.K < 1 {
		return fmt.Errorf("no learned filters: %w", ErrNoData)
	}
	for i, l := range in.Learned {
		if len(l) != in.K*in.K {
			return fmt.Errorf("learned filter %d has %d weights, want %d×%d: %w", i, len(l), in.K, in.K, ErrNoData)
		}
	}
	return nil
}

func (in Input) checkDigits() error {
	if len(in.Digits) == 0 {
		return fmt.Errorf("no digits: %w", ErrNoData)
	}
	for i, d := range in.Digits {
		if len(d) != 28*28 {
			return fmt.Errorf("digit %d has %d pixels, want 28×28: %w", i, len(d), ErrNoData)
		}
	}
	return nil
}
