package digit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// maxJPEGScans bounds the start-of-scan markers of a JPEG file. Cameras and encoders
// write 1 (baseline) to about 10 (progressive). Inside entropy-coded data a 0xff byte is
// always followed by 0x00 or a restart marker, so counting the bytes 0xff 0xda counts
// the scans (and those of an embedded thumbnail).
const maxJPEGScans = 100

// codec decodes one image format.
type codec struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	codecPNG  = codec{"png", png.DecodeConfig, png.Decode}
	codecJPEG = codec{"jpeg", jpeg.DecodeConfig, jpeg.Decode}
	codecGIF  = codec{"gif", gif.DecodeConfig, gif.Decode}
	codecWebP = codec{"webp", webp.DecodeConfig, webp.Decode}
	codecBMP  = codec{"bmp", bmp.DecodeConfig, bmp.Decode}
)

// sniff recognises the format from the first bytes; it never trusts a file name or a
// declared content type.
func sniff(data []byte) (codec, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return codecPNG, true
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return codecJPEG, true
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return codecGIF, true
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return codecWebP, true
	case bytes.HasPrefix(data, []byte("BM")):
		return codecBMP, true
	}
	return codec{}, false
}

// decode checks the size of data and the dimensions its header declares against lim, and
// only then decodes it. A decoder that panics on hostile data counts as corrupt data.
func decode(data []byte, lim Limits) (img image.Image, c codec, err error) {
	if int64(len(data)) > lim.MaxBytes {
		return nil, c, fmt.Errorf("%w: %d bytes, at most %s", ErrTooLarge, len(data), mib(lim.MaxBytes))
	}
	if len(data) == 0 {
		return nil, c, fmt.Errorf("%w (the file is empty)", ErrUnsupported)
	}
	c, ok := sniff(data)
	if !ok {
		return nil, c, ErrUnsupported
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: %s decoder failed: %v", ErrCorrupt, c.name, r)
		}
	}()
	cfg, err := c.config(bytes.NewReader(data))
	if err != nil {
		return nil, c, fmt.Errorf("%w: %s header: %v", ErrCorrupt, c.name, err)
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return nil, c, fmt.Errorf("%w: %s declares %d×%d pixels", ErrCorrupt, c.name, w, h)
	}
	if w > lim.MaxSide || h > lim.MaxSide || int64(w)*int64(h) > lim.MaxPixels {
		return nil, c, fmt.Errorf("%w: %d×%d pixels, at most %d pixels and %d a side",
			ErrTooLarge, w, h, lim.MaxPixels, lim.MaxSide)
	}
	if c.name == "jpeg" {
		// Progressive JPEG lets each scan cover every block of the image in a few bytes,
		// so a small file of many scans can keep the decoder busy for minutes.
		if n := bytes.Count(data, []byte{0xff, 0xda}); n > maxJPEGScans {
			return nil, c, fmt.Errorf("%w: a JPEG of %d scans, at most %d", ErrTooLarge, n, maxJPEGScans)
		}
	}
	img, err = c.decode(bytes.NewReader(data))
	if err != nil {
		return nil, c, fmt.Errorf("%w: %s: %v", ErrCorrupt, c.name, err)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx() > w || b.Dy() > h {
		return nil, c, fmt.Errorf("%w: %s decodes to %v, header says %d×%d", ErrCorrupt, c.name, b, w, h)
	}
	return img, c, nil
}

// jpegOrientation returns the EXIF orientation (1..8) of a JPEG file, or 1 when it has
// none. It reads markers up to the start of the image data and stops at anything odd.
func jpegOrientation(data []byte) int {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xff {
			return 1
		}
		m := data[i+1]
		if m == 0xff { // fill byte
			i++
			continue
		}
		if m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7) { // no length
			i += 2
			continue
		}
		if m == 0xda || m == 0xd9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if m == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation reads tag 0x0112 (Orientation) of IFD0 from a TIFF-structured EXIF
// block, or returns 1.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return 1
	}
	n := int64(bo.Uint16(t[off:]))
	for k := int64(0); k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 { // SHORT
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
