//go:build unix

package spawn_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/remoted/remoted/spawn"
)

func TestMain(m *testing.M) {
	if spawn.Init() {
		return
	}
	// Spare the race-built processes the tests start (children and
	// servers, which inherit this) the race runtime's 1 s sleep before a
	// successful exit, so that exit times measure the code.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(m.Run())
}

// registered shows that Register works from a package-level var
// initialiser, which runs before TestMain (and so before Init).
var registered = func() bool {
	spawn.Register("sum", func(ctx context.Context, args []byte) error {
		fmt.Printf("%d %x\n", len(args), sha256.Sum256(args))
		return nil
	})
	return true
}()

func init() {
	spawn.Register("ok", func(ctx context.Context, args []byte) error { return nil })
	spawn.Register("fail", func(ctx context.Context, args []byte) error {
		return errors.New("boom: " + string(args))
	})
	spawn.Register("panic", func(ctx context.Context, args []byte) error { panic("kaboom") })
	spawn.Register("exit3", func(ctx context.Context, args []byte) error { os.Exit(3); return nil })
	spawn.Register("env", func(ctx context.Context, args []byte) error {
		_, role := os.LookupEnv("REMOTED_SPAWN_ROLE")
		fmt.Printf("x=%s role=%v\n", os.Getenv("SPAWN_TEST_X"), role)
		return nil
	})
	spawn.Register("block", func(ctx context.Context, args []byte) error {
		fmt.Println("ready")
		time.Sleep(time.Hour) // ignores ctx: only a kill ends it
		return nil
	})
	spawn.Register("waitctx", func(ctx context.Context, args []byte) error {
		fmt.Println("ready")
		<-ctx.Done()
		return fmt.Errorf("stopped: %w", ctx.Err())
	})
	spawn.Register("middle", middle)
	spawn.Register("grandchild", grandchild)
	spawn.Register("starter", starter)
}

// middle starts a grandchild (detached if args say so), which inherits
// its stdout, and waits for it: the test kills middle meanwhile.
func middle(ctx context.Context, args []byte) error {
	p, err := spawn.Start(ctx, "grandchild", args, spawn.StartOptions{Detached: string(args) != ""})
	if err != nil {
		return err
	}
	return p.Wait()
}

// grandchild reports its start and then the SIGTERM that cancels its ctx;
// detached (args hold a lock file path), it instead waits for the lock
// the test holds and reports whether its ctx was cancelled meanwhile.
func grandchild(ctx context.Context, args []byte) error {
	if lock := string(args); lock != "" {
		f, err := os.Open(lock)
		if err != nil {
			return err
		}
		defer f.Close()
		sid, _ := unix.Getsid(0)
		fmt.Printf("grandchild ready own-session=%v\n", sid == os.Getpid())
		if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
			return err
		}
		fmt.Printf("grandchild done ctx=%v\n", ctx.Err())
		return nil
	}
	fmt.Printf("grandchild ready pid=%d\n", os.Getpid())
	<-ctx.Done()
	fmt.Println("grandchild got SIGTERM")
	return nil
}

// starterArgs are a starter child's: the share's socket and a barrier
// file the test holds locked until every starter is ready.
type starterArgs struct{ Socket, Barrier string }

// starter waits at the barrier, then calls StartServer.
func starter(ctx context.Context, args []byte) error {
	var a starterArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return err
	}
	f, err := os.Open(a.Barrier)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Println("ready")
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		return err
	}
	return spawn.StartServer(ctx, spawn.ServerOptions{Socket: a.Socket, IdleExit: -1})
}

// lines returns a pipe's write end for a child's stdout and a channel of
// the lines written to it.
func lines(t testing.TB) (*os.File, <-chan string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); r.Close() })
	ch := make(chan string, 256)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return w, ch
}

// expectLine waits for the next line, which must be want. The timeout is a
// failure guard, not synchronisation.
func expectLine(t testing.TB, ch <-chan string, want string) {
	t.Helper()
	select {
	case got, ok := <-ch:
		if !ok {
			t.Fatalf("output ended; want %q", want)
		}
		if got != want {
			t.Fatalf("got line %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no line %q within 30s", want)
	}
}

// start starts a registered child and registers a cleanup that kills and
// reaps it.
func start(t testing.TB, ctx context.Context, name string, args []byte, opts spawn.StartOptions) *spawn.Proc {
	t.Helper()
	p, err := spawn.Start(ctx, name, args, opts)
	if err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	t.Cleanup(func() { p.Signal(syscall.SIGKILL); p.Wait() })
	return p
}

// shortDir returns a temp directory short enough for socket paths
// (sun_path holds 108 bytes), removed after the test.
func shortDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

var servingRE = regexp.MustCompile(`msg=serving pid=(\d+)`)

// serverPids returns the pids of the servers that started serving, from
// the log beside sock.
func serverPids(t testing.TB, sock string) []int {
	t.Helper()
	b, err := os.ReadFile(sock + ".log")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, m := range servingRE.FindAllStringSubmatch(string(b), -1) {
		pid, _ := strconv.Atoi(m[1])
		pids = append(pids, pid)
	}
	return pids
}

// stopServer SIGTERMs a server and waits for it to exit.
func stopServer(t testing.TB, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Fatal(err)
	}
	waitExit(t, pid, 15*time.Second)
}

// do sends one command over a raw RESP connection and returns the first
// line of the reply.
func do(t testing.TB, c net.Conn, args ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return strings.TrimRight(line, "\r\n")
}
