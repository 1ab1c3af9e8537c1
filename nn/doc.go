// Package nn is ConvScope's CNN engine: float32 layers, a sequential model built from a
// JSON-serialisable Spec, training with SGD+momentum or Adam, checkpoints and the MNIST
// loader. It is pure Go; the matrix multiplies live in nn/internal/kern.
//
// # Tensor layout
//
// Every tensor is a flat []float32. One sample of shape C×H×W is stored row-major,
// index (c·H + y)·W + x; this is the layout of everything the package hands out (Predict,
// Trace, ConvWeights, Dataset.Image). A batch of n samples is NCHW at the edges of the
// engine; inside it, between layers, a batch of spatial values is held channel-major,
// C×n×H×W, index ((c·n + s)·H + y)·W + x, so that a convolution is one matrix multiply
// whose wide axis n·OH·OW is contiguous:
//
//	out[Cout × n·OH·OW] = W[Cout × Cin·k·k] · cols[Cin·k·k × n·OH·OW]
//
// For one sample, or one input channel, the two layouts are the same bytes. Flatten turns
// a channel-major batch into a sample-major one, n×(C·H·W), which is what Dense takes and
// gives; conv and max-pool therefore come before the first flatten, dense after it.
//
// # Invariants
//
//   - Layer.Forward caches what Backward needs; Backward adds parameter gradients to the
//     layer's accumulators and returns the input gradient. Buffers are reused from step to
//     step and reallocated only when the batch grows, so a training step allocates nothing.
//   - A ReLU followed by a max-pool runs fused in training and Predict (the pool clips its
//     maxima at 0); Trace runs them apart to show the ReLU's own output.
//   - Shape mismatches inside the package are programmer errors and panic with an "nn:"
//     prefix; a bad Spec, Config, Command, data file or checkpoint is an error value.
//   - Training splits each batch over Config.Workers goroutines (GOMAXPROCS by default),
//     each with its own activations and gradient accumulators; the gradients are summed
//     into the model's, in worker order, before the optimizer step. With the same seed and
//     the same number of workers a run is reproducible bit for bit.
//   - Test accuracy is measured on all test digits at the end of every epoch and on the
//     first Config.EvalSubset test digits every Config.EvalEvery steps in between.
//
// # The default net
//
// DefaultSpec is the lesson's pyramid made wider and given a small hidden layer: conv
// 1→16 5×5, ReLU, pool 2, conv 16→32 5×5, ReLU, pool 2, dense 64, ReLU, dense 10 (46,730
// parameters), trained by DefaultConfig: Adam with decoupled weight decay 0.1 (AdamW),
// batch 32, lr 2e-3 falling smoothly by half per epoch. It still teaches the pyramid (few filters first, more deeper, the maps
// shrinking 28→24→12→8→4), and its 16 first-layer filters are few enough to see at once
// on a projector. Trained on the digits as stored, it reaches 98.7% on the 10,000 test
// digits after one epoch, 99.0% after two and 99.1% after three; the same pyramid at the
// lesson's width (10 and 20 filters) with the hidden layer reaches 98.3% after one, and a
// net of 8 and 16 filters stalled at 98.6%. A halving per epoch keeps the net improving
// for several epochs, where a faster decay (a quarter per epoch) stalls below 99%.
//
// DefaultConfig also turns on Config.Augment: every training digit is shifted, rotated,
// scaled and slanted a little at random (augment.go gives the ranges: those of digits
// people draw or photograph, once prepared the way MNIST was). On MNIST it costs nothing
// in accuracy (98.7% after one epoch, 99.1% after two and three, 99.4% after four) and
// about 3% of the training speed; on digits rendered from fonts, which MNIST's
// handwriting does not cover, it lifts the net after one epoch from 94.3% to 95.5%
// (with seeds 2 and 3, from 96.2% and 96.4% to 97.9%).
// Two epochs take about 15 s on two idle cores.
//
// The weight decay and the first layer's smaller start (NewModel draws it from
// N(0, 1/fan_in), He et al.'s rule for a layer that sees the pixels) are there for the
// lesson: the class watches the 16 first-layer filters turn from noise into edges, and
// nothing in the loss removes the random texture the filters start with. How much they
// look like the hand-made bank (nn/filters: each filter's best sign-invariant
// correlation with the bank; a random 5×5 filter scores about 0.42, 0.58 at the 95th
// percentile), with seed 1, as mean (lowest–highest) of the 16 scores, after one epoch
// and after 60 s on two cores (`make accuracy`; 4.3 to 8.5 epochs, as busy as the
// machine was):
//
//	He init, no decay (the former default)       0.547 (0.38–0.72)   0.565 (0.41–0.77)
//	L2 decay 1e-4 / 3e-4 / 1e-3, added to Adam's gradient
//	                                             0.56 / 0.57 / 0.60   0.59 / 0.61 / 0.67
//	decoupled decay 0.01 / 0.03 / 0.1            0.56 / 0.57 / 0.60   0.59 / 0.61 / 0.68
//	decoupled 0.3                                0.713 (0.52–0.85)    0.827 (0.67–0.94)
//	first layer N(0, 1/fan_in), no decay         0.601 (0.39–0.78)    0.618 (0.39–0.82)
//	that and decoupled 0.1 (the default)         0.646 (0.40–0.83)    0.709 (0.44–0.88)
//	that and decoupled 0.3                       0.734 (0.48–0.90)    0.836 (0.65–0.95)
//
// L2 decay with Adam is divided, like the gradient, by each weight's running gradient
// size, so it does little to first-layer weights whose gradients are large; decoupled
// decay shrinks every weight alike (optim.go). With seeds 2 and 3 the default lifts the
// one-epoch mean from 0.505 and 0.539 to 0.618 and 0.629. It costs no accuracy: 98.7%
// after one epoch, 99.3% after 60 s (7.4 to 8.5 epochs), 97.4% on the font-rendered digits
// (seeds 2 and 3: 97.4%, against 97.9% without). A decay of 0.3 gives clearer edges
// but costs 0.1–0.2 points after one epoch and falls below 95% on the font-rendered
// digits; 1.0 stalls the net at 98.2%. The lesson nets, which start the same way but
// train without decay, reach 98.12% (one-conv, was 98.07%) and 98.71% (pyramid, was
// 98.64%) after one epoch.
//
// MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0).
package nn
