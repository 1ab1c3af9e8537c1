package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"convscope/digit"
	"convscope/nn"
)

// Request limits.
const (
	maxControlBody = 4 << 10  // JSON bodies of control requests
	maxUpload      = 10 << 20 // an uploaded image file
	// maxUploadBody allows for the multipart envelope and small fields around the file.
	maxUploadBody = maxUpload + 64<<10
	maxDigits     = 100 // digits per GET /api/digits
	maxPrepares   = 2   // uploads decoded and prepared at once; more wait their turn
	maxUploads    = 16  // uploads read into memory at once (≤ 160 MiB); more wait their turn
)

// serveWS upgrades to a websocket and serves one viewer until it goes away.
func (s *Server) serveWS(c echo.Context) error {
	conn, err := s.upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered with an HTTP error
	}
	// A viewer needs a fresh model copy now if training is running unwatched.
	s.session.wantClone.Store(true)
	s.session.kick()
	s.hub.serve(conn, s.helloFrame(), s.bank, s.metricsFrame())
	return nil
}

// onMessage handles a viewer's message (docs/PROTOCOL.md §1.3); it runs in the viewer's
// reader goroutine.
func (s *Server) onMessage(c *client, msg []byte) {
	var m struct {
		Type      string `json:"type"`
		TestIndex *int   `json:"test_index"`
	}
	reply := func(format string, args ...any) {
		c.offer(frame{kind: kindError, data: mustJSON(errorMsg{Type: "error", T: millis(time.Now()),
			Error: fmt.Sprintf(format, args...)})})
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		reply("message is not JSON: %v", err)
		return
	}
	switch m.Type {
	case "probe":
		if m.TestIndex == nil {
			reply("probe needs test_index")
			return
		}
		if _, err := s.session.setProbeTest(*m.TestIndex); err != nil {
			reply("%v", err)
			return
		}
		s.hub.send(s.statusFrame("probe", s.session.trainer.Progress().Running))
	default:
		reply("unknown message type %q", m.Type)
	}
}

func (s *Server) helloFrame() frame {
	p := s.session.trainer.Progress()
	now := time.Now()
	msg := helloMsg{Type: "hello", T: millis(now), Protocol: ProtocolVersion,
		Model: s.session.model, Config: p.Config, Progress: toMetrics(p),
		History: s.session.hist.snapshot(), Probe: s.session.currentProbe(),
		TestSize: s.opts.Test.N, Restored: s.session.restored,
		Rates: helloRates{MetricsMS: s.tm.Metrics.Milliseconds(), VisualMS: s.tm.Visual.Milliseconds(),
			MatchesMS: s.tm.Matches.Milliseconds()}}
	return frame{kind: kindHello, data: mustJSON(msg)}
}

func (s *Server) metricsFrame() frame {
	return frame{kind: kindMetrics, data: mustJSON(metricsMsg(s.session.trainer.Progress(), time.Now()))}
}

func (s *Server) statusFrame(event string, running bool) frame {
	p := s.session.trainer.Progress()
	return frame{kind: kindStatus, data: mustJSON(statusMsg{Type: "status", T: millis(time.Now()),
		Event: event, Running: running, Step: p.Step, Config: p.Config, Probe: s.session.currentProbe()})}
}

// status is the reply of GET /api/status.
type status struct {
	metrics
	Config nn.Config `json:"config"`
	Probe  Probe     `json:"probe"`
}

func (s *Server) status() status {
	p := s.session.trainer.Progress()
	return status{metrics: toMetrics(p), Config: p.Config, Probe: s.session.currentProbe()}
}

func (s *Server) getStatus(c echo.Context) error { return c.JSON(http.StatusOK, s.status()) }

func (s *Server) getModel(c echo.Context) error { return c.JSON(http.StatusOK, s.session.model) }

func (s *Server) getHistory(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]History{"history": s.session.hist.snapshot()})
}

// intParam reads an optional integer query parameter within lo..hi.
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, echo.NewHTTPError(http.StatusBadRequest,
			fmt.Sprintf("%s=%q: want an integer from %d to %d", name, v, lo, hi))
	}
	return n, nil
}

type digitJSON struct {
	Index int    `json:"index"`
	Label int    `json:"label"`
	Data  []byte `json:"data"` // base64 in JSON
}

