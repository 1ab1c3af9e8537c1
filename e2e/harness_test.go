package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"convscope/nn"
	"convscope/server"
)

// Small MNIST subsets keep the server's start and its evaluations quick; the training
// loop itself runs as it does in class.
const (
	trainDigits = 6000
	testDigits  = 1000
)

// waitLimit bounds every wait on the page. It is a safety net against a hung test, not a
// speed requirement: every wait ends as soon as its condition holds.
const waitLimit = 90 * time.Second

var (
	dataOnce           sync.Once
	trainSet, testSet  *nn.Dataset
	errData            error
	defaultChromiumBin = "/usr/bin/chromium"
)

// datasets loads the canonical MNIST files from samples/ once for all tests.
func datasets(t *testing.T) (train, test *nn.Dataset) {
	t.Helper()
	dataOnce.Do(func() {
		var tr, te *nn.Dataset
		tr, te, errData = nn.LoadMNIST(os.DirFS(".."), "samples/mnist")
		if errData == nil {
			trainSet, testSet = tr.Subset(trainDigits), te.Subset(testDigits)
		}
	})
	if errData != nil {
		t.Fatalf("load mnist: %v", errData)
	}
	return trainSet, testSet
}

// chromiumPath returns the browser to drive: $CHROMIUM or Debian's /usr/bin/chromium.
// A missing browser fails the test: CI must install it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = defaultChromiumBin
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("browser tests need chromium at %s (%v): install it with `apt-get install -y chromium` or set CHROMIUM to its path", p, err)
	}
	return p
}

// startServer runs a real ConvScope server over the working tree's templates/ and
// static/, paused, with quick clocks. mod may change the options.
func startServer(t *testing.T, mod func(*server.Options)) string {
	t.Helper()
	url, stop := startServerAt(t, "127.0.0.1:0", mod)
	t.Cleanup(stop)
	return url
}

// startServerAt is startServer on a given address; stop shuts the server down (the
// caller must call it).
func startServerAt(t *testing.T, addr string, mod func(*server.Options)) (url string, stop func()) {
	t.Helper()
	train, test := datasets(t)
	cfg := nn.DefaultConfig()
	cfg.EvalSubset = 300 // a test figure every few dozen steps, so the test curve moves soon
	cfg.EvalEvery = 30
	opts := server.Options{
		Train:  train,
		Test:   test,
		Config: cfg,
		Assets: os.DirFS(".."),
		Paused: true,
		Timings: server.Timings{
			Metrics: 50 * time.Millisecond,
			Visual:  100 * time.Millisecond,
			Matches: 200 * time.Millisecond,
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	return ts.URL, func() {
		cancel()
		srv.Close()
		ts.Close()
	}
}

// page is one browser tab on a running server, with the console watched.
type page struct {
	t   *testing.T
	ctx context.Context
	url string

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
	expected []string // substrings of console errors the test provokes on purpose
}

// openPage starts chromium (fresh profile) with a w×h window and opens the dashboard at
// url, on the view named by hash (e.g. "training").
func openPage(t *testing.T, url string, w, h int, hash string) *page {
	t.Helper()
	tmp := t.TempDir() // removed after the browser is gone: cleanups run last-in first-out
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Env("TMPDIR="+tmp), // chromium's own scratch files go with the test
		chromedp.WindowSize(w, h),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	p := &page{t: t, ctx: ctx, url: url}
	var done chan struct{} // closed when the console reader stops
	t.Cleanup(func() {
		// Close the browser gracefully, then make sure the process is gone and the
		// console reader has stopped.
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		if err := chromedp.Cancel(cctx); err != nil {
			t.Logf("close chromium: %v", err)
		}
		ccancel()
		cancel()
		acancel()
		if done != nil {
			<-done
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	done = make(chan struct{})
	// The console reader exits when the tab's context is cancelled (test cleanup).
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			// The app's own warnings (a frame it could not decode, an error frame from the
			// server) are problems too: the page would show stale views without an error.
			ours := m.Type == chromedp.ConsoleWarning && strings.HasPrefix(m.Text, "convscope:")
			if m.Type == chromedp.ConsoleError || m.IsException() || ours {
				p.mu.Lock()
				p.problems = append(p.problems, m.String())
				p.mu.Unlock()
			}
		}
	}()
	p.do(chromedp.Navigate(url + "/#" + hash))
	// A short log of input on the page, for failure messages.
	p.do(chromedp.Evaluate[chromedp.Void](`window.__e2eLog = [];
		for (const type of ['mousedown', 'mouseup', 'click', 'keydown']) {
			document.addEventListener(type, (e) => {
				const t = e.target;
				window.__e2eLog.push(type + ':' + (e.key || '') + ':' + t.tagName + (t.id ? '#' + t.id : '') + (t.dataset?.view ? '[' + t.dataset.view + ']' : '') + '@' + Math.round(e.clientX || 0) + ',' + Math.round(e.clientY || 0));
				window.__e2eLog = window.__e2eLog.slice(-12);
			}, true);
		}
		window.addEventListener('hashchange', () => window.__e2eLog.push('hash:' + location.hash));`))
	p.waitJS(`document.querySelector('#conn.conn-open') !== null && document.getElementById('stat-step').textContent !== '–'`,
		"the page to connect and show the training step")
	return p
}

// do runs actions on the tab, failing the test on error.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitLimit)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value into T.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitLimit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitJS waits until the expression is truthy on the page; what says what we wait for.
func (p *page) waitJS(js, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitLimit)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(waitLimit)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v\npage: %s", what, err, p.state())
	}
}

// state describes what the page shows, for failure messages.
func (p *page) state() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		hash: location.hash,
		shown: Array.from(document.querySelectorAll('.view:not([hidden])')).map((v) => v.id),
		dialog: !!document.querySelector('dialog[open]'),
		focus: document.activeElement && (document.activeElement.id || document.activeElement.className || document.activeElement.tagName),
		conn: document.getElementById('conn').textContent,
		step: document.getElementById('stat-step').textContent,
		run: document.getElementById('btn-run').textContent,
		input: window.__e2eLog,
	})`))
	if err != nil {
		return err.Error()
	}
	return s
}

// show switches to a view with its keyboard shortcut's link and waits until it is shown.
func (p *page) show(view string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.tabs a[data-view=%q]`, view))))
	p.waitJS(fmt.Sprintf(`!document.getElementById('view-%s').hidden`, view), "view "+view)
}

