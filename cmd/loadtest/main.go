package main

import (
	"bytes"
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
	"strconv"
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
	duration := flag.Duration("duration", 15*time.Second, "how long to measure with the viewers, per round")
	rounds := flag.Int("rounds", 2, "rounds of viewers, each between two measurements without viewers")
	compress := flag.Bool("compress", false, "offer permessage-deflate as browsers do (inflating 200 streams here costs this machine's CPU, which the server shares)")
	flag.IntVar(&serverPID, "pid", 0, "the server's process `id`, to report its CPU use and samples per CPU-second (Linux)")
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
	fmt.Printf("no viewer: %s\n", idle)

	stats := make([]*viewerStats, *viewers)
	for i := range stats {
		stats[i] = &viewerStats{}
	}
	var secs, loadSum, idleSum, loadCPU, idleCPU float64
	for r := range *rounds {
		loaded, elapsed, err := loadRound(wsURL, *base, stats, *warmup, *duration, *compress)
		if err != nil {
			return err
		}
		// Measure the idle speed again and compare the round with the mean of the idle
		// phases around it: the machine's other load drifts.
		time.Sleep(*warmup) // let the server notice the viewers left
		idle2, err := speed(*base, *baseline)
		if err != nil {
			return err
		}
		fmt.Printf("round %d: with %d viewers %s; no viewer: %s before, %s after\n",
			r+1, *viewers, loaded, idle, idle2)
		secs += elapsed
		loadSum += loaded.sps * elapsed
		idleSum += (idle.sps + idle2.sps) / 2 * elapsed
		loadCPU += loaded.perCPU() * elapsed
		idleCPU += (idle.perCPU() + idle2.perCPU()) / 2 * elapsed
		idle = idle2
	}
	return report(stats, secs, idleSum/secs, loadSum/secs, idleCPU/secs, loadCPU/secs)
}

// loadRound opens the viewers, lets them settle, counts their frames while measuring the
// training speed, then closes them. It returns the speed and the measured seconds.
func loadRound(wsURL, base string, stats []*viewerStats, warmup, duration time.Duration, compress bool) (phase, float64, error) {
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	var measuring atomic.Bool
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, len(stats))
	// A large read buffer: fewer read calls, so the load tool steals less CPU from the
	// server it measures on the same machine.
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 64 << 10,
		EnableCompression: compress}
	for i := range stats {
		c, _, err := dialer.Dial(wsURL, nil)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			wg.Wait()
			return phase{}, 0, fmt.Errorf("viewer %d: dial %s: %w", i, wsURL, err)
		}
		conns[i] = c
		wg.Add(1)
		// Each viewer reads until its connection is closed at the end of the round.
		go func() {
			defer wg.Done()
			if err := watch(c, stats[i], &measuring); err != nil {
				stats[i].err = err
			}
		}()
	}
	fmt.Printf("%d viewers connected; warming up for %v, then measuring for %v\n", len(stats), warmup, duration)
	time.Sleep(warmup) // load-generator pacing, not synchronisation
	measuring.Store(true)
	start := time.Now()
	loaded, err := speed(base, duration)
	measuring.Store(false)
	elapsed := time.Since(start).Seconds()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	if err != nil {
		return phase{}, 0, err
	}
	cpu := (tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)) / (elapsed + warmup.Seconds())
	fmt.Printf("viewers closed; the load tool used %.0f%% of one core meanwhile\n", 100*cpu)
	return loaded, elapsed, nil
}

func (p phase) String() string {
	if p.cores == 0 {
		return fmt.Sprintf("%.0f samples/s", p.sps)
	}
	return fmt.Sprintf("%.0f samples/s (server on %.2f cores, %.0f samples per CPU-second)", p.sps, p.cores, p.perCPU())
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

// phase is the server's training during one measuring window.
type phase struct {
	sps   float64 // training samples per second (wall clock)
	cores float64 // server CPU used, in cores (0 without -pid)
}

// perCPU is samples per CPU-second of the server: what training gets out of the CPU
// it is given, which the machine's other load disturbs less than sps.
func (p phase) perCPU() float64 {
	if p.cores == 0 {
		return 0
	}
	return p.sps / p.cores
}

// serverPID is the server's process id (-pid): its CPU time is read from /proc.
var serverPID int

// cpuSeconds is the server's user+system CPU time, or 0 when unknown.
func cpuSeconds() float64 {
	if serverPID == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", serverPID))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// clockTicks is the kernel's USER_HZ, 100 on Linux.
const clockTicks = 100

// speed measures the server's training over d from the change in samples_seen (so
// test-set measurements inside the window count as they cost).
func speed(base string, d time.Duration) (phase, error) {
	a, err := status(base)
	if err != nil {
		return phase{}, err
	}
	t0, c0 := time.Now(), cpuSeconds()
	time.Sleep(d) // the measuring window
	b, err := status(base)
	if err != nil {
		return phase{}, err
	}
	secs, c1 := time.Since(t0).Seconds(), cpuSeconds()
	if !b.Running || b.SamplesSeen < a.SamplesSeen {
		return phase{}, errors.New("training paused or reset during the measurement")
	}
	p := phase{sps: float64(b.SamplesSeen-a.SamplesSeen) / secs}
	if c0 > 0 {
		p.cores = (c1 - c0) / secs
	}
	return p, nil
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

func report(stats []*viewerStats, secs, idle, loaded, idleCPU, loadCPU float64) error {
	var failed []string
	errs := 0
	for _, s := range stats {
		if s.err != nil {
			if errs == 0 {
				fmt.Println("first viewer error:", s.err)
			}
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
	fmt.Printf("training: %.0f samples/s with no viewer (around each round), %.0f with %d viewers: %.1f%%\n",
		idle, loaded, len(stats), 100*ratio)
	if idleCPU > 0 {
		fmt.Printf("per server CPU-second: %.0f samples with no viewer, %.0f with %d viewers: %.1f%%\n",
			idleCPU, loadCPU, len(stats), 100*loadCPU/idleCPU)
	}
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
