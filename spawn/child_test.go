//go:build unix

package spawn_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/remoted/remoted/spawn"
)

func TestChildExit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, proc string
		args       []byte
		wantCode   int
		wantText   string
		panicked   bool
		wantErr    string // substring of Error(); "" means Wait returns nil
	}{
		{name: "success", proc: "ok"},
		{name: "error text", proc: "fail", args: []byte("x"), wantCode: 1, wantText: "boom: x", wantErr: "boom: x"},
		{name: "panic", proc: "panic", wantCode: 2, wantText: "kaboom", panicked: true, wantErr: "panicked: kaboom"},
		{name: "os.Exit", proc: "exit3", wantCode: 3, wantErr: "exited with status 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, ctx, tc.proc, tc.args, spawn.StartOptions{Stderr: devNull(t)})
			err := p.Wait()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				return
			}
			var ee *spawn.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("Wait: %v (%T), want *ExitError", err, err)
			}
			if ee.Code != tc.wantCode || ee.Text != tc.wantText || ee.Panicked != tc.panicked || ee.Pid != p.Pid() {
				t.Errorf("ExitError %+v, want code %d text %q panicked %v pid %d", ee, tc.wantCode, tc.wantText, tc.panicked, p.Pid())
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Error() = %q, want it to contain %q", err, tc.wantErr)
			}
			if again := p.Wait(); again != err {
				t.Errorf("second Wait = %v, want the same %v", again, err)
			}
		})
	}
}

func devNull(t testing.TB) *os.File {
	t.Helper()
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestChildKilledBySignal(t *testing.T) {
	out, ch := lines(t)
	p := start(t, context.Background(), "block", nil, spawn.StartOptions{Stdout: out})
	expectLine(t, ch, "ready")
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := p.Wait()
	var ee *spawn.ExitError
	if !errors.As(err, &ee) || ee.Signal != syscall.SIGKILL || ee.Code != -1 {
		t.Fatalf("Wait: %v, want killed by SIGKILL", err)
	}
	if !strings.Contains(err.Error(), "child block") || !strings.Contains(err.Error(), "killed by signal: killed") {
		t.Errorf("Error() = %q", err)
	}
	if err := p.Signal(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Signal after Wait: %v, want os.ErrProcessDone", err)
	}
}

// TestChildSIGTERMCancelsCtx: SIGTERM, sent directly or by cancelling
// Start's ctx, cancels the function's ctx, whose error travels back.
func TestChildSIGTERMCancelsCtx(t *testing.T) {
	for _, how := range []string{"signal", "ctx"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out, ch := lines(t)
			p := start(t, ctx, "waitctx", nil, spawn.StartOptions{Stdout: out})
			expectLine(t, ch, "ready")
			if how == "signal" {
				p.Signal(syscall.SIGTERM)
			} else {
				cancel()
			}
			var ee *spawn.ExitError
			if err := p.Wait(); !errors.As(err, &ee) || ee.Text != "stopped: context canceled" || ee.Code != 1 {
				t.Fatalf("Wait: %v, want the child's %q", err, "stopped: context canceled")
			}
		})
	}
}

func TestChildLargeArgs(t *testing.T) {
	args := make([]byte, 10<<20)
	for i := range args {
		args[i] = byte(i * 7)
	}
	out, ch := lines(t)
	p := start(t, context.Background(), "sum", args, spawn.StartOptions{Stdout: out})
	expectLine(t, ch, fmt.Sprintf("%d %x", len(args), sha256.Sum256(args)))
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestChildEnv(t *testing.T) {
	out, ch := lines(t)
	p := start(t, context.Background(), "env", nil, spawn.StartOptions{Stdout: out, Env: []string{"SPAWN_TEST_X=42"}})
	expectLine(t, ch, "x=42 role=false")
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestStartUnknown(t *testing.T) {
	_, err := spawn.Start(context.Background(), "no-such-proc", nil, spawn.StartOptions{})
	if !errors.Is(err, spawn.ErrUnknownProc) || !strings.Contains(err.Error(), "no-such-proc") {
		t.Fatalf("Start: %v, want ErrUnknownProc naming the proc", err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	if !registered {
		t.Fatal("var initialiser did not run")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"ok"`) {
			t.Fatalf("recover() = %v, want a panic naming \"ok\"", r)
		}
	}()
	spawn.Register("ok", func(context.Context, []byte) error { return nil })
}

// TestParentDeath: a middle child starts a grandchild and is SIGKILLed;
// the grandchild gets SIGTERM.
func TestParentDeath(t *testing.T) {
	out, ch := lines(t)
	p := start(t, context.Background(), "middle", nil, spawn.StartOptions{Stdout: out})
	var pid int
	select {
	case line := <-ch:
		if _, err := fmt.Sscanf(line, "grandchild ready pid=%d", &pid); err != nil {
			t.Fatalf("got %q, want the grandchild ready", line)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no grandchild within 30s")
	}
	// Should it miss its SIGTERM, do not leave it running (it holds the
	// test's stderr).
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	p.Signal(syscall.SIGKILL)
	if err := p.Wait(); err == nil || !strings.Contains(err.Error(), "killed by signal: killed") {
		t.Fatalf("middle: %v, want killed", err)
	}
	expectLine(t, ch, "grandchild got SIGTERM")
}

// TestParentDeathDetached: a detached grandchild has its own session and
// gets no SIGTERM when its parent dies: it runs on until the test lets it
// finish, with its ctx intact.
func TestParentDeathDetached(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "lock")
	f, err := os.Create(lock)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	out, ch := lines(t)
	p := start(t, context.Background(), "middle", []byte(lock), spawn.StartOptions{Stdout: out})
	expectLine(t, ch, "grandchild ready own-session=true")
	p.Signal(syscall.SIGKILL)
	p.Wait()
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	expectLine(t, ch, "grandchild done ctx=<nil>")
}
