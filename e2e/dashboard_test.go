package e2e

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"convscope/server"
)

var views = []string{"training", "filters", "activations", "architecture", "digit", "edges"}

// TestPageLoads: the dashboard loads, connects, shows the model and every view by its
// number key, with no console error or uncaught exception.
func TestPageLoads(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1280, 900, "training")

	for i, v := range views {
		p.do(chromedp.KeyEvent(fmt.Sprint(i + 1)))
		p.waitJS(fmt.Sprintf(`!document.getElementById('view-%s').hidden && location.hash === '#%s'`, v, v),
			fmt.Sprintf("key %d to show view %s", i+1, v))
		if n := eval[int](p, `document.querySelectorAll('.view:not([hidden])').length`); n != 1 {
			t.Errorf("after key %d: %d views shown, want 1", i+1, n)
		}
	}
	// The architecture view describes the model the server trains.
	p.show("architecture")
	p.waitJS(`document.querySelectorAll('#arch-table tbody tr').length > 0`, "the architecture table")
	rows := eval[int](p, `document.querySelectorAll('#arch-table tbody tr').length`)
	layers := eval[int](p, `fetch('/api/model').then((r) => r.json()).then((m) => m.layers.length)`)
	if rows != layers {
		t.Errorf("architecture table has %d rows, the model has %d layers", rows, layers)
	}
	if boxes := eval[int](p, `document.querySelectorAll('#arch-picture .arch-box').length`); boxes < 3 {
		t.Errorf("architecture picture has %d boxes, want the input and the layers", boxes)
	}
	p.noProblems()
}

// TestTrainingAdvances: pressing Start makes the curves grow and the learned filters
// change; Space pauses; a bad learning rate shows the server's refusal.
func TestTrainingAdvances(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1280, 900, "training")

	if got := eval[string](p, `document.getElementById('btn-run').dataset.action`); got != "start" {
		t.Fatalf("run button action before training = %q, want start", got)
	}
	lossBefore := eval[string](p, canvasSig("#chart-loss"))
	accBefore := eval[string](p, canvasSig("#chart-acc"))
	p.do(chromedp.Click(chromedp.CSS("#btn-run")))
	p.waitJS(`document.getElementById('btn-run').dataset.action === 'pause'`, "the run button to offer Pause")
	p.waitJS(`Number(document.getElementById('chart-loss').dataset.points) >= 5`, "five points on the loss curve")
	p.waitJS(fmt.Sprintf(`%s !== %q && %s !== %q`, canvasSig("#chart-loss"), lossBefore, canvasSig("#chart-acc"), accBefore),
		"the curves to be drawn")
	// The curves keep advancing: more points and new pixels a moment later.
	pts := eval[int](p, `Number(document.getElementById('chart-loss').dataset.points)`)
	sig := eval[string](p, canvasSig("#chart-loss"))
	p.waitJS(fmt.Sprintf(`Number(document.getElementById('chart-loss').dataset.points) > %d && %s !== %q`, pts, canvasSig("#chart-loss"), sig),
		"the loss curve to advance")
	p.waitJS(`document.getElementById('stat-test').textContent.endsWith('%')`, "a test accuracy in the header")

	p.show("filters")
	p.waitJS(`document.querySelectorAll('#filters-layers .filter-tile[role=button]').length > 0`, "filter tiles")
	// The step the filters were taken at, as the view labels them ("now (step N)").
	shownStep := `Number((Array.from(document.querySelectorAll('#filters-layers .then-label')).map((e) => e.textContent).find((s) => s.startsWith('now')) || '').replace(/\D/g, ''))`
	p.waitJS(shownStep+` > 0`, "the filters' step label")
	// Image and label are read together: a frame may be drawn between two evaluations.
	before := eval[[]any](p, fmt.Sprintf(`[%s, %s]`, canvasSig("#filters-layers .filter-tile[role=button]"), shownStep))
	first, step := before[0].(string), before[1].(float64)
	p.waitJS(fmt.Sprintf(`%s !== %q`, canvasSig("#filters-layers .filter-tile[role=button]"), first), "the first filter's image to change")
	if now := eval[float64](p, shownStep); now <= step {
		t.Errorf("filter image changed but its label still says step %v (was %v)", now, step)
	}
	// A filter opens enlarged with its numbers, by keyboard.
	p.do(chromedp.Focus(chromedp.CSS("#filters-layers .filter-tile[role=button]")), chromedp.KeyEvent("\r"))
	p.waitJS(`document.getElementById('filter-dialog').open && document.querySelectorAll('#filter-dialog .weights td').length > 0`,
		"the enlarged filter with its weights")
	p.do(chromedp.KeyEvent("\x1b"))
	p.waitJS(`!document.getElementById('filter-dialog').open`, "Escape to close the enlarged filter")

	// Space pauses training.
	p.do(chromedp.KeyEvent(" "))
	p.waitJS(`document.getElementById('btn-run').dataset.action === 'resume'`, "Space to pause (button offers Resume)")

	// The server refuses a learning rate above 1 and the page shows its reason.
	p.show("training")
	p.expect("status of 400")
	p.do(
		chromedp.SetValue(chromedp.CSS("#in-lr"), "5"),
		chromedp.Click(chromedp.CSS("#train-form button[type=submit]")),
	)
	p.waitJS(`document.getElementById('train-msg').textContent.includes('lr')`, "the server's error text about lr")
	p.noProblems()
}

