// Package figures draws ConvScope's slides with gonum/plot: the digit-sized
// Leung–Malik bank, the lesson's edge kernels on training digits, the learned
// first-layer filters, their best hand-made matches and the responses of both on
// digits. [Render] returns PNG or SVG bytes; the output depends only on its input.
//
// Signed data (weights, filter responses) is drawn on a diverging orange–white–blue
// scale centred on zero (orange below, blue above, as in the browser app), which
// colour-blind viewers can read; digits are drawn in
// greys, ink dark on white as on paper.
package figures
