// Command mkdigits writes the non-MNIST test set of digit/testdata/fonts: the digits 0–9
// rendered from printed and handwriting-like fonts at random sizes, positions, rotations
// (±15°) and in both polarities on 280×280 canvases, as grey PNG files named
// "<label>_<font>_<polarity>_<n>.png". The output depends only on the seed and the fonts;
// it is committed, so tests and CI need no fonts. Run from the module root:
//
//	go run ./cmd/mkdigits            # writes digit/testdata/fonts
//	go run ./cmd/mkdigits -sheet x.png  # also a contact sheet of every font's digits
//
// Printed fonts: DejaVu Sans and Serif, Liberation Sans and Serif, URW Gothic, C059 Italic.
// Handwriting-like: Comic Neue (regular, bold, light italic), Z003, DKG handwriting (regular,
// italic, bold), Rufscript. They come from Debian packages (fonts-dejavu-core,
// fonts-liberation, fonts-urw-base35, fonts-comic-neue, fonts-dkg-handwriting,
// fonts-rufscript); a missing font is an error.
package main
