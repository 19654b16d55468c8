package spawn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/server"
)

// DefaultIdleExit is how long an auto-started server lives without a
// client (the seed's AutoKill).
const DefaultIdleExit = 5 * time.Second

// DefaultReadyTimeout bounds how long StartServer waits for a server it
// started to report readiness.
const DefaultReadyTimeout = 30 * time.Second

// ErrServerStart is wrapped by the error StartServer returns when the
// server it started failed; the error also carries the server's own text.
var ErrServerStart = errors.New("spawn: share server failed to start")

// ServerOptions configures StartServer. Only Socket is required.
type ServerOptions struct {
	// Socket is the unix socket path of the share. Its directory is
	// created (0700) if missing; the lock file (Socket+".lock") and, by
	// default, the log file live beside it.
	Socket string
	// Password, if set, is the server's requirepass. It reaches the
	// server over a pipe, never through its arguments or environment.
	Password string
	// IdleExit is how long the server lives without a client, counted
	// from the last disconnect (default DefaultIdleExit); negative means
	// it never exits on its own.
	IdleExit time.Duration
	// LogFile receives the server's stdout and stderr, appended (default
	// Socket+".log").
	LogFile string
	// ReadyTimeout bounds the wait for a started server's readiness
	// (default DefaultReadyTimeout).
	ReadyTimeout time.Duration
}

// serverConfig is what the starter sends the server role on its in pipe.
type serverConfig struct {
	Socket   string
	Password string
	IdleExit time.Duration
}

// StartServer makes sure a share server answers on opts.Socket, starting
// one if nothing does. It returns nil once a server — this call's or
// anyone else's — listens there; the caller then connects.
//
// Starters serialise on an exclusive lock on Socket+".lock": under it
// StartServer checks the socket again, removes a stale one (left by a
// killed server), and starts this binary re-executed in the server role in
// a new session (so it outlives the caller and its terminal), with stdin
// /dev/null and stdout/stderr appended to the log file. It waits for the
// server's readiness over a pipe; if the server fails, the error wraps
// ErrServerStart and carries the server's error text. Any number of
// goroutines and processes may call StartServer at once: exactly one
// server starts. ctx bounds the wait for the lock and for readiness; it
// does not govern the server's life.
//
// The server runs server.Run, as `remoted serve` does, on opts.Socket
// only: it opens no TCP port. Its argv[0], what ps shows, is "remoted:
// share NAME" (NAME the socket's file name without .sock), and on Linux
// its process name is "remoted". It logs "serving" (with its pid), where
// it listens, its idle exit or signal, and "exited"; the log is appended
// to and never rotated. It exits with status
// 0 after its idle period with no client (Server.Done) or after SIGTERM,
// which drains in-flight commands; either way it removes its socket. If the
// caller outlives the server, the caller reaps it.
func StartServer(ctx context.Context, opts ServerOptions) error {
	if err := requireInit(); err != nil {
		return fmt.Errorf("spawn: start server: %w", err)
	}
	if opts.Socket == "" {
		return errors.New("spawn: start server: no socket path")
	}
	sock, err := filepath.Abs(opts.Socket)
	if err != nil {
		return fmt.Errorf("spawn: start server: %w", err)
	}
	opts.Socket = sock
	if answers(sock) {
		return nil
	}
	if err := addr.ShareDir(filepath.Dir(sock)); err != nil {
		return fmt.Errorf("spawn: start server on %s: %w", sock, err)
	}
	unlock, err := lockFile(ctx, sock+".lock")
	if err != nil {
		return fmt.Errorf("spawn: start server on %s: %w", sock, err)
	}
	defer unlock()
	if answers(sock) {
		return nil // another starter won
	}
	if _, err := addr.RemoveStaleSocket(sock); err != nil {
		return fmt.Errorf("spawn: start server on %s: %w", sock, err)
	}
	return launchServer(ctx, opts)
}

