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
	"runtime/pprof"
	"strconv"
	"strings"
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
	passFile    string
	protected   yesNo
	idleExit    time.Duration
	maxClients  int
	logLevel    string
	cpuprofile  string
	threads     int
	busyPoll    time.Duration
	tlsPort     int
	tlsCert     string
	tlsKey      string
	portable    bool
	outLimit    string
	keepAlive   int
	timeout     int
	set         map[string]bool // the flags given
}

// yesNo is a flag spelled as Redis spells its booleans: yes or no (true
// and false too).
type yesNo bool

func (v *yesNo) String() string {
	if v != nil && *v {
		return "yes"
	}
	return "no"
}

func (v *yesNo) Set(s string) error {
	switch strings.ToLower(s) {
	case "yes", "true":
		*v = true
	case "no", "false":
		*v = false
	default:
		return fmt.Errorf("want yes or no, not %q", s)
	}
	return nil
}

const serveSummary = `Serve a share until SIGINT or SIGTERM (then drain in-flight commands, close
the clients, remove the socket and exit 0), SHUTDOWN, or --idle-exit.

By default it listens on the default share's unix socket only: mode 0600 in
a 0700 directory, so only its user reaches it and no password is needed.
TCP is opened only when asked for (--port, --bind, --tls-port), and then it
needs --requirepass (or --requirepass-file): any local user can connect to a
TCP port, even on 127.0.0.1, and without a password could read the share or
freeze it with LOCK. This is Redis's protected-mode reasoning, made strict:
Redis without a password refuses only clients from other machines.
--protected-mode no accepts a passwordless TCP listener on a loopback
address, for a machine whose every user you trust; an address other than
loopback always needs a password.`

func parseServeFlags(args []string) (*serveFlags, error) {
	f := &serveFlags{protected: true, set: map[string]bool{}}
	fs := newFlagSet("serve", serveSummary)
	fs.StringVar(&f.unix, "unix", addr.DefaultSocket(), "unix socket path (\"\" for none)")
	fs.IntVar(&f.port, "port", -1, fmt.Sprintf("also listen on this TCP port on --bind (0 picks a free one; with --bind alone, %d); needs a password", addr.DefaultPort))
	fs.StringVar(&f.bind, "bind", "127.0.0.1", "address of the TCP and TLS listeners; anything but loopback always needs a password")
	fs.StringVar(&f.requirepass, "requirepass", "", "password clients must AUTH with (other users can read it in ps: prefer --requirepass-file)")
	fs.StringVar(&f.passFile, "requirepass-file", "", "read the password from the first line of this file")
	fs.Var(&f.protected, "protected-mode", "yes: TCP and TLS listeners need a password; no: a loopback one may go without")
	fs.DurationVar(&f.idleExit, "idle-exit", 0, "exit after this long without a client (0: never)")
	fs.IntVar(&f.maxClients, "maxclients", 10000, "most clients connected at once")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.IntVar(&f.tlsPort, "tls-port", -1, "TLS port on --bind (0 picks a free one, -1 for none); needs --tls-cert-file, --tls-key-file and a password")
	fs.StringVar(&f.tlsCert, "tls-cert-file", "", "PEM certificate (chain) for --tls-port")
	fs.StringVar(&f.tlsKey, "tls-key-file", "", "PEM private key for --tls-port")
	fs.IntVar(&f.threads, "threads", server.DefaultThreads(), "event loops, each an OS thread while it runs (Go gets one more: GOMAXPROCS); default half the CPUs")
	fs.DurationVar(&f.busyPoll, "busy-poll", server.DefaultBusyPoll, "how long an event loop polls for more work before it sleeps, while polling pays (0: never)")
	fs.BoolVar(&f.portable, "portable", false, "serve every connection from a goroutine of its own, as on every OS but Linux, instead of the event loops (for testing)")
	fs.StringVar(&f.outLimit, "client-output-buffer-limit", server.DefaultOutputLimits, "Redis's client-output-buffer-limit: per class, the hard and soft limits on replies left unread and the soft limit's seconds")
	fs.IntVar(&f.keepAlive, "tcp-keepalive", int(server.DefaultTCPKeepAlive/time.Second), "seconds between TCP keepalive probes of an idle TCP client (0: none)")
	fs.IntVar(&f.timeout, "timeout", 0, "close a client idle this many seconds (0: never)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile here until exit (for benchmarks)")
	if err := parseNoArgs(fs, args); err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if f.set["bind"] && !f.set["port"] && !f.set["tls-port"] {
		f.port = addr.DefaultPort // --bind asks for TCP
	}
	return f, f.readPassFile()
}

