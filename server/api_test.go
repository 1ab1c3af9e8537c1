package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"convscope/nn"
)

func TestRoutes(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	for _, tc := range []struct {
		method, path string
		code         int
		key          string // a key the JSON reply must have
	}{
		{"GET", "/healthz", 200, "status"},
		{"GET", "/api/status", 200, "samples_per_sec"},
		{"GET", "/api/model", 200, "layers"},
		{"GET", "/api/history", 200, "history"},
		{"GET", "/api/digits?n=3&offset=5", 200, "digits"},
		{"GET", "/api/digits?n=1000", 400, "error"},
		{"GET", "/api/digits?offset=-1", 400, "error"},
		{"GET", "/api/nothing", 404, "error"},
		{"GET", "/api/figures/x.gif", 400, "error"},
		{"DELETE", "/api/status", 405, "error"},
	} {
		code, out := s.do(t, tc.method, tc.path, "", "")
		if code != tc.code || out[tc.key] == nil {
			t.Errorf("%s %s = %d %v, want %d with %q", tc.method, tc.path, code, out, tc.code, tc.key)
		}
	}
	_, st := s.do(t, "GET", "/api/status", "", "")
	for _, k := range []string{"running", "epoch", "step", "samples_seen", "train_loss", "train_accuracy", "test_accuracy", "epoch_fraction", "config"} {
		if _, ok := st[k]; !ok {
			t.Errorf("/api/status lacks %q", k)
		}
	}
	_, m := s.do(t, "GET", "/api/model", "", "")
	var info ModelInfo
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &info)
	sum := 0
	for _, l := range info.Layers {
		sum += l.Params
	}
	if info.Params != sum || sum == 0 || len(info.Layers) != len(nn.PyramidSpec().Layers) {
		t.Errorf("/api/model: %d layers, params %d (layers sum to %d)", len(info.Layers), info.Params, sum)
	}
	_, d := s.do(t, "GET", "/api/digits?n=3&offset=5", "", "")
	digits := d["digits"].([]any)
	first := digits[0].(map[string]any)
	if len(digits) != 3 || first["index"] != 5.0 || int(first["label"].(float64)) != int(s.opts.Test.Labels[5]) {
		t.Errorf("/api/digits?n=3&offset=5 = %d digits, first %v", len(digits), first["index"])
	}
}

// TestControlBadInput: bad control requests get 400 with a message, and change nothing.
func TestControlBadInput(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	before := s.session.trainer.Progress()
	for _, body := range []string{
		``, `{`, `[]`, `{"action":"fly"}`, `{"lr":0.1}`, `{"action":"start","lr":0}`,
		`{"action":"set","lr":-1}`, `{"action":"set","lr":2}`, `{"action":"set","batch_size":0}`,
		`{"action":"start","batch_size":100000}`, `{"action":"set","optimizer":"rmsprop"}`,
		`{"action":"set"}`, `{"action":"start","seed":3}`, `{"action":"start","speed":3}`,
		`{"action":"start"}{"action":"pause"}`, `{"action":"set","lr":"fast"}`,
		`{"action":"resume","lr":0.5,"batch_size":-2}`,
	} {
		code, out := s.do(t, "POST", "/api/train", "application/json", body)
		if msg, _ := out["error"].(string); code != http.StatusBadRequest || msg == "" {
			t.Errorf("POST /api/train %s = %d %v, want 400 with a message", body, code, out)
		}
	}
	for _, body := range []string{`{}`, `{"test_index":-1}`, `{"test_index":100000}`, `{"test_index":"3"}`} {
		if code, out := s.do(t, "POST", "/api/probe", "application/json", body); code != http.StatusBadRequest || errorText(out) == "" {
			t.Errorf("POST /api/probe %s = %d %v, want 400", body, code, out)
		}
	}
	// Commands apply in order: once a good one has taken effect, any bad one would have too.
	c := s.dial(t)
	if code, out := s.do(t, "POST", "/api/train", "application/json", `{"action":"step"}`); code != 200 {
		t.Fatalf("POST step = %d %v", code, out)
	}
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) == float64(before.Step+1) })
	after := s.session.trainer.Progress()
	if !reflect.DeepEqual(after.Config, before.Config) || after.Running {
		t.Errorf("after bad requests and one step: config %+v running %v, want %+v paused", after.Config, after.Running, before.Config)
	}
	if p := s.session.currentProbe(); p.Index != 0 {
		t.Errorf("probe = %+v after bad requests, want test digit 0", p)
	}
}

