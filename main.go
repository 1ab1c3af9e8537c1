// Command convscope trains a small CNN on MNIST and streams what it learns to every
// browser in the classroom. Run it and open one of the URLs it prints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"convscope/nn"
	"convscope/server"
)

// shutdownWait bounds the graceful HTTP shutdown after training has stopped and saved.
const shutdownWait = 5 * time.Second

func main() {
	if err := run(os.Args[1:], nil); err != nil {
		slog.Error("convscope stopped", "err", err)
		os.Exit(1)
	}
}

// run is the program; when ready is not nil it gets the listening address once the
// server is up (tests use it).
func run(args []string, ready chan<- string) error {
	fl := flag.NewFlagSet("convscope", flag.ExitOnError)
	addr := fl.String("addr", ":8080", "`host:port` to listen on (\":8080\" is every interface, for a classroom)")
	state := fl.String("state", "state", "`dir`ectory for the checkpoint: resumed at start, saved every minute and on exit")
	live := fl.Bool("live", false, "serve static/ and templates/ from the working directory, re-read on every request (for editing the app)")
	seed := fl.Int64("seed", nn.DefaultConfig().Seed, "random `seed` of a fresh model (ignored when resuming a checkpoint)")
	paused := fl.Bool("paused", false, "start with training paused (the teacher presses start)")
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "Usage: convscope [flags]\n\n"+
			"Trains a small CNN on MNIST and streams it live to every browser that opens one of the\n"+
			"printed URLs. SIGINT or SIGTERM saves the model; the next start continues from it.\n\nFlags:\n")
		fl.PrintDefaults()
	}
	fl.Parse(args)

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	train, test, err := nn.LoadMNIST(samples(), "samples/mnist")
	if err != nil {
		return fmt.Errorf("load mnist: %w", err)
	}
	var web fs.FS = assets()
	if *live {
		web = os.DirFS(".")
	}
	cfg := nn.DefaultConfig()
	cfg.Seed = *seed
	srv, err := server.New(server.Options{Train: train, Test: test, Spec: nn.DefaultSpec(), Config: cfg,
		StateDir: *state, Assets: web, Live: *live, Paused: *paused, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv.Start(ctx)
	p := srv.Session().Progress()
	log.Info("convscope ready", "addr", ln.Addr().String(), "state", *state, "step", p.Step,
		"epoch", p.Epoch, "paused", *paused, "live", *live)
	fmt.Fprintln(os.Stderr, "\nConvScope is running. Open one of these in a browser (students: an address of this network):")
	for _, u := range urls(ln.Addr()) {
		fmt.Fprintf(os.Stderr, "  %s\n", u)
	}
	fmt.Fprintln(os.Stderr)

	if ready != nil {
		ready <- ln.Addr().String()
	}
	served := make(chan error, 1)
	// Serve returns when Shutdown is called below (or the listener fails).
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		srv.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	log.Info("shutting down: stopping training and saving")
	srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("bye")
	return nil
}

// urls lists the addresses students can open: localhost and every LAN address when the
// server listens on all interfaces, else just the one it listens on.
func urls(a net.Addr) []string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return []string{"http://" + a.String() + "/"}
	}
	port := strconv.Itoa(tcp.Port)
	if !tcp.IP.IsUnspecified() {
		return []string{"http://" + net.JoinHostPort(tcp.IP.String(), port) + "/"}
	}
	out := []string{"http://localhost:" + port + "/"}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return out
	}
	for _, ad := range addrs {
		ipn, ok := ad.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue // link-local: IPv6 needs a zone a browser URL cannot carry well
		}
		if ipn.IP.To4() == nil && tcp.IP.To4() != nil {
			continue // listening on IPv4 only
		}
		out = append(out, "http://"+net.JoinHostPort(ipn.IP.String(), port)+"/")
	}
	return out
}