// expect marks console errors containing substr as provoked by the test (the browser
// logs every 4xx answer to a fetch as an error).
func (p *page) expect(substr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, substr)
}

// noProblems fails the test if the page logged errors, its own warnings, or threw.
func (p *page) noProblems() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
next:
	for _, m := range p.problems {
		for _, e := range p.expected {
			if strings.Contains(m, e) {
				continue next
			}
		}
		p.t.Errorf("page console: %s", m)
	}
}

// step returns the training step the header shows.
func (p *page) step() int {
	p.t.Helper()
	return eval[int](p, `Number(document.getElementById('stat-step').textContent.replace(/\s/g, '')) || 0`)
}

// stroke drags a pointer along pts, given as fractions of the drawing pad (0..1).
func (p *page) stroke(kind input.DispatchMouseEventPointerType, pts ...[2]float64) {
	p.t.Helper()
	p.do(chromedp.ScrollIntoView(chromedp.CSS("#pad")))
	r := eval[struct{ X, Y, W, H float64 }](p,
		`(() => { const r = document.getElementById('pad').getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`)
	ev := func(typ input.DispatchMouseEventType, q [2]float64, buttons int64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{
				Type: typ, X: r.X + q[0]*r.W, Y: r.Y + q[1]*r.H,
				Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1, PointerType: kind,
			})
			return err
		})
	}
	steps := []chromedp.Action[chromedp.Void]{ev(chromedp.MousePressed, pts[0], 1)}
	// Interpolate so that the page sees a dense stroke, as from a real hand.
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		for k := 1; k <= 8; k++ {
			f := float64(k) / 8
			steps = append(steps, ev(chromedp.MouseMoved, [2]float64{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f}, 1))
		}
	}
	steps = append(steps, ev(chromedp.MouseReleased, pts[len(pts)-1], 0))
	p.do(steps...)
}

// api posts a JSON body to the server, as a teacher's other laptop would.
func api(t *testing.T, url, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(url+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(res.Body)
		t.Fatalf("POST %s %s: %s %s", path, b, res.Status, strings.TrimSpace(string(msg)))
	}
}

// canvasSig is a JS expression giving a fingerprint of the pixels of the first canvas
// matching sel (the empty string when there is none or it is empty).
func canvasSig(sel string) string {
	return fmt.Sprintf(`((sel) => {
		const c = document.querySelector(sel);
		if (!c || !c.width || !c.height) return '';
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let h = 2166136261;
		for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
		return c.width + 'x' + c.height + ':' + (h >>> 0).toString(16);
	})(%q)`, sel)
}

// canvasesColours is a JS expression giving, for every canvas matching sel, the number of
// distinct colours it shows (1 means a blank canvas).
func canvasesColours(sel string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map((c) => {
		if (!c.width || !c.height) return 0;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const seen = new Set();
		for (let i = 0; i < d.length && seen.size < 64; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
		return seen.size;
	})`, sel)
}
