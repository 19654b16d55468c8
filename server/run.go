package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/remoted/remoted/internal/addr"
)

// ErrProtectedMode is returned by Run for a TCP or TLS listener without a
// RequirePass when RunConfig.AllowNoPassword is not set: every local user
// can reach a TCP port, so without a password any of them could read the
// share or freeze it with LOCK.
var ErrProtectedMode = addr.ErrProtectedMode

// ErrNeedPassword is returned by Run for a TCP or TLS listener on an
// address other than loopback without a RequirePass, whatever
// AllowNoPassword says.
var ErrNeedPassword = addr.ErrNeedPassword

// DefaultShutdownGrace is how long Run lets in-flight commands drain after
// a signal or the end of its context before it closes the rest.
const DefaultShutdownGrace = 10 * time.Second

// DefaultShareMaxMemory is the maxmemory of a share the stub starts on
// its own (InitShare): a quarter of the machine's RAM, or of the cgroup's
// memory limit if that is lower; 0 (no limit) where neither is known. Its
// policy stays noeviction: a share is a program's dictionary, so a write
// that does not fit gets Redis's OOM error rather than silently losing
// another key. `remoted serve` has no maxmemory unless told, as Redis.
func DefaultShareMaxMemory() uint64 { return memoryAvailable() / 4 }

// gcBallast is the heap Run allocates and never touches (so never makes
// resident): the collector's heap target is then at least that, and a
// server with a small keyspace does not collect dozens of times a second
// under load (every SET allocates its value). GOGC=400, which has the
// same effect, measured 15% more redis-benchmark -P 16 throughput.
const gcBallast = 64 << 20

// RunConfig configures Run: the server's Config and the listeners a
// serving process opens. Zero values mean the documented defaults; at
// least one of Unix, TCP and TLS must be set.
type RunConfig struct {
	Config
	// Unix is the unix socket to listen on ("" for none): its directory
	// is created 0700, a stale socket is removed, the socket is 0600.
	Unix string
	// TCP is the host:port of a plain TCP listener ("" for none; port 0
	// picks a free one).
	TCP string
	// TLS is the host:port of a TLS listener ("" for none), served with
	// TLSConfig, which must then hold a certificate. Its address reports
	// the network "tls".
	TLS       string
	TLSConfig *tls.Config
	// AllowNoPassword lets TCP and TLS listeners on a loopback address
	// serve without RequirePass (the command line's --protected-mode no).
	// A unix socket never needs a password: it is private to its user.
	AllowNoPassword bool
	// ShutdownGrace bounds the drain after a signal or the end of the
	// context (default DefaultShutdownGrace).
	ShutdownGrace time.Duration
	// Ready, if set, is called once every listener listens, with their
	// addresses in the order Unix, TLS, TCP.
	Ready func(addrs []net.Addr)
}

// Run is the one way a process serves a share: `remoted serve` and the
// share server that spawn.StartServer starts both call it. It sets
// GOMAXPROCS for the event loops (Procs), keeps a GC ballast, catches
// SIGINT and SIGTERM, listens as rc says (refusing TCP without a password
// as ErrProtectedMode and ErrNeedPassword say), logs each listener and
// the redis-cli line that reaches it, and serves until a signal, the end
// of ctx, SHUTDOWN or the idle exit. Then it drains in-flight commands
// for ShutdownGrace, closes every client and listener (removing the
// socket) and returns nil; an error means it could not listen or a
// listener failed. Run changes process-wide settings: it is meant to be
// most of a process's life.
func Run(ctx context.Context, rc RunConfig) error {
	if err := rc.check(); err != nil {
		return err
	}
	log := rc.Logger
	if log == nil {
		log = slog.Default()
		rc.Logger = log
	}
	if rc.Threads == 0 {
		rc.Threads = DefaultThreads()
	}
	runtime.GOMAXPROCS(Procs(rc.Threads))
	ballast := make([]byte, gcBallast)
	defer runtime.KeepAlive(ballast)
	if rc.MaxMemory > 0 {
		// The Go heap may reach about twice the live data between
		// collections: past that, collect harder rather than grow.
		debug.SetMemoryLimit(int64(min(2*rc.MaxMemory+gcBallast, math.MaxInt64/2)))
	}
	// Catch signals before anything listens, so that a client that has
	// seen the socket can always stop the server cleanly.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	lns, err := rc.listen()
	if err != nil {
		return err
	}
	srv := New(rc.Config)
	srv.ballast = uint64(len(ballast))
	errc := make(chan error, len(lns))
	addrs := make([]net.Addr, len(lns))
	for i, ln := range lns {
		addrs[i] = ln.Addr()
		log.Info("listening", "network", ln.Addr().Network(), "addr", ln.Addr().String())
		go func() { errc <- srv.Serve(ln) }()
	}
	logHowToReach(log, addrs, rc.RequirePass != "")
	if rc.Ready != nil {
		rc.Ready(addrs)
	}
	return rc.wait(ctx, srv, sigs, errc, len(lns))
}

