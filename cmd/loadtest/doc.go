// Command loadtest measures what many viewers cost a running ConvScope server.
//
//	go run ./cmd/loadtest -viewers 200 [-url http://127.0.0.1:8080] [-duration 15s] [-rounds 2]
//
// It first measures the server's training speed with no viewer of its own (samples seen
// over -baseline), then opens -viewers websocket viewers, lets them settle for -warmup,
// and for -duration counts every frame each viewer receives. It reports, per frame kind:
// frames per second per viewer (min, median, max), bytes per frame, and the lag from the
// server's timestamp in the frame to its arrival; then the server's training speed under
// load and its ratio to the speed without viewers.
//
// The bar (issue 3): training keeps at least 90% of its speed, and every viewer gets at
// least 2 frames/s of filters and of activations. The exit status is 1 when it is missed.
//
// To damp the drift of other load on the machine, it runs -rounds rounds of viewers, each
// compared with the mean of the speeds without viewers measured just before and after it;
// the frame counts add up over the rounds.
//
// The training speed of a server that shares its machine with other work swings widely
// from second to second. With -pid (the server's process id, Linux), the tool also
// reports the server's CPU use and its training samples per CPU-second with and without
// viewers, a steadier measure of what the viewers cost.
//
// Viewers do not offer permessage-deflate unless -compress is set: browsers do, and the
// server compresses each frame once for all of them, but inflating 200 streams in this
// tool would charge the server's machine for work that browsers do on their own.
//
// It talks only to loopback addresses: it is a load generator. Training must be running
// on the server (press start, or do not start it with -paused).
package main