// TestControl: good control requests do what they say.
func TestControl(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	c := s.dial(t)
	code, out := s.do(t, "POST", "/api/train", "application/json", `{"action":"set","lr":0.01,"batch_size":8,"optimizer":"sgd"}`)
	if code != 200 {
		t.Fatalf("set = %d %v", code, out)
	}
	st := readUntil(t, c, ofType("status"))
	if st.json["event"] != "config" {
		t.Errorf("status event = %v, want config", st.json["event"])
	}
	s.do(t, "POST", "/api/train", "application/json", `{"action":"step"}`)
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) == 1 })
	cfg := s.session.trainer.Progress().Config
	if cfg.LR != 0.01 || cfg.BatchSize != 8 || cfg.Optimizer != "sgd" {
		t.Errorf("config after set = %+v, want lr 0.01, batch 8, sgd", cfg)
	}
	if code, _ := s.do(t, "POST", "/api/train", "application/json", `{"action":"start"}`); code != 200 {
		t.Fatalf("start = %d", code)
	}
	readUntil(t, c, func(m msg) bool {
		return m.typ == "metrics" && m.json["step"].(float64) > 3 && m.json["running"] == true
	})
	// Paused first, so that the reset's step 0 stays on screen long enough to be seen: a
	// running network leaves step 0 faster than metrics are sampled.
	s.do(t, "POST", "/api/train", "application/json", `{"action":"pause"}`)
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["running"] == false })
	s.do(t, "POST", "/api/train", "application/json", `{"action":"reset","seed":9}`)
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) == 0 })
	if code, out := s.do(t, "POST", "/api/probe", "application/json", `{"test_index":12}`); code != 200 {
		t.Fatalf("probe = %d %v", code, out)
	}
	readUntil(t, c, func(m msg) bool { return m.typ == "status" && m.json["event"] == "probe" })
}

func TestCheckpointResume(t *testing.T) {
	dir := t.TempDir()
	opts := func(o *Options) { o.StateDir, o.Paused = dir, true }
	s := start(t, opts)
	c := s.dial(t)
	for range 3 {
		s.do(t, "POST", "/api/train", "application/json", `{"action":"step"}`)
	}
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) == 3 })
	s.Close() // saves
	saved := s.session.trainer.Progress()

	s2 := start(t, opts)
	p := s2.session.trainer.Progress()
	if p.Step != 3 || p.SamplesSeen != saved.SamplesSeen || p.TrainLoss != saved.TrainLoss {
		t.Errorf("resumed at step %d, seen %d, loss %v; want %d, %d, %v", p.Step, p.SamplesSeen, p.TrainLoss, 3, saved.SamplesSeen, saved.TrainLoss)
	}
	if !s2.session.restored || s2.session.hist.snapshot().Len() == 0 {
		t.Errorf("restored %v with %d history points, want restored with the history", s2.session.restored, s2.session.hist.snapshot().Len())
	}
	_, st := s2.do(t, "GET", "/api/status", "", "")
	if st["step"] != 3.0 {
		t.Errorf("/api/status step after resume = %v, want 3", st["step"])
	}
}

func TestCorruptCheckpoint(t *testing.T) {
	dir := t.TempDir()
	junk := []byte("this is not a checkpoint")
	if err := os.WriteFile(filepath.Join(dir, CheckpointName), junk, 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, func(o *Options) { o.StateDir, o.Paused = dir, true })
	if p := s.session.trainer.Progress(); p.Step != 0 || s.session.restored {
		t.Errorf("after a corrupt checkpoint: step %d, restored %v; want a fresh start", p.Step, s.session.restored)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, CheckpointName+".corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("moved-aside files = %v, want one", aside)
	}
	if b, _ := os.ReadFile(aside[0]); !bytes.Equal(b, junk) {
		t.Errorf("moved-aside file holds %q, want the original bytes", b)
	}
}

