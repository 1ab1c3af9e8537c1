package digit

import "image"

// Rerender lets the external tests (package digit_test, which train a net) draw a digit
// as the internal tests do: d is a 28×28 digit in 0..1, ink high, as nn.Dataset.Image
// gives it; see rerender.
func Rerender(d []float32, dx, dy int, dark bool) *image.Gray {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = uint8(255*v + 0.5)
	}
	return rerender(b, dx, dy, dark)
}
