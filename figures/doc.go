// Package figures draws ConvScope's slides with gonum/plot: the digit-sized
// Leung–Malik bank, the lesson's edge kernels on training digits, the learned
// first-layer filters, their best hand-made matches and the responses of both on
// digits. [Render] returns PNG or SVG bytes; the output depends only on its input.
//
// Signed data (weights, filter responses) is drawn on a diverging blue–white–orange
// scale centred on zero, which colour-blind viewers can read; digits are drawn in
// greys, ink dark on white as on paper.
package figures