// readPassFile reads --requirepass-file, if given.
func (f *serveFlags) readPassFile() error {
	if f.passFile == "" {
		return nil
	}
	if f.requirepass != "" {
		return fmt.Errorf("serve: --requirepass and --requirepass-file both given")
	}
	b, err := os.ReadFile(f.passFile)
	if err != nil {
		return fmt.Errorf("serve: --requirepass-file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f.requirepass = strings.TrimSuffix(line, "\r")
	if f.requirepass == "" {
		return fmt.Errorf("serve: --requirepass-file %s: the first line is empty", f.passFile)
	}
	return nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("serve: --log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// serve runs a share server with server.Run, the path the auto-started
// server also takes.
func serve(args []string) error {
	f, err := parseServeFlags(args)
	if err != nil {
		return err
	}
	rc, err := f.runConfig()
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
	err = server.Run(context.Background(), rc)
	if errors.Is(err, server.ErrProtectedMode) || errors.Is(err, server.ErrNeedPassword) {
		return fmt.Errorf("serve: %s", strings.TrimPrefix(err.Error(), "addr: "))
	}
	return err
}

// runConfig turns the flags into server.Run's configuration.
func (f *serveFlags) runConfig() (server.RunConfig, error) {
	log, err := newLogger(f.logLevel)
	if err != nil {
		return server.RunConfig{}, err
	}
	if f.timeout < 0 || f.keepAlive < 0 {
		return server.RunConfig{}, fmt.Errorf("serve: --timeout and --tcp-keepalive take seconds, 0 or more")
	}
	if f.threads <= 0 {
		return server.RunConfig{}, fmt.Errorf("serve: --threads %d: need at least one event loop", f.threads)
	}
	rc := server.RunConfig{
		Config: server.Config{
			RequirePass:             f.requirepass,
			MaxClients:              f.maxClients,
			IdleExit:                f.idleExit,
			Logger:                  log,
			Threads:                 f.threads,
			BusyPoll:                cmp.Or(f.busyPoll, -1), // 0 on the command line: never
			Portable:                f.portable,
			Timeout:                 time.Duration(f.timeout) * time.Second,
			TCPKeepAlive:            cmp.Or(time.Duration(f.keepAlive)*time.Second, -1), // 0: none
			ClientOutputBufferLimit: f.outLimit,
		},
		Unix:            f.unix,
		AllowNoPassword: !bool(f.protected),
	}
	// An IPv6 address may come bracketed, as in a URL ([::1]).
	bind := strings.TrimSuffix(strings.TrimPrefix(f.bind, "["), "]")
	if f.port >= 0 {
		rc.TCP = net.JoinHostPort(bind, strconv.Itoa(f.port))
	}
	if f.tlsPort >= 0 {
		rc.TLS = net.JoinHostPort(bind, strconv.Itoa(f.tlsPort))
		if rc.TLSConfig, err = f.loadTLS(); err != nil {
			return server.RunConfig{}, err
		}
	}
	if rc.Unix == "" && rc.TCP == "" && rc.TLS == "" {
		return server.RunConfig{}, fmt.Errorf("serve: nothing to listen on (--unix \"\" and no --port)")
	}
	return rc, nil
}

// loadTLS loads --tls-cert-file and --tls-key-file for TLS 1.2 or later.
func (f *serveFlags) loadTLS() (*tls.Config, error) {
	if f.tlsCert == "" || f.tlsKey == "" {
		return nil, fmt.Errorf("serve: --tls-port needs --tls-cert-file and --tls-key-file")
	}
	cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("serve: TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
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
