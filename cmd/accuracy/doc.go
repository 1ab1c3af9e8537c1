// Command accuracy trains the lesson's nets and the app's default net from scratch on the
// full MNIST data and prints test accuracy on all 10,000 test digits with wall times:
//
//   - the one-conv net after one epoch (bar: 97.5%),
//   - the pyramid after one epoch (bar: 98.5%),
//   - the default net for 60 s of wall time (bar: 99.0%), with the accuracy at each epoch
//     end and at the end of the budget;
//   - that net as it was at the end of its first epoch on the font-rendered digits of
//     digit/testdata/fonts, prepared the way the app prepares a user's image (bar: 95%),
//     with the misses listed;
//   - and, for each of its first-layer filters at that point and again at the end of the
//     budget, the closest filter of the hand-made bank (nn/filters.Bank: the lesson's
//     edges, Sobel, the digit-sized Leung–Malik bank), with the score and whether the
//     sign is flipped, then the mean, lowest and highest score (a random 5×5 filter
//     scores about 0.42, 0.58 at the 95th percentile).
//
// Each part prints its wall time. It exits with status 1 if a net misses its bar. Run it
// from the repository root (`make accuracy`); -data names the folder that holds mnist/.
// -wd and -decoupled set the default net's weight decay and whether it is decoupled.
package main
