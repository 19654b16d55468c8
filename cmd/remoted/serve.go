package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/server"
)

// serveFlags are remoted serve's options.
type serveFlags struct {
	unix        string
	port        int
	bind        string
	requirepass string
	idleExit    time.Duration
	maxClients  int
	logLevel    string
	cpuprofile  string
	threads     int
	busyPoll    time.Duration
	tlsPort     int
	tlsCert     string
	tlsKey      string
}

func parseServeFlags(args []string) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&f.unix, "unix", addr.DefaultSocket(), "unix socket path (\"\" for none)")
	fs.IntVar(&f.port, "port", addr.DefaultPort, "TCP port (0 picks a free one, -1 for none)")
	fs.StringVar(&f.bind, "bind", "127.0.0.1", "TCP address to bind; non-loopback needs --requirepass")
	fs.StringVar(&f.requirepass, "requirepass", "", "password clients must AUTH with")
	fs.DurationVar(&f.idleExit, "idle-exit", 0, "exit after this long without a client (0: never)")
	fs.IntVar(&f.maxClients, "maxclients", 10000, "most clients connected at once")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.IntVar(&f.tlsPort, "tls-port", -1, "TLS port on --bind (0 picks a free one, -1 for none); needs --tls-cert-file and --tls-key-file")
	fs.StringVar(&f.tlsCert, "tls-cert-file", "", "PEM certificate (chain) for --tls-port")
	fs.StringVar(&f.tlsKey, "tls-key-file", "", "PEM private key for --tls-port")
	fs.IntVar(&f.threads, "threads", server.DefaultThreads(), "event loops, each an OS thread while it runs (Go gets one more: GOMAXPROCS); default half the CPUs")
	fs.DurationVar(&f.busyPoll, "busy-poll", server.DefaultBusyPoll, "how long an event loop polls for more work before it sleeps, while polling pays (0: never)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile here until exit (for benchmarks)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("serve: --log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// serve runs a share server until SIGINT/SIGTERM, SHUTDOWN or idle exit.
func serve(args []string) error {
	f, err := parseServeFlags(args)
	if err != nil {
		return err
	}
	log, err := newLogger(f.logLevel)
	if err != nil {
		return err
	}
	if f.threads <= 0 {
		return fmt.Errorf("--threads %d: need at least one event loop", f.threads)
	}
	runtime.GOMAXPROCS(server.Procs(f.threads))
	if f.port >= 0 || f.tlsPort >= 0 {
		if err := addr.CheckBind(f.bind, f.requirepass); err != nil {
			return err
		}
	}
	// Catch signals before anything listens, so that a client that has
	// seen the socket can always stop the server cleanly.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	lns, err := listen(f)
	if err != nil {
		return err
	}
	if f.cpuprofile != "" {
		stop, err := startCPUProfile(f.cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	srv := server.New(server.Config{
		RequirePass: f.requirepass,
		MaxClients:  f.maxClients,
		IdleExit:    f.idleExit,
		Logger:      log,
		Threads:     f.threads,
		BusyPoll:    cmp.Or(f.busyPoll, -1), // 0 on the command line: never
	})
	// A GC ballast: 64 MiB allocated and never touched (so never
	// resident) makes the collector's heap target at least that, so a
	// server with a small keyspace does not collect dozens of times a
	// second under load (every SET allocates its value). GOGC=400, which
	// has the same effect, measured 15% more redis-benchmark -P 16
	// throughput.
	ballast := make([]byte, 64<<20)
	defer runtime.KeepAlive(ballast)
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		log.Info("listening", "network", ln.Addr().Network(), "addr", ln.Addr().String())
		go func() { errc <- srv.Serve(ln) }()
	}
	logHowToReach(log, lns, f.requirepass != "")

	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case <-srv.Done():
	case err := <-errc:
		if !errors.Is(err, server.ErrServerClosed) {
			srv.Close()
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("shutdown did not drain in time; closed the rest", "err", err)
	}
	for range lns {
		if err := <-errc; err != nil && !errors.Is(err, server.ErrServerClosed) {
			log.Warn("listener", "err", err)
		}
	}
	log.Info("stopped")
	return nil
}

// listen opens the unix socket, the TLS port and the TCP port that f asks
// for, in that order (the order they are logged in).
func listen(f *serveFlags) ([]net.Listener, error) {
	var lns []net.Listener
	if f.unix != "" {
		ln, err := addr.ListenUnix(f.unix)
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
	}
	if f.tlsPort >= 0 {
		ln, err := listenTLS(f)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
	}
	if f.port >= 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(f.bind, strconv.Itoa(f.port)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("serve: %w", err)
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return nil, errors.New("serve: nothing to listen on (--unix \"\" and --port -1)")
	}
	return lns, nil
}

// listenTLS listens on --bind:--tls-port with the given certificate, TLS
// 1.2 or later. Its address reports the network "tls", so the log tells
// it from the plain TCP port.
func listenTLS(f *serveFlags) (net.Listener, error) {
	if f.tlsCert == "" || f.tlsKey == "" {
		return nil, errors.New("serve: --tls-port needs --tls-cert-file and --tls-key-file")
	}
	cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("serve: TLS certificate: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.bind, strconv.Itoa(f.tlsPort)))
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return tlsListener{tls.NewListener(ln, cfg)}, nil
}

type tlsListener struct{ net.Listener }

func (l tlsListener) Addr() net.Addr { return tlsAddr{l.Listener.Addr()} }

type tlsAddr struct{ net.Addr }

func (tlsAddr) Network() string { return "tls" }

func logHowToReach(log *slog.Logger, lns []net.Listener, password bool) {
	auth := ""
	if password {
		auth = " -a <password>"
	}
	for _, ln := range lns {
		a := ln.Addr()
		if a.Network() == "unix" {
			log.Info("reach it with: redis-cli -s " + a.String() + auth)
			continue
		}
		host, port, _ := net.SplitHostPort(a.String())
		tlsFlags := ""
		if a.Network() == "tls" {
			tlsFlags = " --tls --cacert <ca.pem>"
		}
		log.Info("reach it with: redis-cli" + tlsFlags + " -h " + host + " -p " + port + auth)
	}
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("serve: --cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, fmt.Errorf("serve: --cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}, nil
}
