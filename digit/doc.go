// Package digit turns a person's own image of a digit into the 28×28 input an MNIST
// network expects, and shows every step of the way.
//
// MNIST digits are special: light ink on black, size-normalised to fit a 20×20 box with
// their aspect ratio kept, anti-aliased, and placed in a 28×28 field so that their centre of
// mass sits in the middle. A photo of a digit written on paper is none of that. Prepare
// makes it so, in steps a class can look at:
//
//	grey      decode (PNG, JPEG, GIF, WebP, BMP), honour JPEG EXIF orientation, composite
//	          transparency onto the colour that contrasts the ink, any colour model to grey
//	polarity  dark ink on light paper is inverted to MNIST's light ink on black
//	clean     background subtracted, contrast stretched, faint texture and small specks removed
//	thicken   (only when needed) thin pen strokes widened to MNIST's stroke width
//	crop      cut to the digit's bounding box
//	scale     fit into 20×20 keeping the aspect ratio, anti-aliased
//	centre    placed in 28×28 by centre of mass
//
// Bad files are refused with sentinel errors (ErrTooLarge, ErrUnsupported, ErrCorrupt,
// ErrBlank) that HTTPStatus maps to HTTP status codes. Declared dimensions are checked
// from the file header before anything is decoded, so a small file that declares a huge
// image costs nothing; huge real images are reduced to at most 256×256 while they are
// converted to grey, so the work after decoding is bounded.
//
// The package knows neither HTTP nor training.
package digit