// digitPNG renders test digit i large and off-centre, dark on light, as a person might draw it.
func digitPNG(t *testing.T, d *nn.Dataset, i int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 200, 160))
	for p := range img.Pix {
		img.Pix[p] = 255
	}
	for y := range 28 * 4 {
		for x := range 28 * 4 {
			v := d.Images[i*784+(y/4)*28+x/4]
			img.SetGray(x+70, y+20, color.Gray{Y: 255 - v})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func multipartBody(t *testing.T, fields map[string]string, image []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if image != nil {
		fw, _ := w.CreateFormFile("image", "digit.png")
		fw.Write(image)
	}
	w.Close()
	return w.FormDataContentType(), &b
}

func TestPredict(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	c := s.dial(t)
	ct, body := multipartBody(t, map[string]string{"probe": "1"}, digitPNG(t, s.opts.Test, 3))
	code, out := s.do(t, "POST", "/api/predict", ct, body.String())
	if code != 200 {
		t.Fatalf("POST /api/predict = %d %v", code, out)
	}
	var r predictReply
	b, _ := json.Marshal(out)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, p := range r.Probabilities {
		sum += float64(p)
	}
	if r.Digit < 0 || r.Digit > 9 || len(r.Probabilities) != 10 || math.Abs(sum-1) > 1e-3 {
		t.Errorf("predict = digit %d, probabilities %v", r.Digit, r.Probabilities)
	}
	if !r.Inverted || len(r.Steps) < 3 || !strings.HasPrefix(r.Steps[0].PNG, "data:image/png;base64,") {
		t.Errorf("predict: inverted %v, %d steps; want an inverted dark-on-light digit and its steps", r.Inverted, len(r.Steps))
	}
	if r.Input.Dims != [4]int{1, 1, 28, 28} || len(r.Input.Data) != 784 || len(r.Activations) != len(s.session.model.Layers) {
		t.Errorf("predict: input dims %v (%d bytes), %d activations", r.Input.Dims, len(r.Input.Data), len(r.Activations))
	}
	// probe=1 made it everybody's probe.
	readUntil(t, c, func(m msg) bool {
		var meta struct{ Probe Probe }
		return m.typ == "activations" && json.Unmarshal(m.bin.Meta, &meta) == nil && meta.Probe.Source == "user"
	})
}

func TestPredictBadInput(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	ct, noImage := multipartBody(t, map[string]string{"x": "1"}, nil)
	ct2, junk := multipartBody(t, nil, []byte("definitely not an image"))
	blank := image.NewGray(image.Rect(0, 0, 50, 50))
	var blankPNG bytes.Buffer
	png.Encode(&blankPNG, blank)
	ct3, blankBody := multipartBody(t, nil, blankPNG.Bytes())
	ct4, huge := multipartBody(t, nil, bytes.Repeat([]byte{0}, maxUpload+1))
	for _, tc := range []struct {
		name, ct, body string
		code           int
	}{
		{"not multipart", "application/json", `{"image":1}`, 400},
		{"no image field", ct, noImage.String(), 400},
		{"not an image", ct2, junk.String(), 415},
		{"blank", ct3, blankBody.String(), 422},
		{"over 10 MiB", ct4, huge.String(), 413},
	} {
		code, out := s.do(t, "POST", "/api/predict", tc.ct, tc.body)
		if code != tc.code || errorText(out) == "" {
			t.Errorf("%s: POST /api/predict = %d %v, want %d with a message", tc.name, code, out, tc.code)
		}
	}
	// A body that lies about its length is cut at the limit too.
	req, _ := http.NewRequest("POST", s.ts.URL+"/api/predict", io.MultiReader(strings.NewReader("--b\r\n"), &zeros{n: 20 << 20}))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 && resp.StatusCode != 400 {
			t.Errorf("streamed 20 MiB body = %d, want 413 or 400", resp.StatusCode)
		}
	}
}

// errorText is the "error" string of a decoded JSON reply, "" when there is none: a
// missing key or a non-string must fail a check for a message, as an empty one does.
func errorText(out map[string]any) string {
	s, _ := out["error"].(string)
	return s
}

// zeros is an endless-ish reader of n zero bytes.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	clear(p[:k])
	z.n -= k
	return k, nil
}

