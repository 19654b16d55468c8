package stub_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/spawn"
	"github.com/remoted/remoted/stub"
)

// Functions the process tests start in children. They are package-level,
// so that the re-executed test binary has them registered too.
var (
	setKey = stub.Register("test-set", func(ctx context.Context, s *stub.Share, kv [2]string) error {
		return s.Set(ctx, kv[0], kv[1])
	})
	failWith = stub.Register("test-fail", func(ctx context.Context, s *stub.Share, msg string) error {
		return errors.New(msg)
	})
	digest = stub.Register("test-digest", func(ctx context.Context, s *stub.Share, data []byte) error {
		sum := sha256.Sum256(data)
		return s.Set(ctx, "digest", fmt.Sprintf("%d:%x", len(data), sum))
	})
	// counterWorker connects, announces itself, waits at a barrier (the
	// named lock "gate", held by the parent) so that every child is
	// connected at once, then INCRs "counter" n times.
	counterWorker = stub.Register("test-counter", func(ctx context.Context, s *stub.Share, n int) error {
		if _, err := s.Incr(ctx, "connected", 1); err != nil {
			return err
		}
		gate := s.Mutex("gate")
		if err := gate.Lock(ctx); err != nil {
			return err
		}
		if err := gate.Unlock(ctx); err != nil {
			return err
		}
		for range n {
			if _, err := s.Incr(ctx, "counter", 1); err != nil {
				return err
			}
		}
		return nil
	})
)

// initShareChild waits at the barrier (the named lock "gate" on the
// parent's share), then calls InitShare on the named share, all children
// at once, and writes there to show it got a working share.
var initShareChild = stub.Register("test-initshare", func(ctx context.Context, s *stub.Share, name string) error {
	gate := s.Mutex("gate")
	if err := gate.Lock(ctx); err != nil {
		return err
	}
	if err := gate.Unlock(ctx); err != nil {
		return err
	}
	named, err := stub.InitShare(ctx, stub.Named(name), stub.IdleExit(time.Second))
	if err != nil {
		return err
	}
	defer named.Close()
	_, err = named.Incr(ctx, "children", 1)
	return err
})

func remotedShare(t *testing.T) *stub.Share {
	t.Helper()
	s, err := stub.Connect(context.Background(), remotedURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestNewProc(t *testing.T) {
	ctx := context.Background()
	s := remotedShare(t)
	p, err := stub.NewProc(ctx, s, setKey, [2]string{"myresult", "Hello World"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Pid() == os.Getpid() || p.Pid() <= 0 {
		t.Errorf("pid %d", p.Pid())
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, err := stub.GetAs[string](ctx, s, "myresult"); err != nil || got != "Hello World" {
		t.Errorf("myresult = %q, %v", got, err)
	}
}

func TestNewProcError(t *testing.T) {
	p, err := stub.NewProc(context.Background(), remotedShare(t), failWith, "the disk is full")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Wait()
	var ee *spawn.ExitError
	if !errors.As(err, &ee) || ee.Text != "the disk is full" {
		t.Fatalf("Wait = %v, want the child's error text", err)
	}
}

func TestNewProcLargeArgs(t *testing.T) {
	ctx := context.Background()
	s := remotedShare(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16)
	p, err := stub.NewProc(ctx, s, digest, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got, _ := stub.GetAs[string](ctx, s, "digest"); got != fmt.Sprintf("%d:%x", len(data), sum) {
		t.Errorf("child saw %q", got)
	}
}

// TestNewProcMany is the scale run in small: 200 children each connect,
// wait until all are connected, then INCR one counter 100 times.
func TestNewProcMany(t *testing.T) {
	if testing.Short() {
		t.Skip("200 processes")
	}
	const children, incrs = 200, 100
	ctx := context.Background()
	s := remotedShare(t)
	if _, err := s.Delete(ctx, "counter", "connected"); err != nil {
		t.Fatal(err)
	}
	gate := s.Mutex("gate")
	if err := gate.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	procs := make([]*stub.Proc, children)
	for i := range procs {
		p, err := stub.NewProc(ctx, s, counterWorker, incrs)
		if err != nil {
			t.Fatal(err)
		}
		procs[i] = p
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := stub.GetAs[int](ctx, s, "connected")
		if err == nil && n == children {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d children connected", n, children)
		}
		time.Sleep(10 * time.Millisecond) // polling the children's own count
	}
	if err := gate.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	if got, err := stub.GetAs[int](ctx, s, "counter"); err != nil || got != children*incrs {
		t.Errorf("counter = %d, %v; want %d", got, err, children*incrs)
	}
}

// TestInitShareStartsServer: with no server on a named share, InitShare
// starts one; the share outlives its starter's Share and the server exits
// by itself after the idle period, removing its socket.
func TestInitShareStartsServer(t *testing.T) {
	runtimeDir, err := os.MkdirTemp("", "rt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtimeDir) })
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	ctx := context.Background()
	name := "t" + fmt.Sprint(os.Getpid())
	sock := addr.SocketPath(name)
	if !strings.HasPrefix(sock, runtimeDir) {
		t.Fatalf("socket %s not under XDG_RUNTIME_DIR", sock)
	}
	s, err := stub.InitShare(ctx, stub.Named(name), stub.IdleExit(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A second InitShare finds the running server instead of starting one.
	s2, err := stub.InitShare(ctx, stub.Named(name))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stub.GetAs[string](ctx, s2, "k"); err != nil || got != "v" {
		t.Fatalf("k = %q, %v", got, err)
	}
	s2.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Lstat(sock); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the auto-started server did not exit after its idle period")
		}
		time.Sleep(20 * time.Millisecond) // polling for the socket to go
	}
}

// TestInitShareConcurrent: 200 processes call InitShare on the same
// share at once (released together from a barrier): exactly one server
// starts, and every process gets a working Share on it.
func TestInitShareConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("200 processes")
	}
	const children = 200
	runtimeDir, err := os.MkdirTemp("", "rt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtimeDir) })
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir) // inherited by the children
	ctx := context.Background()
	s := remotedShare(t)
	gate := s.Mutex("gate")
	if err := gate.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	const name = "together"
	procs := make([]*stub.Proc, children)
	for i := range procs {
		if procs[i], err = stub.NewProc(ctx, s, initShareChild, name); err != nil {
			t.Fatal(err)
		}
	}
	waitLockWaiters(t, s, "gate", children)
	if err := gate.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	named, err := stub.InitShare(ctx, stub.Named(name))
	if err != nil {
		t.Fatal(err)
	}
	defer named.Close()
	if n, err := stub.GetAs[int](ctx, named, "children"); err != nil || n != children {
		t.Errorf("children = %d, %v; want %d", n, err, children)
	}
	log, err := os.ReadFile(addr.SocketPath(name) + ".log")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(log), "msg=serving"); got != 1 {
		t.Errorf("%d servers started, want 1:\n%s", got, log)
	}
}

// waitLockWaiters waits until LOCKS shows n waiters on the named lock.
func waitLockWaiters(t *testing.T, s *stub.Share, name string, n int) {
	t.Helper()
	want := fmt.Sprintf("name:%s", name)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		v, err := s.Redis().Do(context.Background(), "LOCKS").Result()
		if err != nil {
			t.Fatal(err)
		}
		if locks := fmt.Sprint(v); strings.Contains(locks, want) && strings.Contains(locks, fmt.Sprintf("waiters:%d]", n)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("LOCKS never showed %d waiters on %s: %v", n, name, v)
		}
		time.Sleep(10 * time.Millisecond) // polling the server's own report
	}
}
