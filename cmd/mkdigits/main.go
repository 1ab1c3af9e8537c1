package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// source is one font: a short name for file names and the file it is read from.
type source struct {
	name string
	path string
	hand bool // handwriting-like
}

// fonts are the fonts of the set. The Go fonts are left out on purpose: their zero is
// slashed, which no MNIST writer did. fonts-femkeklaver draws outlines and Breip's zero is
// open at the top: left out too.
var fonts = []source{
	{name: "dejavusans", path: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
	{name: "dejavuserif", path: "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"},
	{name: "liberationsans", path: "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"},
	{name: "liberationserif", path: "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"},
	{name: "urwgothic", path: "/usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf"},
	{name: "c059italic", path: "/usr/share/fonts/opentype/urw-base35/C059-Italic.otf"},
	{name: "comicneue", path: "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", hand: true},
	{name: "comicneuebold", path: "/usr/share/fonts/opentype/comic-neue/ComicNeue-Bold.otf", hand: true},
	{name: "comicneuelightitalic", path: "/usr/share/fonts/opentype/comic-neue/ComicNeue-LightItalic.otf", hand: true},
	{name: "z003", path: "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf", hand: true},
	{name: "dkg", path: "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", hand: true},
	{name: "dkgitalic", path: "/usr/share/fonts/truetype/fifthhorseman/dkgIt.ttf", hand: true},
	{name: "dkgbold", path: "/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf", hand: true},
	{name: "rufscript", path: "/usr/share/fonts/truetype/rufscript/Rufscript010.ttf", hand: true},
}

const side = 280 // canvas size, as the drawing pad's

func main() {
	out := flag.String("out", "digit/testdata/fonts", "output directory")
	seed := flag.Uint64("seed", 6, "random seed")
	per := flag.Int("per", 3, "images per font and digit")
	sheet := flag.String("sheet", "", "if set, also write a contact sheet of every font's digits here")
	flag.Parse()

	faces := make([]font.Face, len(fonts))
	for i, f := range fonts {
		face, err := load(f)
		if err != nil {
			log.Fatalf("mkdigits: %v", err)
		}
		faces[i] = face
	}
	if *sheet != "" {
		if err := writeSheet(*sheet, faces); err != nil {
			log.Fatalf("mkdigits: %v", err)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatalf("mkdigits: %v", err)
	}
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	n := 0
	for fi, f := range fonts {
		for d := 0; d < 10; d++ {
			glyph := render(faces[fi], rune('0'+d))
			for k := 0; k < *per; k++ {
				dark := rng.IntN(2) == 0
				img := compose(glyph, rng, dark)
				pol := "light"
				if dark {
					pol = "dark"
				}
				name := filepath.Join(*out, fmt.Sprintf("%d_%s_%s_%03d.png", d, f.name, pol, n))
				if err := writePNG(name, img); err != nil {
					log.Fatalf("mkdigits: %v", err)
				}
				n++
			}
		}
	}
	hand := 0
	for _, f := range fonts {
		if f.hand {
			hand++
		}
	}
	log.Printf("mkdigits: wrote %d images of %d fonts (%d printed, %d handwriting-like) to %s",
		n, len(fonts), len(fonts)-hand, hand, *out)
}

// load parses a font and makes a large face of it (rendering large, then scaling down,
// anti-aliases the way a scanned or photographed digit is).
func load(s source) (font.Face, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", s.name, err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", s.name, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 240, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", s.name, err)
	}
	return face, nil
}

// render draws one glyph as an alpha mask cropped to its ink, with a margin.
func render(face font.Face, r rune) *image.Alpha {
	const big = 480
	m := image.NewAlpha(image.Rect(0, 0, big, big))
	d := font.Drawer{Dst: m, Src: image.Opaque, Face: face, Dot: fixed.P(big/4, big*3/4)}
	d.DrawString(string(r))
	box := image.Rectangle{}
	for y := 0; y < big; y++ {
		for x := 0; x < big; x++ {
			if m.AlphaAt(x, y).A > 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if box.Empty() {
		log.Fatalf("mkdigits: glyph %q is empty", r)
	}
	box = box.Inset(-4).Intersect(m.Bounds())
	out := image.NewAlpha(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(out, out.Bounds(), m, box.Min, draw.Src)
	return out
}

// compose turns, scales and places a glyph on a canvas: dark ink on light paper or the
// other way round, each with a random shade, and light falling unevenly across the paper.
func compose(glyph *image.Alpha, rng *rand.Rand, dark bool) *image.Gray {
	angle := (rng.Float64()*2 - 1) * 15
	turned := imaging.Rotate(glyph, angle, color.Transparent)
	tb := turned.Bounds()
	height := 60 + rng.IntN(181) // 60..240 pixels tall
	width := int(math.Round(float64(tb.Dx()) * float64(height) / float64(tb.Dy())))
	if width > side-8 {
		width = side - 8
		height = int(math.Round(float64(tb.Dy()) * float64(width) / float64(tb.Dx())))
	}
	scaled := imaging.Resize(turned, width, height, imaging.Lanczos)
	x0 := rng.IntN(side - width + 1)
	y0 := rng.IntN(side - height + 1)
	ink, paper := 10+rng.Float64()*70, 180+rng.Float64()*75
	if !dark {
		ink, paper = 255-ink, 255-paper
	}
	gx, gy := (rng.Float64()*2-1)*12/side, (rng.Float64()*2-1)*12/side // shading, ±12 levels
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			a := 0.0
			if x >= x0 && y >= y0 && x < x0+width && y < y0+height {
				a = float64(scaled.Pix[(y-y0)*scaled.Stride+4*(x-x0)+3]) / 255
			}
			p := paper + gx*float64(x-side/2) + gy*float64(y-side/2)
			v := p + a*(ink-p)
			img.Pix[y*side+x] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	return img
}

// writePNG writes img as a PNG file.
func writePNG(name string, img image.Image) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// writeSheet writes one row per font with its ten digits, for a person to check.
func writeSheet(name string, faces []font.Face) error {
	const cell = 64
	img := imaging.New(cell*10, cell*len(faces), color.White)
	for fi, face := range faces {
		for d := 0; d < 10; d++ {
			g := render(face, rune('0'+d))
			b := g.Bounds()
			w, h := cell-4, cell-4
			if b.Dx() > b.Dy() {
				h = max(1, b.Dy()*w/b.Dx())
			} else {
				w = max(1, b.Dx()*h/b.Dy())
			}
			small := imaging.Resize(g, w, h, imaging.Lanczos)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					v := 255 - small.Pix[y*small.Stride+4*x+3]
					img.Set(d*cell+2+x, fi*cell+2+y, color.Gray{v})
				}
			}
		}
	}
	return writePNG(name, img)
}