// TestPredictBoundsConcurrentPrepares: while maxPrepares uploads are being prepared (or
// maxUploads read), a further one waits its turn instead of decoding (or reading) alongside
// them — a large image can need over 100 MB while it is decoded, and each upload up to
// 10 MiB while it is read; one that gives up while waiting gets 503.
func TestPredictBoundsConcurrentPrepares(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	img := digitPNG(t, s.opts.Test, 5)
	send := func(ctx context.Context) *httptest.ResponseRecorder {
		ct, body := multipartBody(t, nil, img)
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/predict", body)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sem := range []struct {
		name string
		ch   chan struct{}
	}{{"prepared", s.prepareSem}, {"read", s.uploadSem}} {
		for range cap(sem.ch) {
			sem.ch <- struct{}{}
		}
		if rec := send(gone); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("predict while %d uploads are %s, client gone = %d %s, want 503", cap(sem.ch), sem.name, rec.Code, rec.Body)
		}
		for range cap(sem.ch) {
			<-sem.ch
		}
	}
	if rec := send(context.Background()); rec.Code != http.StatusOK {
		t.Errorf("predict with free slots = %d %s, want 200", rec.Code, rec.Body)
	}
}

// TestHandlerPanic: a panicking handler is answered 500 in the JSON form, and the server
// keeps serving.
func TestHandlerPanic(t *testing.T) {
	s := start(t, func(o *Options) { o.Paused = true })
	s.e.GET("/api/test-panic", func(echo.Context) error { panic("boom") })
	code, out := s.do(t, "GET", "/api/test-panic", "", "")
	if code != http.StatusInternalServerError || out["error"] != "internal error" {
		t.Errorf("GET /api/test-panic = %d %v, want 500 with error \"internal error\"", code, out)
	}
	if code, _ := s.do(t, "GET", "/healthz", "", ""); code != http.StatusOK {
		t.Errorf("GET /healthz after a panic = %d, want 200", code)
	}
}

// TestResetKeepsCheckpoint: a reset by mistake can be undone: the trained checkpoint is
// kept as BeforeResetName, and a server started from it resumes the trained network.
func TestResetKeepsCheckpoint(t *testing.T) {
	dir := t.TempDir()
	opts := func(o *Options) { o.StateDir, o.Paused = dir, true }
	s := start(t, opts)
	c := s.dial(t)
	for range 3 {
		s.do(t, "POST", "/api/train", "application/json", `{"action":"step"}`)
	}
	readUntil(t, c, func(m msg) bool { return m.typ == "metrics" && m.json["step"].(float64) == 3 })
	s.Close() // saves the trained network at step 3

	s2 := start(t, opts)
	if code, out := s2.do(t, "POST", "/api/train", "application/json", `{"action":"reset","seed":9}`); code != 200 {
		t.Fatalf("reset = %d %v", code, out)
	}
	s2.Close() // saves the fresh network over model.ckpt
	if p := s2.session.trainer.Progress(); p.Step != 0 {
		t.Fatalf("after reset the network is at step %d, want 0", p.Step)
	}

	undo := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, BeforeResetName))
	if err != nil {
		t.Fatalf("no checkpoint kept before the reset: %v", err)
	}
	if err := os.WriteFile(filepath.Join(undo, CheckpointName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s3 := start(t, func(o *Options) { o.StateDir, o.Paused = undo, true })
	if p := s3.session.trainer.Progress(); p.Step != 3 {
		t.Errorf("started from %s at step %d, want the trained network's step 3", BeforeResetName, p.Step)
	}
}