func (s *Server) getDigits(c echo.Context) error {
	test := s.opts.Test
	off, err := intParam(c, "offset", 0, 0, test.N-1)
	if err != nil {
		return err
	}
	n, err := intParam(c, "n", 20, 1, maxDigits)
	if err != nil {
		return err
	}
	n = min(n, test.N-off)
	px := test.H * test.W
	out := struct {
		Offset int         `json:"offset"`
		Total  int         `json:"total"`
		Width  int         `json:"width"`
		Height int         `json:"height"`
		Digits []digitJSON `json:"digits"`
	}{Offset: off, Total: test.N, Width: test.W, Height: test.H}
	for i := off; i < off+n; i++ {
		out.Digits = append(out.Digits, digitJSON{Index: i, Label: int(test.Labels[i]),
			Data: test.Images[i*px : (i+1)*px]})
	}
	return c.JSON(http.StatusOK, out)
}

// decodeJSON decodes a small JSON body strictly: one object, no unknown fields.
func decodeJSON(c echo.Context, v any) error {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, maxControlBody)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body over %d bytes", maxControlBody))
		}
		return echo.NewHTTPError(http.StatusBadRequest, "bad JSON body: "+err.Error())
	}
	if dec.More() {
		return echo.NewHTTPError(http.StatusBadRequest, "bad JSON body: more than one value")
	}
	return nil
}

// TrainRequest is the body of POST /api/train (docs/PROTOCOL.md §2).
type TrainRequest struct {
	Action    string   `json:"action"`
	LR        *float64 `json:"lr,omitempty"`
	BatchSize *int     `json:"batch_size,omitempty"`
	Optimizer *string  `json:"optimizer,omitempty"`
	Seed      *int64   `json:"seed,omitempty"`
}

// commands checks r completely and turns it into the trainer's commands: a "set" for the
// hyperparameters, then the action. An error means nothing may be applied.
func (r TrainRequest) commands() ([]nn.Command, string, error) {
	events := map[string]string{"start": "started", "resume": "resumed", "pause": "paused",
		"step": "step", "reset": "reset", "set": "config"}
	event, ok := events[r.Action]
	if !ok {
		if r.Action == "" {
			return nil, "", errors.New("action is required: start, pause, resume, step, reset or set")
		}
		return nil, "", fmt.Errorf("unknown action %q: want start, pause, resume, step, reset or set", r.Action)
	}
	if r.LR != nil && !(*r.LR > 0 && *r.LR <= 1) {
		return nil, "", fmt.Errorf("lr %v out of range: want 0 < lr ≤ 1", *r.LR)
	}
	if r.BatchSize != nil && (*r.BatchSize < 1 || *r.BatchSize > 1024) {
		return nil, "", fmt.Errorf("batch_size %d out of range: want 1 to 1024", *r.BatchSize)
	}
	if r.Optimizer != nil && *r.Optimizer != "adam" && *r.Optimizer != "sgd" {
		return nil, "", fmt.Errorf("optimizer %q: want adam or sgd", *r.Optimizer)
	}
	if r.Seed != nil && r.Action != "reset" {
		return nil, "", errors.New("seed is only taken with action reset")
	}
	var cmds []nn.Command
	set := r.LR != nil || r.BatchSize != nil || r.Optimizer != nil
	if set {
		cmds = append(cmds, nn.Command{Action: "set", LR: r.LR, BatchSize: r.BatchSize, Optimizer: r.Optimizer})
	}
	switch {
	case r.Action == "set" && !set:
		return nil, "", errors.New("set needs lr, batch_size or optimizer")
	case r.Action == "reset":
		seed := r.Seed
		if seed == nil {
			// A reset without a seed means "try again": new weights, not the same ones.
			v := time.Now().UnixNano() & (1<<31 - 1)
			seed = &v
		}
		cmds = append(cmds, nn.Command{Action: "reset", Seed: seed})
	case r.Action != "set":
		cmds = append(cmds, nn.Command{Action: r.Action})
	}
	return cmds, event, nil
}

