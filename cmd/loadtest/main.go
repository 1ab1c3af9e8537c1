package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// kinds are the frame kinds reported, in order; binary kinds by their header byte.
var kinds = []string{"hello", "bank", "status", "metrics", "filters", "activations", "matches", "edges", "error"}

var binKinds = map[byte]string{1: "filters", 2: "activations", 3: "edges", 4: "bank"}

func kindIndex(name string) int {
	if i := slices.Index(kinds, name); i >= 0 {
		return i
	}
	return len(kinds) - 1
}

// viewerStats is one viewer's counts during the measured window; only its goroutine
// writes it, main reads it after the goroutine has ended.
type viewerStats struct {
	frames [16]int
	bytes  [16]int64
	lags   []float64 // ms, every frame with a timestamp
	err    error
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run() error {
	base := flag.String("url", "http://127.0.0.1:8080", "the server's `URL` (loopback only)")
	viewers := flag.Int("viewers", 200, "websocket viewers to open")
	baseline := flag.Duration("baseline", 6*time.Second, "how long to measure training speed with no viewer")
	warmup := flag.Duration("warmup", 3*time.Second, "how long viewers settle before measuring")
	duration := flag.Duration("duration", 20*time.Second, "how long to measure with the viewers")
	flag.Parse()

	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-url %q: want http://host:port", *base)
	}
	if err := checkLoopback(u.Hostname()); err != nil {
		return err
	}
	wsURL := "ws" + strings.TrimPrefix(u.String(), "http")
	wsURL = strings.TrimSuffix(wsURL, "/") + "/ws"

	st, err := status(*base)
	if err != nil {
		return err
	}
	if !st.Running {
		return errors.New("training is paused on the server: start it first")
	}
	fmt.Printf("server %s, step %d; measuring training speed with no viewer for %v\n", *base, st.Step, *baseline)
	idle, err := speed(*base, *baseline)
	if err != nil {
		return err
	}
	fmt.Printf("no viewer: %.0f samples/s\n", idle)

	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	var measuring atomic.Bool
	stats := make([]*viewerStats, *viewers)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, *viewers)
	// A large read buffer: fewer read calls, so the load tool steals less CPU from the
	// server it measures on the same machine.
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 64 << 10}
	for i := range *viewers {
		c, _, err := dialer.DialContext(ctx, wsURL, nil)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return fmt.Errorf("viewer %d: dial %s: %w", i, wsURL, err)
		}
		conns[i] = c
		stats[i] = &viewerStats{}
		wg.Add(1)
		// Each viewer reads until its connection is closed at the end.
		go func() {
			defer wg.Done()
			stats[i].err = watch(c, stats[i], &measuring)
		}()
	}
	fmt.Printf("%d viewers connected; warming up for %v, then measuring for %v\n", *viewers, *warmup, *duration)
	time.Sleep(*warmup) // load-generator pacing, not synchronisation
	measuring.Store(true)
	start := time.Now()
	loaded, err := speed(*base, *duration)
	measuring.Store(false)
	elapsed := time.Since(start).Seconds()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	if err != nil {
		return err
	}
	cpu := (tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)) / (elapsed + warmup.Seconds())
	fmt.Printf("viewers closed; the load tool used %.0f%% of one core meanwhile\n", 100*cpu)
	// Measure the idle speed again and average: the machine's other load drifts.
	time.Sleep(*warmup) // let the server notice the viewers left
	idle2, err := speed(*base, *baseline)
	if err != nil {
		return err
	}
	fmt.Printf("no viewer again: %.0f samples/s\n", idle2)
	return report(stats, elapsed, (idle+idle2)/2, loaded)
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// checkLoopback refuses hosts that are not this machine.
func checkLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url host %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", host)
	}
	return nil
}

type serverStatus struct {
	Running       bool    `json:"running"`
	Step          int64   `json:"step"`
	SamplesSeen   int64   `json:"samples_seen"`
	SamplesPerSec float64 `json:"samples_per_sec"`
}

var client = &http.Client{Timeout: 10 * time.Second}

