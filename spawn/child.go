package spawn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
)

// ErrUnknownProc is returned (wrapped) by Start for a name nobody
// registered.
var ErrUnknownProc = errors.New("spawn: unknown proc")

var registry struct {
	mu  sync.RWMutex
	fns map[string]func(context.Context, []byte) error
}

// Register makes fn runnable as a child process under name. It panics if
// name is empty, fn is nil or name is already registered. Register is safe
// for concurrent use, but is meant to be called during package
// initialisation — from an init function or a package-level var
// initialiser (such as the stub's typed Register) — so that the
// re-executed binary has registered the same names before Init runs the
// child.
func Register(name string, fn func(ctx context.Context, args []byte) error) {
	if name == "" || fn == nil {
		panic("spawn: Register with an empty name or a nil function")
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.fns[name]; dup {
		panic(fmt.Sprintf("spawn: Register called twice for %q", name))
	}
	if registry.fns == nil {
		registry.fns = make(map[string]func(context.Context, []byte) error)
	}
	registry.fns[name] = fn
}

func lookup(name string) func(context.Context, []byte) error {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return registry.fns[name]
}

// DefaultWaitDelay is how long a child has to exit after the SIGTERM that
// a cancelled Start context sends, before it is killed.
const DefaultWaitDelay = 5 * time.Second

// StartOptions configures Start. The zero value is ready to use.
type StartOptions struct {
	// Env holds extra environment entries ("KEY=value") for the child, on
	// top of the parent's environment; a later entry wins.
	Env []string
	// Detached starts the child in a new session and does not signal it
	// when the parent dies. Without it the child gets SIGTERM when the
	// parent process dies.
	Detached bool
	// Stdout and Stderr receive the child's output; nil means the
	// parent's (os.Stdout, os.Stderr). An *os.File is handed to the child
	// as is; any other writer is fed by a goroutine until the child and
	// every process holding its output have exited (or WaitDelay passed).
	// The caller owns and closes them, after Wait.
	Stdout, Stderr io.Writer
	// WaitDelay is how long a child has after the SIGTERM sent when ctx
	// is cancelled before it is killed (default DefaultWaitDelay).
	WaitDelay time.Duration
}

// Proc is a running child started by Start. Its methods are safe for
// concurrent use.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	result chan string // the child's answer: "" or kind byte + text
	feed   chan error  // the args writer's result

	waitOnce sync.Once
	waitErr  error
}

// Start runs the function registered under name in a child process: this
// binary re-executed, with args delivered over a pipe (any size), stdin
// /dev/null and stdout/stderr per opts. When ctx is cancelled the child
// gets SIGTERM (which cancels the function's ctx), then SIGKILL after
// opts.WaitDelay. Unless opts.Detached, the child also gets SIGTERM when
// this process dies. In the child, the function's ctx is cancelled by the
// first SIGTERM or SIGINT (a second one has its default effect), and the
// role's environment variable is removed, so the function's own processes
// start clean. The caller must call Wait to release the child's resources.
// Start is safe for concurrent use.
func Start(ctx context.Context, name string, args []byte, opts StartOptions) (*Proc, error) {
	if err := requireInit(); err != nil {
		return nil, fmt.Errorf("spawn: start %s: %w", name, err)
	}
	if lookup(name) == nil {
		return nil, fmt.Errorf("spawn: start %s: %w", name, ErrUnknownProc)
	}
	exe, err := selfExe()
	if err != nil {
		return nil, fmt.Errorf("spawn: start %s: %w", name, err)
	}
	argR, argW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("spawn: start %s: %w", name, err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		argR.Close()
		argW.Close()
		return nil, fmt.Errorf("spawn: start %s: %w", name, err)
	}
	cmd := childCmd(ctx, exe, opts)
	cmd.ExtraFiles = []*os.File{argR, resW} // fdIn, fdOut
	err = startCmd(cmd, !opts.Detached)
	argR.Close()
	resW.Close()
	if err != nil {
		argW.Close()
		resR.Close()
		return nil, fmt.Errorf("spawn: start %s: %w", name, err)
	}
	p := &Proc{name: name, cmd: cmd, result: make(chan string, 1), feed: make(chan error, 1)}
	go func() { p.feed <- writeFrame(argW, name, args); argW.Close() }()
	go func() { p.result <- readResult(resR); resR.Close() }()
	return p, nil
}

// childCmd builds the command that re-executes exe in the child role.
func childCmd(ctx context.Context, exe string, opts StartOptions) *exec.Cmd {
	cmd := exec.CommandContext(ctx, exe)
	cmd.Args = []string{os.Args[0]}
	cmd.Env = roleEnv(roleChild, opts.Env)
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	cmd.SysProcAttr = detachedAttr(opts.Detached)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = opts.WaitDelay
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = DefaultWaitDelay
	}
	return cmd
}

// Pid returns the child's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the child. After the child has been waited for it
// returns an error matching os.ErrProcessDone.
func (p *Proc) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("spawn: signal %s (pid %d): %w", p.name, p.Pid(), err)
	}
	return nil
}

// Wait waits for the child to exit and returns nil if its function
// returned nil (even if ctx was cancelled meanwhile). Otherwise it returns an *ExitError carrying the function's
// error text, the panic, the exit status or the signal that ended the
// child. Other errors (such as exec.ErrWaitDelay when a non-file Stdout is
// still held open by the child's own children) are wrapped. Wait may be
// called any number of times; every call returns the same result.
func (p *Proc) Wait() error {
	p.waitOnce.Do(func() { p.waitErr = p.wait() })
	return p.waitErr
}