// TestProbePicker: the probe is stepped with next/previous or picked from the strip of
// test digits, and the activations follow it.
func TestProbePicker(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1280, 900, "activations")

	label := `document.getElementById('probe-label').textContent`
	p.waitJS(label+` === 'test digit #0 (label 7)'`, "the first test digit as the probe")
	p.waitJS(`document.querySelectorAll('#act-net canvas.net-map').length > 0 && document.querySelectorAll('#probe-picker button').length === 16`,
		"the maps and the picker")
	input := eval[string](p, canvasSig("#act-net canvas.net-map"))
	p.do(chromedp.Click(chromedp.CSS("#probe-next")))
	p.waitJS(label+`.startsWith('test digit #1 ')`, "next to pick test digit 1")
	// Space on a focused button presses that button; it does not start the class's training.
	p.do(chromedp.Focus(chromedp.CSS("#probe-next")), chromedp.KeyEvent(" "))
	p.waitJS(label+`.startsWith('test digit #2 ')`, "Space on the focused Next button to pick test digit 2")
	if a := eval[string](p, `document.getElementById('btn-run').dataset.action`); a != "start" {
		t.Errorf("after Space on the Next button the run button offers %q, want start (training untouched)", a)
	}
	p.do(chromedp.Click(chromedp.CSS(`#probe-picker button[data-index="5"]`)))
	p.waitJS(label+`.startsWith('test digit #5 ') && document.querySelector('#probe-picker button.picked').dataset.index === '5'`,
		"the thumbnail to pick test digit 5")
	p.waitJS(fmt.Sprintf(`%s !== %q`, canvasSig("#act-net canvas.net-map"), input), "the input map to show the new probe")
	// Stepping back past the first digit wraps to the last one; the picker follows.
	api(t, url, "/api/probe", map[string]any{"test_index": 0})
	p.waitJS(label+`.startsWith('test digit #0 ')`, "the probe set by another viewer")
	p.do(chromedp.Click(chromedp.CSS("#probe-prev")))
	last := testDigits - 1
	p.waitJS(fmt.Sprintf(`%s.startsWith('test digit #%d ') && document.querySelector('#probe-picker button.picked')?.dataset.index === '%d'`, label, last, last),
		"previous to wrap to the last test digit, with the picker on its page")
	p.noProblems()
}