// answers reports whether something accepts connections on sock.
func answers(sock string) bool {
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// launchServer starts the server role and waits for its readiness. The
// caller holds the lock.
func launchServer(ctx context.Context, opts ServerOptions) error {
	fail := func(err error) error {
		return fmt.Errorf("spawn: start server on %s: %w", opts.Socket, err)
	}
	cmd, ready, err := serverCmd(opts)
	if err != nil {
		return fail(err)
	}
	defer ready.Close()
	timeout := opts.ReadyTimeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ready.SetReadDeadline(time.Now()) })
	defer stop()
	msg, rerr := io.ReadAll(io.LimitReader(ready, maxAnswer))
	text := strings.TrimSpace(string(msg))
	if rerr == nil && text == "ok" {
		go cmd.Wait() // reap the server when it exits, if we are still here
		return nil
	}
	if rerr != nil { // ctx ended first: the server is abandoned
		cmd.Process.Kill()
		cmd.Wait()
		return fail(context.Cause(ctx))
	}
	werr := cmd.Wait()
	if text == "" {
		text = fmt.Sprintf("exited before it was ready (%v); see %s", werr, logPath(opts))
	}
	return fail(fmt.Errorf("%w: %s", ErrServerStart, text))
}

// serverCmd starts the server role with its config sent and returns the
// read end of its readiness pipe.
func serverCmd(opts ServerOptions) (*exec.Cmd, *os.File, error) {
	exe, err := selfExe()
	if err != nil {
		return nil, nil, err
	}
	cfg := serverConfig{Socket: opts.Socket, Password: opts.Password, IdleExit: opts.IdleExit}
	switch {
	case cfg.IdleExit == 0:
		cfg.IdleExit = DefaultIdleExit
	case cfg.IdleExit < 0:
		cfg.IdleExit = 0 // server.Config: never
	}
	cfgR, err := configPipe(cfg)
	if err != nil {
		return nil, nil, err
	}
	defer cfgR.Close()
	logf, err := os.OpenFile(logPath(opts), os.O_WRONLY|os.O_CREATE|os.O_APPEND|oNoFollow, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	defer logf.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer readyW.Close()
	// Not exec.CommandContext: the server must outlive ctx and the caller.
	cmd := exec.Command(exe)
	cmd.Args = []string{serverTitle(opts.Socket)}
	cmd.Env = roleEnv(roleServer, nil)
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{cfgR, readyW} // fdIn, fdOut
	cmd.SysProcAttr = detachedAttr(true)
	if err := cmd.Start(); err != nil {
		readyR.Close()
		return nil, nil, err
	}
	return cmd, readyR, nil
}

// configPipe returns a pipe's read end holding cfg, already written and
// closed (the config is far smaller than a pipe's buffer).
func configPipe(cfg serverConfig) (*os.File, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	_, err = w.Write(b)
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// serverTitle is the server's argv[0], what ps shows for it: remoted and
// the share's name (its socket's, without .sock), not the binary that
// started it.
func serverTitle(sock string) string {
	return "remoted: share " + strings.TrimSuffix(filepath.Base(sock), ".sock")
}

func logPath(opts ServerOptions) string {
	if opts.LogFile != "" {
		return opts.LogFile
	}
	return opts.Socket + ".log"
}

// runServer is the server role: server.Run on the unix socket only, the
// path `remoted serve` takes too, reporting readiness on ready ("ok", or
// the error text) and serving until idle exit or SIGTERM/SIGINT.
func runServer(in io.Reader, ready io.WriteCloser) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("pid", os.Getpid())
	var cfg serverConfig
	if err := json.NewDecoder(in).Decode(&cfg); err != nil {
		err = fmt.Errorf("read config: %w", err)
		fmt.Fprintln(ready, err)
		return err
	}
	signal.Ignore(syscall.SIGHUP)
	setProcName("remoted")
	readied := false
	err := server.Run(context.Background(), server.RunConfig{
		Config: server.Config{
			RequirePass: cfg.Password,
			IdleExit:    cfg.IdleExit,
			Logger:      log,
			MaxMemory:   server.DefaultShareMaxMemory(),
		},
		Unix: cfg.Socket,
		Ready: func([]net.Addr) {
			log.Info("serving", "socket", cfg.Socket, "idle_exit", cfg.IdleExit)
			fmt.Fprintln(ready, "ok")
			ready.Close()
			readied = true
		},
	})
	if err != nil && !readied {
		log.Error("listen failed", "socket", cfg.Socket, "err", err)
		fmt.Fprintln(ready, err)
	}
	log.Info("exited")
	return err
}
