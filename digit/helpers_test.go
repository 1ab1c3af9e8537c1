package digit

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"testing"
)

// shape is a test digit: a set of thick strokes in a unit square (y down), drawn by
// coverage so that any size is anti-aliased.
type shape struct {
	segs  [][4]float64 // x0, y0, x1, y1 in 0..1
	width float64      // stroke width as a share of the square's side
}

// colorBlack is transparent black, the ink colour of a drawing pad's export.
var colorBlack = color.NRGBA{0, 0, 0, 0}

// seven is asymmetric in both axes, so flips and turns show.
var seven = shape{segs: [][4]float64{{0.1, 0.1, 0.9, 0.1}, {0.9, 0.1, 0.4, 0.95}, {0.45, 0.5, 0.8, 0.5}}, width: 0.12}

// ink returns how much of the point (u, v) of the unit square is ink (0 or 1).
func (s shape) ink(u, v float64) float64 {
	for _, g := range s.segs {
		dx, dy := g[2]-g[0], g[3]-g[1]
		t := ((u-g[0])*dx + (v-g[1])*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		px, py := g[0]+t*dx-u, g[1]+t*dy-v
		if px*px+py*py <= s.width*s.width/4 {
			return 1
		}
	}
	return 0
}

// canvas draws s into a w×h grey image in the square at (x, y) of the given side, ink
// and paper being grey levels; each pixel averages 3×3 samples.
func canvas(s shape, w, h, x, y, side int, ink, paper uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			var c float64
			if px >= x-1 && px <= x+side && py >= y-1 && py <= y+side {
				for sy := 0; sy < 3; sy++ {
					for sx := 0; sx < 3; sx++ {
						u := (float64(px-x) + (float64(sx)+0.5)/3) / float64(side)
						v := (float64(py-y) + (float64(sy)+0.5)/3) / float64(side)
						if u >= 0 && u <= 1 && v >= 0 && v <= 1 {
							c += s.ink(u, v) / 9
						}
					}
				}
			}
			m.Pix[py*m.Stride+px] = uint8(float64(paper) + c*(float64(ink)-float64(paper)) + 0.5)
		}
	}
	return m
}

// encodePNG encodes m as PNG.
func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatalf("png.Encode: %v", err)
	}
	return b.Bytes()
}

// encodeJPEG encodes m as JPEG at quality 95.
func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatalf("jpeg.Encode: %v", err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 EXIF segment with the given orientation right after the SOI
// marker of a JPEG file (byte order "MM" or "II").
func withEXIF(j []byte, orientation int, order string) []byte {
	var bo binary.ByteOrder = binary.BigEndian
	if order == "II" {
		bo = binary.LittleEndian
	}
	tiff := make([]byte, 8+2+12+4)
	copy(tiff, order)
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1) // one entry
	e := tiff[10:]
	bo.PutUint16(e[0:], 0x0112)
	bo.PutUint16(e[2:], 3) // SHORT
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], uint16(orientation))
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// pngChunk returns one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32PNG(append([]byte(typ), data...)))
	return b.Bytes()
}

// crc32PNG is the IEEE CRC-32 PNG uses.
func crc32PNG(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = c>>1 ^ 0xedb88320
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

// bombPNG is a tiny, well-formed PNG header that declares w×h 8-bit RGBA pixels.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, pngChunk("IEND", nil)...)
}

// correlation returns Pearson's correlation of a and b.
func correlation(a, b []float32) float64 {
	var ma, mb float64
	for i := range a {
		ma += float64(a[i])
		mb += float64(b[i])
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := float64(a[i])-ma, float64(b[i])-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// prepare runs Prepare with the default limits and fails the test on error.
func prepare(t testing.TB, data []byte) *Result {
	t.Helper()
	r, err := Prepare(data, DefaultLimits())
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return r
}

// mnist reads n images and labels of the MNIST test set from ../samples/mnist.
func mnist(t testing.TB, n int) (images [][]byte, labels []byte) {
	t.Helper()
	read := func(name string, magic uint32, header int) []byte {
		f, err := os.Open("../samples/mnist/" + name)
		if err != nil {
			t.Skipf("MNIST not available: %v", err)
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("gzip %s: %v", name, err)
		}
		b, err := io.ReadAll(z)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if binary.BigEndian.Uint32(b) != magic {
			t.Fatalf("%s: magic %x, want %x", name, binary.BigEndian.Uint32(b), magic)
		}
		return b[header:]
	}
	img := read("t10k-images-idx3-ubyte.gz", 0x803, 16)
	lab := read("t10k-labels-idx1-ubyte.gz", 0x801, 8)
	for i := 0; i < n; i++ {
		images = append(images, img[i*784:(i+1)*784])
	}
	return images, lab[:n]
}

// rerender draws a 28×28 MNIST digit 10× larger with bilinear interpolation, shifted by
// (dx, dy) pixels, on a 280×280 canvas; dark draws dark ink on white paper.
func rerender(d []byte, dx, dy int, dark bool) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, 280, 280))
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= 28 || y >= 28 {
			return 0
		}
		return float64(d[y*28+x])
	}
	for y := 0; y < 280; y++ {
		for x := 0; x < 280; x++ {
			u, v := (float64(x-dx)+0.5)/10-0.5, (float64(y-dy)+0.5)/10-0.5
			x0, y0 := int(math.Floor(u)), int(math.Floor(v))
			fx, fy := u-float64(x0), v-float64(y0)
			c := (1-fy)*((1-fx)*at(x0, y0)+fx*at(x0+1, y0)) + fy*((1-fx)*at(x0, y0+1)+fx*at(x0+1, y0+1))
			if dark {
				c = 255 - c
			}
			m.Pix[y*280+x] = uint8(c + 0.5)
		}
	}
	return m
}

// toNRGBA copies a grey image into NRGBA with colour c for the ink and alpha from the ink
// level: a transparent background, as a drawing canvas exports it.
func toNRGBA(g *image.Gray, c color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(g.Bounds())
	for i, v := range g.Pix {
		m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = c.R, c.G, c.B, v
	}
	return m
}

// mustSentinel fails unless err wraps want.
func mustSentinel(t *testing.T, what string, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: Prepare succeeded, want %v", what, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: Prepare error %q does not wrap %q", what, err, want)
	}
}