func status(base string) (serverStatus, error) {
	var st serverStatus
	resp, err := client.Get(strings.TrimSuffix(base, "/") + "/api/status")
	if err != nil {
		return st, fmt.Errorf("get status: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("get status: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("decode status: %w", err)
	}
	return st, nil
}

// speed is the server's training samples per second over d, from the change in
// samples_seen (so test-set measurements inside the window count as they cost).
func speed(base string, d time.Duration) (float64, error) {
	a, err := status(base)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	time.Sleep(d) // the measuring window
	b, err := status(base)
	if err != nil {
		return 0, err
	}
	if !b.Running || b.SamplesSeen < a.SamplesSeen {
		return 0, errors.New("training paused or reset during the measurement")
	}
	return float64(b.SamplesSeen-a.SamplesSeen) / time.Since(t0).Seconds(), nil
}

// watch reads frames until the connection closes, counting them while measuring.
func watch(c *websocket.Conn, st *viewerStats, measuring *atomic.Bool) error {
	var buf []byte
	for {
		typ, r, err := c.NextReader()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				return nil
			}
			if !measuring.Load() {
				return nil
			}
			return err
		}
		buf, err = readAll(r, buf[:0])
		if err != nil {
			return err
		}
		now := float64(time.Now().UnixMicro()) / 1000
		if !measuring.Load() {
			continue
		}
		name, t := classify(typ, buf)
		k := kindIndex(name)
		st.frames[k]++
		st.bytes[k] += int64(len(buf))
		if t > 0 {
			st.lags = append(st.lags, now-t)
		}
	}
}

func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// classify returns a frame's kind and server timestamp (ms), reading only what it needs.
func classify(typ int, b []byte) (string, float64) {
	if typ == websocket.BinaryMessage {
		if len(b) < 28 || b[0] != 'C' || b[1] != 'S' {
			return "error", 0
		}
		return binKinds[b[3]], math.Float64frombits(binary.LittleEndian.Uint64(b[16:]))
	}
	var m struct {
		Type string  `json:"type"`
		T    float64 `json:"t"`
	}
	if json.Unmarshal(b, &m) != nil {
		return "error", 0
	}
	return m.Type, m.T
}

func report(stats []*viewerStats, secs, idle, loaded float64) error {
	var failed []string
	errs := 0
	for _, s := range stats {
		if s.err != nil {
			errs++
		}
	}
	fmt.Printf("\nmeasured %d viewers for %.1f s (%d viewers ended with an error)\n", len(stats), secs, errs)
	fmt.Printf("%-12s %10s %10s %10s %12s\n", "kind", "min/s", "median/s", "max/s", "bytes/frame")
	rate := map[string]float64{}
	for k, name := range kinds {
		var rates []float64
		var frames, bytes int64
		for _, s := range stats {
			rates = append(rates, float64(s.frames[k])/secs)
			frames += int64(s.frames[k])
			bytes += s.bytes[k]
		}
		if frames == 0 {
			continue
		}
		slices.Sort(rates)
		rate[name] = rates[0]
		fmt.Printf("%-12s %10.2f %10.2f %10.2f %12.0f\n", name, rates[0], rates[len(rates)/2], rates[len(rates)-1],
			float64(bytes)/float64(frames))
	}
	var lags []float64
	for _, s := range stats {
		lags = append(lags, s.lags...)
	}
	if len(lags) > 0 {
		slices.Sort(lags)
		q := func(p float64) float64 { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
		fmt.Printf("frame lag (server timestamp to arrival), ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  (%d frames)\n",
			q(0.5), q(0.95), q(0.99), lags[len(lags)-1], len(lags))
	}
	ratio := loaded / idle
	fmt.Printf("training: %.0f samples/s with no viewer (mean of before and after), %.0f with %d viewers: %.1f%%\n",
		idle, loaded, len(stats), 100*ratio)
	if ratio < 0.9 {
		failed = append(failed, fmt.Sprintf("training kept %.1f%% of its speed (bar: 90%%)", 100*ratio))
	}
	for _, k := range []string{"filters", "activations"} {
		if rate[k] < 2 {
			failed = append(failed, fmt.Sprintf("slowest viewer got %.2f %s frames/s (bar: 2)", rate[k], k))
		}
	}
	if len(failed) > 0 {
		fmt.Println("FAIL:", strings.Join(failed, "; "))
		return errors.New("below the bar")
	}
	fmt.Println("PASS: training ≥ 90% of its speed, every viewer ≥ 2 frames/s of filters and activations")
	return nil
}
