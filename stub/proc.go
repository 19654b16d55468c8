package stub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/spawn"
)

// Init must be the first line of main, and of TestMain, in any program
// that auto-starts a share (InitShare) or starts children (NewProc). In a
// process started in a role (the share server, a child function) it runs
// that role and exits; otherwise it returns at once.
func Init() { spawn.Init() }

// ShareOption configures InitShare.
type ShareOption func(*shareConfig)

type shareConfig struct {
	name     string
	idleExit time.Duration
	options  Options
}

// Named selects the share called name: a socket of its own beside the
// default share's ("default" is the default share).
func Named(name string) ShareOption { return func(c *shareConfig) { c.name = name } }

// IdleExit sets how long a server that InitShare starts lives on without
// a client (default 5 s, the seed's AutoKill; negative: until stopped).
func IdleExit(d time.Duration) ShareOption { return func(c *shareConfig) { c.idleExit = d } }

// WithOptions sets the connection options; their URL is ignored unless
// REMOTED_URL is unset and no Named share is asked for.
func WithOptions(o Options) ShareOption { return func(c *shareConfig) { c.options = o } }

// InitShare connects to the default share, or the Named one, and when no
// server answers there starts one: the same binary re-executed as a share
// server in a new session, exiting by itself once it has had no client for
// the idle period. Any number of processes may call InitShare at once;
// exactly one server starts. If the server cannot start, the error
// carries its own error text.
//
// With REMOTED_URL set (and no Named share), InitShare only connects
// there: an address of someone else's server is never auto-started.
// The program must call Init first. The caller closes the Share.
func InitShare(ctx context.Context, opts ...ShareOption) (*Share, error) {
	cfg := shareConfig{name: "default"}
	for _, o := range opts {
		o(&cfg)
	}
	if u := os.Getenv("REMOTED_URL"); u != "" && cfg.name == "default" {
		cfg.options.URL = u
		return ConnectOptions(ctx, cfg.options)
	}
	sock := addr.SocketPath(cfg.name)
	cfg.options.URL = "unix://" + sock
	s, err := ConnectOptions(ctx, cfg.options)
	if err == nil || !notRunning(err) {
		return s, err
	}
	if err := spawn.StartServer(ctx, spawn.ServerOptions{Socket: sock, IdleExit: cfg.idleExit}); err != nil {
		return nil, fmt.Errorf("stub: start share %s: %w", cfg.name, err)
	}
	return ConnectOptions(ctx, cfg.options)
}

// notRunning reports whether err says nothing listens at the address.
func notRunning(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, os.ErrNotExist)
}

// Func is a function registered to run in a child process; NewProc starts
// it. A is the type of its argument, sent to the child in CBOR.
type Func[A any] struct{ name string }

// Name returns the name the function was registered under.
func (f *Func[A]) Name() string { return f.name }

// Register makes fn startable in a child process under name. It is meant
// for package-level variables, so that the child, which runs the same
// binary, has it registered before Init runs:
//
//	var worker = stub.Register("worker", func(ctx context.Context, s *stub.Share, job Job) error { ... })
//
// In the child, fn gets its own Share on the parent's share (same address
// and password) and a ctx cancelled on SIGTERM; the Share is closed when
// fn returns. What fn returns is the child's result: nil, or an error
// whose text the parent's Wait reports. A duplicate name panics.
func Register[A any](name string, fn func(ctx context.Context, s *Share, args A) error) *Func[A] {
	spawn.Register(name, func(ctx context.Context, raw []byte) error {
		var env procEnvelope
		if err := cbor.Unmarshal(raw, &env); err != nil {
			return fmt.Errorf("stub: %s: decode envelope: %w", name, err)
		}
		var args A
		if err := cbor.Unmarshal(env.Args, &args); err != nil {
			return fmt.Errorf("stub: %s: decode args: %w", name, err)
		}
		s, err := ConnectOptions(ctx, Options{URL: env.URL})
		if err != nil {
			return fmt.Errorf("stub: %s: connect: %w", name, err)
		}
		defer s.Close()
		return fn(ctx, s, args)
	})
	return &Func[A]{name: name}
}

// procEnvelope is what travels to a child over its pipe: the share's
// address (with its password, which so never shows in the child's
// environment or arguments) and the CBOR of the argument.
type procEnvelope struct {
	URL  string          `cbor:"1,keyasint"`
	Args cbor.RawMessage `cbor:"2,keyasint"`
}

// Proc is a started child process. See spawn.Proc: Pid, Signal, and Wait,
// which returns nil on success or an error carrying the child's error
// text, panic, exit code or signal (a *spawn.ExitError).
type Proc = spawn.Proc

// ProcOption configures NewProc.
type ProcOption func(*spawn.StartOptions)

// Detached starts the child in its own session: it does not get SIGTERM
// when the parent dies.
func Detached() ProcOption { return func(o *spawn.StartOptions) { o.Detached = true } }

// NewProc starts fn in a child process with args (any size; sent over a
// pipe in CBOR) and its own Share on the same share as s. The child
// inherits stdout and stderr and gets SIGTERM if this process dies, unless
// Detached. Cancelling ctx sends the child SIGTERM. The caller Waits.
func NewProc[A any](ctx context.Context, s *Share, fn *Func[A], args A, opts ...ProcOption) (*Proc, error) {
	raw, err := cbor.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("stub: NewProc %s: encode args: %w", fn.name, err)
	}
	env, err := cbor.Marshal(procEnvelope{URL: s.opts.URL, Args: raw})
	if err != nil {
		return nil, fmt.Errorf("stub: NewProc %s: %w", fn.name, err)
	}
	var so spawn.StartOptions
	for _, o := range opts {
		o(&so)
	}
	p, err := spawn.Start(ctx, fn.name, env, so)
	if err != nil {
		return nil, fmt.Errorf("stub: NewProc %s: %w", fn.name, err)
	}
	return p, nil
}
