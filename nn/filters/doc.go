// Package filters holds the hand-made filters of the lesson and the tools to compare them
// with the filters a CNN learns.
//
// It knows nothing of the network: every filter and image is a plain row-major array
// (ApplyBank borrows the engine's matrix multiply, nn/internal/kern, to run a whole bank
// the way a convolution layer runs its filters).
//
//   - [Lesson] gives the lesson's 3×3 vertical and horizontal edge kernels, [Sobel] the
//     Sobel pair.
//   - [LMLarge] builds the reference Leung–Malik bank (48 filters, 49×49); [LMDigit]
//     builds the same structure fitted to 28×28 digits ([Describe] says which scales
//     and why).
//   - [Apply] correlates an image with a filter, the way a convolution layer does (no
//     kernel flip), with zero padding at the border ([Border]).
//   - [Resample] brings a filter to another support; [BestMatch], [MatchAll] and
//     [Matcher] find, for a learned filter, the most similar hand-made filter by a
//     sign-invariant normalised correlation.
//
// Coordinates. Filters are stored row-major, row 0 at the top, as images are. Angles
// are measured counter-clockwise from the image's x axis as seen on screen: an
// oriented filter at 0° is elongated horizontally (it finds horizontal edges and
// bars), one at 90° vertically, one at 30° along a stroke rising to the right.
// A first-derivative filter is negative on the side 90° counter-clockwise from its long
// axis and positive on the other: at 0° negative above and positive below, like the
// lesson's horizontal kernel; at 90° negative on the left and positive on the right,
// like the vertical one.
//
// Gaussians. The reference makes every filter zero mean before scaling it to unit L1
// norm, Gaussians included, and so does this package: a zero-mean Gaussian is a bump
// on a slightly negative floor, a blob detector rather than a blur. The bank stays the
// reference's, every filter answers on a comparable scale, and the matcher (which
// compares zero-mean vectors) sees exactly the filter that is drawn.
//
// Shape mismatches (an image whose length is not h·w, a learned filter that is not
// k×k) are programmer errors and panic with a "filters:" prefix.
package filters
