package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"convscope/web"
)

// Server is ConvScope's HTTP server: the routes, one training session and the websocket
// hub. Make it with New, serve Handler (or call Serve), Start the session, and Close it.
type Server struct {
	opts     Options
	tm       Timings
	log      *slog.Logger
	e        *echo.Echo
	hub      *hub
	session  *Session
	render   *renderer
	bank     frame
	upgrader websocket.Upgrader
	// figureSem lets one figure be drawn at a time.
	figureSem chan struct{}
	// figureCache holds the fixed figures once drawn, by file name (figures.go).
	figureMu    sync.Mutex
	figureCache map[string][]byte
	// prepareSem bounds the uploads decoded at once: a large image can need over 100 MB
	// while it is decoded, and preparing competes with training for the CPU.
	prepareSem chan struct{}
	// uploadSem bounds the uploads read into memory at once (each up to 10 MiB), so a
	// class sending phone photos together cannot exhaust the laptop's memory.
	uploadSem chan struct{}

	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup // session and hub goroutines
	closed bool
}

// New builds a server from opts: it loads or creates the model (resuming from the
// checkpoint in opts.StateDir when there is a good one) and sets up the routes. Nothing
// runs until Start.
func New(opts Options) (*Server, error) {
	if opts.Train == nil || opts.Test == nil || opts.Train.N == 0 || opts.Test.N == 0 {
		return nil, errors.New("server: training and test sets are required")
	}
	s := &Server{opts: opts, tm: opts.Timings.withDefaults(), log: opts.Logger,
		figureSem: make(chan struct{}, 1), figureCache: map[string][]byte{},
		prepareSem: make(chan struct{}, maxPrepares),
		uploadSem:  make(chan struct{}, maxUploads)}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.hub = newHub(s.tm, s.onMessage)
	sess, err := newSession(opts, s.tm, s.log, s.hub)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.session = sess
	s.render = newRenderer(sess.model)
	if s.bank, err = s.render.bankFrame(time.Now()); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.bank = s.bank.prepare() // the same bytes for every viewer
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 16 << 10,
		// Browsers offer permessage-deflate; frames are prepared (and so compressed) once
		// for all viewers, at level 1. It halves activations on classroom Wi-Fi.
		EnableCompression: true,
		// Viewers open the page from the same server; a classroom LAN has no other
		// origin to guard against, and the stream carries nothing secret.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	if err := s.routes(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	return s, nil
}

// Handler returns the server's HTTP handler (for httptest.NewServer or an http.Server).
func (s *Server) Handler() http.Handler { return s.e }

// Session returns the training session.
func (s *Server) Session() *Session { return s.session }

// Start starts training and the stream. They run until ctx is done or Close is called.
// Start may be called once.
func (s *Server) Start(ctx context.Context) {
	s.mu.Lock()
	if s.cancel != nil || s.closed {
		s.mu.Unlock()
		return
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(4)
	// The hub exits when ctx is done, closing every viewer's connection.
	go func() { defer s.wg.Done(); s.hub.run(ctx) }()
	// Training exits when ctx is done, after saving the checkpoint.
	go func() { defer s.wg.Done(); s.session.run(ctx) }()
	// The metrics sampler exits when ctx is done.
	go func() { defer s.wg.Done(); s.session.metricsLoop(ctx) }()
	// The snapshot renderer exits when ctx is done.
	go func() { defer s.wg.Done(); s.session.snapshotLoop(ctx, s.render) }()
	s.mu.Unlock() // hub.send may wait for the hub's loop: never under the lock
	if s.session.restored {
		s.hub.send(s.statusFrame("restored", s.session.trainer.Progress().Running))
	}
	s.session.kick()
}

// Close stops training (saving the checkpoint), closes every websocket and waits for all
// of the server's goroutines. It does not stop an http.Server serving Handler: shut that
// down afterwards.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	} else {
		close(s.hub.done) // never started: no hub loop will close it
	}
	s.wg.Wait()
	s.hub.wait()
}

// readHeaderWait bounds how long a connection may take to send its request headers, so
// that clients which never finish a request do not hold the laptop's sockets and memory.
// Bodies (uploads) and websockets have limits of their own.
const readHeaderWait = 10 * time.Second

// Serve serves HTTP on ln until Shutdown; it returns http.ErrServerClosed after a
// graceful shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.e.Listener = ln
	s.e.Server.ReadHeaderTimeout = readHeaderWait
	return s.e.Start("")
}

// Shutdown stops the HTTP server gracefully (echo's Shutdown): call Close first, so that
// the websockets are closed and the checkpoint is saved.
func (s *Server) Shutdown(ctx context.Context) error { return s.e.Shutdown(ctx) }

func (s *Server) routes() error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.recoverPanics)
	s.e = e

	if s.opts.Assets != nil {
		site, err := web.New(s.opts.Assets, s.opts.Live)
		if err != nil {
			return err
		}
		e.GET("/", site.Page("index.html", func() any {
			return map[string]any{"Protocol": ProtocolVersion, "Model": s.session.model.Spec.Name}
		}))
		e.GET("/static/*", site.Static())
	}
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/ws", s.serveWS)

	api := e.Group("/api")
	api.GET("/status", s.getStatus)
	api.GET("/model", s.getModel)
	api.GET("/history", s.getHistory)
	api.GET("/digits", s.getDigits)
	api.POST("/predict", s.postPredict)
	api.GET("/figures/:file", s.getFigure)

	// Control: everything that changes what the whole class sees. The teacher's secret
	// will be a middleware on this group.
	ctl := e.Group("/api")
	ctl.POST("/train", s.postTrain)
	ctl.POST("/probe", s.postProbe)
	return nil
}

// recoverPanics turns a panic in a handler into a logged error with its stack and a 500
// in the usual JSON form, so one bad request cannot take the class's server down. It does
// what echo's middleware.Recover does, without that package's extra dependencies.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if r == http.ErrAbortHandler {
				panic(r) // net/http's way to abort a response: not a bug
			}
			s.log.Error("handler panicked", "method", c.Request().Method, "path", c.Request().URL.Path,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
		}()
		return next(c)
	}
}

// errorHandler answers every error as {"error": "..."}; unexpected errors are logged and
// shown without internals.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		msg = fmt.Sprint(he.Message)
		if code == http.StatusNotFound && he.Message == http.StatusText(http.StatusNotFound) {
			msg = "no such route: " + c.Request().Method + " " + c.Request().URL.Path
		}
		if code == http.StatusMethodNotAllowed {
			msg = "method " + c.Request().Method + " not allowed on " + c.Request().URL.Path
		}
	} else {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(code)
		return
	}
	c.JSON(code, map[string]string{"error": msg})
}