// TestDrawDigit: strokes on the pad with a mouse and a pen give a prediction with ten
// probabilities, the preparation steps and the digit's path through the layers; "use as
// probe" makes it the probe of the activations view.
func TestDrawDigit(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1280, 900, "digit")
	// Count the predictions in flight: the pad keeps at most one.
	p.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const fetch0 = window.fetch;
		window.__predict = { now: 0, max: 0, sent: 0 };
		window.fetch = async (url, init) => {
			const mine = String(url).includes('/api/predict');
			if (mine) { __predict.sent++; __predict.max = Math.max(__predict.max, ++__predict.now); }
			try { return await fetch0(url, init); } finally { if (mine) __predict.now--; }
		};
	})()`))

	// A seven: the bar with the mouse, the stem with a pen.
	p.stroke(input.DispatchMouseEventPointerTypeMouse, [2]float64{0.25, 0.2}, [2]float64{0.72, 0.2})
	p.stroke(input.DispatchMouseEventPointerTypePen, [2]float64{0.72, 0.2}, [2]float64{0.55, 0.5}, [2]float64{0.42, 0.82})
	inked := eval[int](p, `(() => { const d = document.getElementById('pad').getContext('2d').getImageData(0, 0, 280, 280).data;
		let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n; })()`)
	// Two strokes about 22 px wide and 280 px long in all cover roughly 5 000 pixels.
	if inked < 2500 || inked > 15000 {
		t.Errorf("pad has %d inked pixels after two strokes, want a stroke width like MNIST's (≈ 22 px at 280 px)", inked)
	}
	p.waitJS(`/^[0-9]$/.test(document.getElementById('predict-digit').dataset.digit || '')`, "a predicted digit")
	if st := eval[map[string]int](p, `window.__predict`); st["max"] != 1 {
		t.Errorf("while drawing, %d predictions were in flight at once (of %d sent), want 1", st["max"], st["sent"])
	}
	sum := eval[float64](p, `Array.from(document.querySelectorAll('#predict-bars .prob-value')).reduce((s, e) => s + parseFloat(e.textContent), 0)`)
	if n := eval[int](p, `document.querySelectorAll('#predict-bars .prob-row').length`); n != 10 {
		t.Errorf("%d probability rows, want 10", n)
	}
	if sum < 95 || sum > 105 {
		t.Errorf("probabilities shown add up to %.1f%%, want 100%% (rounded)", sum)
	}
	p.waitJS(`document.querySelectorAll('#prep-steps img').length >= 4 && Array.from(document.querySelectorAll('#prep-steps img')).every((i) => i.complete && i.naturalWidth > 0)`,
		"the preparation step images")
	p.waitJS(`document.querySelectorAll('#digit-net canvas.net-map').length > 0`, "the digit's path through the layers")
	colours := eval[[]int](p, canvasesColours("#digit-net canvas.net-map"))
	if colours[0] < 2 {
		t.Errorf("the input map of the drawn digit is blank")
	}

	p.do(chromedp.Click(chromedp.CSS("#pad-probe")))
	p.waitJS(`document.getElementById('predict-msg').classList.contains('msg-ok')`, "the probe to be set")
	p.show("activations")
	p.waitJS(`document.getElementById('probe-label').textContent === 'your digit'`, "the activations view to show your digit")

	// Clear empties the pad and the prediction.
	p.show("digit")
	p.do(chromedp.Click(chromedp.CSS("#pad-clear")))
	p.waitJS(`document.getElementById('predict-digit').textContent === '?' && document.querySelectorAll('#digit-net canvas').length === 0`,
		"Clear to reset the prediction and the path")
	if n := eval[int](p, `document.querySelectorAll('#prep-steps li').length`); n != 0 {
		t.Errorf("%d preparation steps still shown after Clear", n)
	}
	p.noProblems()
}

// TestUploadPNG: a PNG picked with the file input (a test digit drawn large, dark on light
// and off-centre, like a photo of paper) yields a prediction and the preparation steps.
func TestUploadPNG(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1280, 900, "digit")

	_, test := datasets(t)
	file := filepath.Join(t.TempDir(), "digit.png")
	writePaperDigit(t, file, test.Images[:28*28])
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pad-file"), []string{file}))
	p.waitJS(`/^[0-9]$/.test(document.getElementById('predict-digit').dataset.digit || '')`, "a prediction for the upload")
	p.waitJS(`document.querySelectorAll('#prep-steps li').length >= 4`, "the preparation steps")
	caps := eval[string](p, `Array.from(document.querySelectorAll('#prep-steps li span')).map((s) => s.textContent).join(' | ')`)
	if strings.TrimSpace(caps) == "" {
		t.Errorf("preparation steps have no captions")
	}
	// The pad shows the uploaded picture.
	if colours := eval[[]int](p, canvasesColours("#pad")); colours[0] < 2 {
		t.Errorf("the pad does not show the uploaded image")
	}

	// Dropping a file on the pad does the same.
	p.do(chromedp.Click(chromedp.CSS("#pad-clear")))
	p.waitJS(`document.getElementById('predict-digit').textContent === '?'`, "Clear")
	p.do(chromedp.Evaluate[chromedp.Void](`(async () => {
		const c = document.createElement('canvas');
		c.width = 200; c.height = 200;
		const g = c.getContext('2d');
		g.fillStyle = '#fff'; g.fillRect(0, 0, 200, 200);
		g.strokeStyle = '#000'; g.lineWidth = 16; g.lineCap = 'round';
		g.beginPath(); g.moveTo(100, 30); g.lineTo(100, 170); g.stroke();
		const blob = await new Promise((ok) => c.toBlob(ok, 'image/png'));
		const dt = new DataTransfer();
		dt.items.add(new File([blob], 'one.png', { type: 'image/png' }));
		document.querySelector('.pad-box').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`, chromedp.EvalAwaitPromise))
	p.waitJS(`/^[0-9]$/.test(document.getElementById('predict-digit').dataset.digit || '')`, "a prediction for the dropped file")

	// A file that is no image gets the server's reason on the page.
	bad := filepath.Join(t.TempDir(), "notes.png")
	if err := os.WriteFile(bad, []byte("these are not pixels"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.expect("status of 415")
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pad-file"), []string{bad}))
	p.waitJS(`document.getElementById('predict-msg').textContent.includes('unsupported')`, "the server's refusal of a non-image")
	p.noProblems()
}

// TestEdgeView: the edge view shows the hand-made kernels with their responses on the
// probe, the learned filters with their maps, the Leung–Malik bank, match scores that
// change while the network trains, the lesson's own picture, and download links for the
// figures for slides that give images.
func TestEdgeView(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1920, 1080, "edges")

	p.waitJS(`document.querySelectorAll('#edges-hand .kernel-card').length >= 2 && document.querySelectorAll('#lm-grid canvas').length >= 12`,
		"the hand-made kernels and the LM bank")

	// The lesson's picture is loaded (it loads lazily: bring it into view).
	p.do(chromedp.ScrollIntoView(chromedp.CSS("#lesson-figure")))
	p.waitJS(`(() => { const i = document.getElementById('lesson-figure'); return i.complete && i.naturalWidth > 0; })()`,
		"the lesson's picture to load")
	if cap := eval[string](p, `document.getElementById('lesson-caption').textContent`); !strings.Contains(cap, "first five training digits") {
		t.Errorf("lesson picture caption = %q, want the strings.js caption", cap)
	}
	// Every figure in PNG and SVG, each link a download.
	links := eval[[]string](p, `Array.from(document.querySelectorAll('#slide-list a')).map((a) => (a.hasAttribute('download') ? '' : 'no download: ') + a.getAttribute('href'))`)
	want := map[string]bool{}
	for _, name := range []string{"learned-filters", "lesson-edges", "lm-bank", "matches", "responses"} {
		want["/api/figures/"+name+".png"] = true
		want["/api/figures/"+name+".svg"] = true
	}
	for _, l := range links {
		if !want[l] {
			t.Errorf("slide link %q: want a download link to one of the figures", l)
		}
		delete(want, l)
	}
	for l := range want {
		t.Errorf("no slide link to %s", l)
	}
	// A learned figure as a click fetches it: an image drawn from the live model.
	res := eval[[]string](p, `fetch(document.querySelector('#slide-list a[href="/api/figures/learned-filters.png"]').href)
		.then(async (r) => [String(r.status), r.headers.get('content-type'), String((await r.arrayBuffer()).byteLength)])`)
	if res[0] != "200" || res[1] != "image/png" || res[2] == "0" {
		t.Errorf("learned-filters.png link answers status %s, type %s, %s bytes; want 200, image/png and an image", res[0], res[1], res[2])
	}
	p.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))

	p.waitJS(`document.querySelectorAll('#match-table tbody tr').length > 0`, "the match table")
	for _, sel := range []string{"#edges-hand canvas", "#edges-learned canvas", "#lm-grid canvas", "#match-table canvas"} {
		p.waitJS(fmt.Sprintf(`%s.every((n) => n >= 2)`, canvasesColours(sel)), "non-blank canvases in "+sel)
	}
	scores := `Array.from(document.querySelectorAll('#match-table .score-value')).map((e) => e.textContent).join(' ')`
	before := eval[string](p, scores)
	api(t, url, "/api/train", map[string]any{"action": "start"})
	p.waitJS(fmt.Sprintf(`%s !== %q`, scores, before), "the match scores to change during training")
	after := eval[string](p, scores)
	for _, s := range strings.Fields(after) {
		var v float64
		if _, err := fmt.Sscan(s, &v); err != nil || v < 0 || v > 1 {
			t.Errorf("match score %q, want a number in 0..1", s)
		}
	}
	t.Logf("match scores before training: %s; after: %s", before, after)
	p.noProblems()
}

// TestResponsiveUnderStream: with the server streaming as fast as it can, every click on
// a tab is handled and the header keeps showing new steps — the page never freezes.
func TestResponsiveUnderStream(t *testing.T) {
	url := startServer(t, func(o *server.Options) {
		o.Timings = server.Timings{Metrics: 5 * time.Millisecond, Visual: 5 * time.Millisecond, Matches: 20 * time.Millisecond}
	})
	p := openPage(t, url, 1280, 900, "activations")
	api(t, url, "/api/train", map[string]any{"action": "start"})
	p.waitJS(`document.querySelectorAll('#act-net canvas').length > 0`, "the activations")

	const rounds = 20
	for i := range rounds {
		v := views[i%len(views)]
		before := p.step()
		p.show(v) // a real click on the tab, and its effect on the page
		p.waitJS(fmt.Sprintf(`Number(document.getElementById('stat-step').textContent.replace(/\s/g, '')) > %d`, before),
			fmt.Sprintf("round %d: the header to show a newer step after a click", i))
	}
	st := eval[map[string]float64](p, `window.convscopeStats`)
	t.Logf("binary frames: %v received, %v decoded, %v skipped as stale; %v view draws",
		st["received"], st["decoded"], st["skipped"], st["draws"])
	if st["decoded"] > st["received"] {
		t.Errorf("decoded %v frames of %v received", st["decoded"], st["received"])
	}
	p.noProblems()
}

// TestReconnect: when the server goes away the page says it is offline, and when a server
// comes back on the same address the page reconnects by itself and shows the new state.
func TestReconnect(t *testing.T) {
	url, stop := startServerAt(t, "127.0.0.1:0", nil)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	p := openPage(t, url, 1280, 900, "activations")
	p.waitJS(`document.getElementById('probe-label').textContent.startsWith('test digit #0 ')`, "the first probe")

	stop()
	stopped = true
	p.waitJS(`document.querySelector('#conn.conn-closed') !== null && document.getElementById('conn').textContent.includes('offline')`,
		"the page to say it is offline")

	url2, stop2 := startServerAt(t, strings.TrimPrefix(url, "http://"), func(o *server.Options) { o.ProbeIndex = 3 })
	defer stop2()
	if url2 != url {
		t.Fatalf("second server at %s, want %s", url2, url)
	}
	p.waitJS(`document.querySelector('#conn.conn-open') !== null`, "the page to reconnect")
	p.waitJS(`document.getElementById('probe-label').textContent.startsWith('test digit #3 ')`, "the new server's probe")
	// A reconnection attempt made while no server listens makes the browser log an error.
	p.expect("WebSocket connection")
	p.noProblems()
}

// TestScreenshots writes a picture of every view at projector and tablet size to
// docs/screenshots/ (and of the edge view's lower part: the lesson's picture and the
// figures for slides), after some training and with a digit drawn, and checks that each
// shows something.
func TestScreenshots(t *testing.T) {
	url := startServer(t, nil)
	p := openPage(t, url, 1920, 1080, "training")
	api(t, url, "/api/train", map[string]any{"action": "start"})
	// Enough training for the filters to take shape: a few hundred steps.
	p.waitJS(`document.getElementById('stat-test').textContent.endsWith('%') && Number(document.getElementById('stat-step').textContent.replace(/\s/g, '')) >= 400`,
		"some training")
	p.show("digit")
	p.stroke(input.DispatchMouseEventPointerTypeMouse, [2]float64{0.3, 0.22}, [2]float64{0.7, 0.22}, [2]float64{0.45, 0.85})
	p.waitJS(`document.querySelectorAll('#digit-net canvas.net-map').length > 0`, "the drawn digit's prediction")
	api(t, url, "/api/train", map[string]any{"action": "pause"})
	p.waitJS(`document.getElementById('btn-run').dataset.action === 'resume'`, "training to pause")

	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{1920, 1080}, {768, 1024}} {
		p.do(chromedp.EmulateViewport(int64(size[0]), int64(size[1])))
		if size[0] == 1920 {
			// Readable from the back of a classroom: body text of at least 18 px.
			if px := eval[float64](p, `parseFloat(getComputedStyle(document.body).fontSize)`); px < 18 {
				t.Errorf("body text on a 1920 px projector is %.1f px, want at least 18", px)
			}
		}
		shoot := func(base string) {
			t.Helper()
			// Two animation frames: the view has drawn at this size.
			eval[bool](p, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
			shot, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("screenshot %s: %v", base, err)
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", base, size[0], size[1]))
			if err := os.WriteFile(name, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			checkScreenshot(t, name, size)
		}
		for i, v := range views {
			p.show(v)
			p.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
			shoot(fmt.Sprintf("%d-%s", i+1, v))
			if v == "edges" {
				// The lower part: the lesson's picture and the figures for slides, just
				// below the sticky tabs.
				p.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.querySelector('.edges-lesson').getBoundingClientRect().top + scrollY - document.querySelector('.tabs').offsetHeight - 8)`))
				p.waitJS(`(() => { const i = document.getElementById('lesson-figure'); return i.complete && i.naturalWidth > 0; })()`,
					"the lesson's picture to load")
				shoot(fmt.Sprintf("%d-%s-lesson", i+1, v))
			}
		}
	}
	p.noProblems()
}