// check refuses what Run cannot serve before anything listens.
func (rc *RunConfig) check() error {
	if err := rc.Config.Check(); err != nil {
		return err
	}
	if rc.Threads < 0 {
		return fmt.Errorf("server: %d threads: need at least one event loop", rc.Threads)
	}
	if rc.Unix == "" && rc.TCP == "" && rc.TLS == "" {
		return errors.New("server: nothing to listen on: no unix socket, TCP or TLS address")
	}
	for _, hp := range []string{rc.TCP, rc.TLS} {
		if hp == "" {
			continue
		}
		host, _, err := net.SplitHostPort(hp)
		if err != nil {
			return fmt.Errorf("server: listen address %q: %w", hp, err)
		}
		if err := addr.CheckTCP(host, rc.RequirePass, rc.AllowNoPassword); err != nil {
			return err
		}
	}
	if rc.TLS != "" && (rc.TLSConfig == nil || len(rc.TLSConfig.Certificates) == 0 && rc.TLSConfig.GetCertificate == nil) {
		return errors.New("server: a TLS listener needs a certificate")
	}
	return nil
}

// listen opens the unix socket, the TLS port and the TCP port rc asks
// for, in that order (the order they are logged in), or none of them.
func (rc *RunConfig) listen() ([]net.Listener, error) {
	var lns []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range lns {
			l.Close()
		}
		return nil, err
	}
	if rc.Unix != "" {
		ln, err := addr.ListenUnix(rc.Unix)
		if err != nil {
			return fail(err)
		}
		lns = append(lns, ln)
	}
	if rc.TLS != "" {
		ln, err := net.Listen("tcp", rc.TLS)
		if err != nil {
			return fail(fmt.Errorf("server: %w", err))
		}
		lns = append(lns, tlsListener{tls.NewListener(ln, rc.TLSConfig)})
	}
	if rc.TCP != "" {
		ln, err := net.Listen("tcp", rc.TCP)
		if err != nil {
			return fail(fmt.Errorf("server: %w", err))
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// wait serves until a signal, ctx, SHUTDOWN, the idle exit or a failed
// listener, then drains and waits for every Serve to return.
func (rc *RunConfig) wait(ctx context.Context, srv *Server, sigs <-chan os.Signal, errc <-chan error, n int) error {
	log := rc.Logger
	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case <-ctx.Done():
		log.Info("shutting down", "reason", context.Cause(ctx).Error())
	case <-srv.Done():
	case err := <-errc:
		n--
		if !errors.Is(err, ErrServerClosed) {
			srv.Close()
			log.Error("serve failed", "err", err)
			return err
		}
	}
	grace := rc.ShutdownGrace
	if grace <= 0 {
		grace = DefaultShutdownGrace
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown did not drain in time; closed the rest", "err", err)
	}
	for range n {
		if err := <-errc; err != nil && !errors.Is(err, ErrServerClosed) {
			log.Warn("listener", "err", err)
		}
	}
	log.Info("stopped")
	return nil
}

// tlsListener reports its address with the network "tls", so the log
// tells it from the plain TCP port.
type tlsListener struct{ net.Listener }

func (l tlsListener) Addr() net.Addr { return tlsAddr{l.Listener.Addr()} }

type tlsAddr struct{ net.Addr }

func (tlsAddr) Network() string { return "tls" }

// logHowToReach logs the redis-cli line for each listener.
func logHowToReach(log *slog.Logger, addrs []net.Addr, password bool) {
	auth := ""
	if password {
		auth = " -a <password>"
	}
	for _, a := range addrs {
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
