package server

import (
	"io/fs"
	"log/slog"
	"time"

	"convscope/nn"
)

// Options configure a Server. Train and Test are required; every other zero field takes
// its default.
type Options struct {
	Train, Test *nn.Dataset // the data the session trains and measures on
	Spec        nn.Spec     // zero: nn.DefaultSpec()
	Config      nn.Config   // zero: nn.DefaultConfig()
	// StateDir holds model.ckpt: the session resumes from it at start, saves to it every
	// Timings.Autosave while training and when it closes. Empty: no checkpoints.
	StateDir string
	// Assets holds templates/ and static/ for the browser app; nil serves no pages.
	Assets fs.FS
	Live   bool // re-read Assets on every request (use with os.DirFS while editing)
	Paused bool // start with training paused
	// ProbeIndex is the test digit shown as the probe at start (when not restored).
	ProbeIndex int
	Timings    Timings
	Logger     *slog.Logger // nil: slog.Default()
}

// Timings are the stream's clocks and the viewers' deadlines. Tests shrink them.
type Timings struct {
	Metrics    time.Duration // period of metrics frames while training (default 100 ms: 10/s)
	Visual     time.Duration // period of filters and activations frames (default 250 ms: 4/s)
	Matches    time.Duration // period of matches frames (default 1 s: the matcher is the costliest view)
	Autosave   time.Duration // checkpoint period while training (default 1 min)
	WriteWait  time.Duration // a viewer that does not take a frame within this is cut (default 10 s)
	PongWait   time.Duration // a viewer that answers no ping for this long is cut (default 60 s)
	PingPeriod time.Duration // pings go out this often; must be below PongWait (default 25 s)
	Keepalive  time.Duration // a metrics frame goes out at least this often, even paused, so a page can tell a dead socket from a quiet one (default 5 s)
}

// DefaultTimings returns the production clocks (see Timings).
func DefaultTimings() Timings {
	return Timings{
		Metrics:    100 * time.Millisecond,
		Visual:     250 * time.Millisecond,
		Matches:    time.Second,
		Autosave:   time.Minute,
		WriteWait:  10 * time.Second,
		PongWait:   60 * time.Second,
		PingPeriod: 25 * time.Second,
		Keepalive:  5 * time.Second,
	}
}

func (t Timings) withDefaults() Timings {
	d := DefaultTimings()
	for _, p := range []struct{ v, def *time.Duration }{
		{&t.Metrics, &d.Metrics}, {&t.Visual, &d.Visual}, {&t.Matches, &d.Matches},
		{&t.Autosave, &d.Autosave}, {&t.WriteWait, &d.WriteWait}, {&t.PongWait, &d.PongWait},
		{&t.PingPeriod, &d.PingPeriod}, {&t.Keepalive, &d.Keepalive},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	if t.PingPeriod >= t.PongWait {
		t.PingPeriod = t.PongWait * 9 / 10
	}
	return t
}