// checkScreenshot decodes a screenshot and checks its size and that it is not blank.
func checkScreenshot(t *testing.T, name string, size [2]int) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := img.Bounds()
	if b.Dx() != size[0] || b.Dy() != size[1] {
		t.Errorf("%s is %d×%d, want %d×%d", name, b.Dx(), b.Dy(), size[0], size[1])
	}
	seen := map[color.Color]bool{}
	for y := b.Min.Y; y < b.Max.Y && len(seen) < 50; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			seen[img.At(x, y)] = true
		}
	}
	if len(seen) < 50 {
		t.Errorf("%s shows only %d colours: nearly blank", name, len(seen))
	}
}

// writePaperDigit writes a 28×28 MNIST digit (ink high) as a 300×240 PNG of dark ink on
// light paper, scaled up 6× and placed off-centre: what a phone photo of a drawing gives.
func writePaperDigit(t *testing.T, name string, pix []byte) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 300, 240))
	for i := range img.Pix {
		img.Pix[i] = 235
	}
	const scale, ox, oy = 6, 110, 40
	for y := range 28 * scale {
		for x := range 28 * scale {
			v := pix[(y/scale)*28+x/scale]
			if x+ox < 300 && y+oy < 240 {
				img.SetGray(x+ox, y+oy, color.Gray{Y: 235 - byte(int(v)*200/255)})
			}
		}
	}
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