func (p *Proc) wait() error {
	err := p.cmd.Wait()
	answer := <-p.result
	<-p.feed
	st := p.cmd.ProcessState
	if st == nil {
		return fmt.Errorf("spawn: wait %s: %w", p.name, err)
	}
	if st.Success() && answer == "" {
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("spawn: wait %s: %w", p.name, err)
		}
		return nil
	}
	ee := &ExitError{Name: p.name, Pid: st.Pid(), Code: st.ExitCode(), ProcessState: st}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		ee.Signal = ws.Signal()
	}
	if answer != "" {
		ee.Panicked = answer[0] == kindPanic
		ee.Text = answer[1:]
	}
	return ee
}

// ExitError reports a child that did not succeed: its function returned an
// error or panicked, or the process exited with a non-zero status or was
// killed by a signal.
type ExitError struct {
	Name string // the registered name
	Pid  int
	// Text is the error text the function returned, or the panic value;
	// empty if the child ended without reaching either.
	Text string
	// Panicked reports that Text is the value of a panic in the function
	// (the child's stack went to its stderr; Code is 2).
	Panicked bool
	// Code is the exit status, or -1 if a signal ended the child.
	Code int
	// Signal is the signal that ended the child, or 0.
	Signal syscall.Signal
	// ProcessState is the exited child's state.
	ProcessState *os.ProcessState
}

// Error says which child failed and how: "spawn: child NAME (pid N): TEXT",
// "... panicked: VALUE", "... killed by signal: killed" or "... exited
// with status 3".
func (e *ExitError) Error() string {
	who := fmt.Sprintf("spawn: child %s (pid %d)", e.Name, e.Pid)
	switch {
	case e.Panicked:
		return who + " panicked: " + e.Text
	case e.Text != "":
		return who + ": " + e.Text
	case e.Signal != 0:
		return who + " killed by signal: " + e.Signal.String()
	default:
		return fmt.Sprintf("%s exited with status %d", who, e.Code)
	}
}

// The child's answer on its out pipe: nothing on success, else one kind
// byte and the text.
const (
	kindError = 'E'
	kindPanic = 'P'
)

// maxAnswer bounds the error text a child sends back.
const maxAnswer = 64 << 10

func readResult(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxAnswer+1))
	return string(b)
}

// frameMagic opens the child's input, so that a mismatched reader fails
// clearly.
const frameMagic = "RSP1"

// writeFrame sends the child its name and args: magic, uint32 name
// length, name, uint64 args length, args.
func writeFrame(w io.Writer, name string, args []byte) error {
	hdr := make([]byte, 0, len(frameMagic)+4+len(name)+8)
	hdr = append(hdr, frameMagic...)
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(len(name)))
	hdr = append(hdr, name...)
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(len(args)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(args)
	return err
}

// maxName bounds a registered name read from the pipe.
const maxName = 4 << 10

// readFrame reads what writeFrame wrote.
func readFrame(r io.Reader) (name string, args []byte, err error) {
	var hdr [len(frameMagic) + 4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return "", nil, fmt.Errorf("read header: %w", err)
	}
	if string(hdr[:len(frameMagic)]) != frameMagic {
		return "", nil, errors.New("bad header")
	}
	n := binary.BigEndian.Uint32(hdr[len(frameMagic):])
	if n > maxName {
		return "", nil, fmt.Errorf("name of %d bytes", n)
	}
	buf := make([]byte, n+8)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", nil, fmt.Errorf("read name: %w", err)
	}
	size := binary.BigEndian.Uint64(buf[n:])
	args = make([]byte, size)
	if _, err := io.ReadFull(r, args); err != nil {
		return "", nil, fmt.Errorf("read args: %w", err)
	}
	return string(buf[:n]), args, nil
}

// runChild is the child role: read the name and args, run the function
// with a ctx cancelled by SIGTERM or SIGINT (a second signal kills as
// usual), and send back its error text. It returns the exit status.
func runChild(in io.Reader, out io.Writer) int {
	name, args, err := readFrame(in)
	if err != nil {
		return answer(out, kindError, "spawn: child: "+err.Error(), 1)
	}
	fn := lookup(name)
	if fn == nil {
		return answer(out, kindError, fmt.Sprintf("%v: %q is not registered in the child", ErrUnknownProc, name), 1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // the next signal takes its default action
	if panicked, msg := call(ctx, fn, args); panicked {
		return answer(out, kindPanic, msg, 2)
	} else if msg != "" {
		return answer(out, kindError, msg, 1)
	}
	return 0
}

// call runs fn, turning a panic into its text (printed with the stack to
// stderr, as an unrecovered panic would be).
func call(ctx context.Context, fn func(context.Context, []byte) error, args []byte) (panicked bool, msg string) {
	defer func() {
		if v := recover(); v != nil {
			panicked, msg = true, fmt.Sprint(v)
			fmt.Fprintf(os.Stderr, "panic: %v\n\n%s", v, debug.Stack())
		}
	}()
	if err := fn(ctx, args); err != nil {
		msg = err.Error()
		if msg == "" {
			msg = fmt.Sprintf("%T with empty text", err)
		}
	}
	return false, msg
}

// answer writes the child's answer (truncated to maxAnswer) and returns
// code. A parent that is gone is no error worth reporting.
func answer(out io.Writer, kind byte, text string, code int) int {
	if len(text) > maxAnswer-1 {
		text = text[:maxAnswer-1]
	}
	out.Write(append([]byte{kind}, text...))
	return code
}