func (s *Server) postTrain(c echo.Context) error {
	var req TrainRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cmds, event, err := req.commands()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	if req.Action == "reset" {
		s.session.keepBeforeReset()
	}
	for i, cmd := range cmds {
		if err := s.session.trainer.Do(cmd); err != nil {
			if i == 0 {
				return echo.NewHTTPError(http.StatusBadRequest, err.Error())
			}
			return fmt.Errorf("train %s after set: %w", req.Action, err)
		}
	}
	p := s.session.trainer.Progress()
	running := p.Running
	switch req.Action {
	case "start", "resume":
		running = true
	case "pause", "step":
		running = false
	}
	s.log.Info("training control", "action", req.Action, "remote", c.RealIP())
	s.hub.send(s.statusFrame(event, running))
	st := s.status()
	st.Running = running
	return c.JSON(http.StatusOK, st)
}

func (s *Server) postProbe(c echo.Context) error {
	var req struct {
		TestIndex *int `json:"test_index"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.TestIndex == nil {
		return echo.NewHTTPError(http.StatusBadRequest, "test_index is required")
	}
	p, err := s.session.setProbeTest(*req.TestIndex)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	s.hub.send(s.statusFrame("probe", s.session.trainer.Progress().Running))
	return c.JSON(http.StatusOK, map[string]Probe{"probe": p})
}

// predictReply is the reply of POST /api/predict.
type predictReply struct {
	Digit         int               `json:"digit"`
	Probabilities []float32         `json:"probabilities"`
	Inverted      bool              `json:"inverted"`
	Input         Tensor            `json:"input"`
	Steps         []digit.StepImage `json:"steps"`
	Activations   []Tensor          `json:"activations"`
	Step          int64             `json:"step"`
	Probe         *Probe            `json:"probe,omitempty"`
}

func (s *Server) postPredict(c echo.Context) error {
	req := c.Request()
	if req.ContentLength > maxUploadBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("upload of %d bytes is over the %d MiB limit", req.ContentLength, maxUpload>>20))
	}
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "send the image as multipart/form-data with a field named image")
	}
	select {
	case s.uploadSem <- struct{}{}:
		defer func() { <-s.uploadSem }()
	case <-req.Context().Done():
		return echo.NewHTTPError(http.StatusServiceUnavailable, "request cancelled while waiting for other uploads")
	}
	body := http.MaxBytesReader(c.Response(), req.Body, maxUploadBody)
	mr := multipart.NewReader(body, params["boundary"])
	lim := digit.DefaultLimits()
	lim.MaxBytes = maxUpload
	var data []byte
	var asProbe bool
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return uploadError(err)
		}
		switch part.FormName() {
		case "image":
			if data != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "more than one image field")
			}
			data, err = digit.Read(part, lim)
			if err != nil {
				return uploadError(err)
			}
		case "probe":
			v, err := io.ReadAll(io.LimitReader(part, 16))
			if err != nil {
				return uploadError(err)
			}
			asProbe = strings.TrimSpace(string(v)) == "1" || strings.TrimSpace(string(v)) == "true"
		default:
			// Ignore other fields, but do not keep them.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return uploadError(err)
			}
		}
	}
	if data == nil {
		return echo.NewHTTPError(http.StatusBadRequest, "no image: send the file in a form field named image")
	}
	select {
	case s.prepareSem <- struct{}{}:
	case <-req.Context().Done():
		return echo.NewHTTPError(http.StatusServiceUnavailable, "request cancelled while waiting for other uploads")
	}
	res, err := digit.Prepare(data, lim)
	<-s.prepareSem
	if err != nil {
		return echo.NewHTTPError(digit.HTTPStatus(err), err.Error())
	}
	pub := s.session.current()
	tr := pub.m.Trace(res.Input)
	ts, _ := traceTensors(tr, pub.m.Spec().Input, false)
	reply := predictReply{Digit: nn.Argmax(tr.Probs), Probabilities: tr.Probs, Inverted: res.Inverted,
		Input: ts[0], Steps: res.StepImages(), Activations: ts[1:], Step: pub.p.Step}
	if asProbe {
		p := s.session.setProbeUser(res.Input)
		reply.Probe = &p
		s.hub.send(s.statusFrame("probe", s.session.trainer.Progress().Running))
	}
	return c.JSON(http.StatusOK, reply)
}

// uploadError maps a failure while reading an upload to a client error.
func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, digit.ErrTooLarge) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("upload over the %d MiB limit", maxUpload>>20))
	}
	if code := digit.HTTPStatus(err); code >= 400 && code < 500 {
		return echo.NewHTTPError(code, err.Error())
	}
	return echo.NewHTTPError(http.StatusBadRequest, "bad multipart upload: "+err.Error())
}
