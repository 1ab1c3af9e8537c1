package digit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Side is the width and height of a prepared input, as in MNIST.
const Side = 28

// Box is the size of the square the digit is scaled to fit inside the Side×Side field.
const Box = 20

// Limits bound what Prepare accepts. A zero field means its default (see DefaultLimits).
type Limits struct {
	MaxBytes  int64 // size of the file in bytes
	MaxPixels int64 // declared width × height
	MaxSide   int   // declared width or height
}

// DefaultLimits returns the limits for uploads: 10 MiB, 4096×4096 pixels (16.7 Mpixels, a
// phone photo fits), and no side longer than 8192 pixels.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxPixels: 4096 * 4096, MaxSide: 8192}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	return l
}

// The sentinel errors of Prepare. Match them with errors.Is; the errors Prepare returns
// wrap them with details, and their text is meant for the person who sent the file.
var (
	// ErrTooLarge reports a file with more bytes than allowed, one that declares more
	// pixels, or a JPEG of too many scans.
	ErrTooLarge = errors.New("the image is too large")
	// ErrUnsupported reports data that is not a PNG, JPEG, GIF, WebP or BMP image.
	ErrUnsupported = errors.New("unsupported file type: send a PNG, JPEG, GIF, WebP or BMP image")
	// ErrCorrupt reports a file that looks like an image but cannot be decoded (damaged
	// or cut short).
	ErrCorrupt = errors.New("the image file is damaged or incomplete")
	// ErrBlank reports an image that decodes, but shows no digit.
	ErrBlank = errors.New("no digit found in the image")
)

// HTTPStatus maps an error from this package to the HTTP status a server should answer
// with: nil → 200, ErrTooLarge → 413, ErrUnsupported → 415, ErrCorrupt → 400,
// ErrBlank → 422, anything else → 500.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrUnsupported):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, ErrCorrupt):
		return http.StatusBadRequest
	case errors.Is(err, ErrBlank):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// Read reads all of r if it holds at most lim.MaxBytes bytes. A longer stream gives
// ErrTooLarge after reading one byte past the limit, never the rest.
func Read(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: more than %s", ErrTooLarge, mib(lim.MaxBytes))
	}
	return data, nil
}

// mib formats a byte count for a person.
func mib(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
