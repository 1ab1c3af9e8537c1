// Package e2e holds ConvScope's browser tests: Debian's chromium, driven headless by
// chromedp, against a real in-process server (server.New behind httptest.NewServer)
// that trains on small MNIST subsets and serves the page from the working tree.
//
// The tests assert what a person sees — text on the page and canvas pixels — and
// synchronise on the page's own state (polling a predicate), never on sleeps. They also
// write a screenshot of every view at 1920×1080 and 768×1024 to docs/screenshots/.
//
// Run them with `make browser` (or `go test ./e2e/`). Without /usr/bin/chromium (or
// $CHROMIUM) they fail and say how to install it.
package e2e
