// Package server is ConvScope's web server: the echo routes, the one training session,
// the websocket hub that streams what the network learns to every viewer, and the
// checkpoints on disk. docs/PROTOCOL.md defines every message and route; wire.go and
// frames.go follow it.
//
// # Use
//
//	srv, err := server.New(server.Options{Train: train, Test: test, StateDir: "state", Assets: fsys})
//	srv.Start(ctx)                         // training and the stream run until ctx is done or Close
//	ts := httptest.NewServer(srv.Handler()) // or srv.Serve(listener) in main
//	srv.Close()                            // stop training, save, close every websocket, wait
//	ts.Close()                             // or srv.Shutdown(ctx) in main
//
// Tests and the browser tests run it in-process on small MNIST subsets (nn.Dataset.Subset)
// with short Options.Timings.
//
// # Goroutines
//
// Start adds four, all ending when its context is done or Close is called:
//   - training: nn.Trainer.Run, then a final checkpoint save;
//   - the hub: owns the set of viewers and fans every frame out to them;
//   - the metrics sampler: reads the trainer's lock-free progress every Timings.Metrics,
//     records the history and sends a metrics frame when somebody watches;
//   - the snapshot renderer: turns the latest published model copy into filters,
//     activations, matches and edges frames, each encoded once for all viewers.
//
// Each viewer has a reader goroutine (the HTTP handler's own, which also handles the
// viewer's messages) and a writer goroutine.
//
// # Training never waits for viewers
//
// In the trainer's OnStep hook (training goroutine) the session returns at once when no
// viewer is connected. Otherwise, once per Timings.Visual, it takes a Clone of the model
// (cheap: a few thousand parameters) and stores it in a one-slot mailbox
// (an atomic pointer; a newer copy replaces an unread one) and wakes the renderer without
// blocking. Predictions and figures use the same published copies, never the model
// being trained.
//
// A viewer holds at most one undelivered frame per kind; a newer frame of a kind
// replaces the stale one, so a slow viewer skips frames but always ends with the latest
// state, and costs the others nothing. A viewer that does not accept a frame within
// Timings.WriteWait, or answers no ping within Timings.PongWait, is disconnected.
//
// # Checkpoints
//
// With Options.StateDir, the session resumes from StateDir/model.ckpt when it is good
// (step, epoch, accuracy, metric history and probe continue). A corrupt or foreign file is
// logged and renamed model.ckpt.corrupt-<UTC time>, and training starts fresh; any other
// read error (permissions, I/O) makes New fail rather than risk overwriting a good file.
// The session saves every Timings.Autosave while training (from the training goroutine)
// and once more when it stops; saves are atomic.
package server
