//go:build unix

package spawn_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/remoted/remoted/internal/testproc"
	"github.com/remoted/remoted/server"
	"github.com/remoted/remoted/spawn"
)

// startServer calls StartServer for a new socket in a short temp dir and
// returns the socket and the server's pid; the server is stopped at
// cleanup.
func startServer(t testing.TB, opts spawn.ServerOptions) (sock string, pid int) {
	t.Helper()
	if opts.Socket == "" {
		opts.Socket = filepath.Join(shortDir(t), "s.sock")
	}
	if err := spawn.StartServer(context.Background(), opts); err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	pids := serverPids(t, opts.Socket)
	if len(pids) == 0 {
		t.Fatal("no server logged serving")
	}
	pid = pids[len(pids)-1]
	t.Cleanup(func() { stopServer(t, pid) })
	return opts.Socket, pid
}

func dial(t testing.TB, sock string) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial %s: %v", sock, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestStartServerPassword(t *testing.T) {
	sock, _ := startServer(t, spawn.ServerOptions{Password: "pw", IdleExit: -1})
	c := dial(t, sock)
	if got := do(t, c, "GET", "k"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("GET before AUTH = %q, want NOAUTH", got)
	}
	if got := do(t, c, "AUTH", "pw"); got != "+OK" {
		t.Errorf("AUTH = %q", got)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v, mode %v", err, fi.Mode())
	}
	// A second start finds the server and starts nothing.
	if err := spawn.StartServer(context.Background(), spawn.ServerOptions{Socket: sock}); err != nil {
		t.Fatal(err)
	}
	if n := len(serverPids(t, sock)); n != 1 {
		t.Errorf("%d servers started, want 1", n)
	}
}

// TestStartServerLooks: the auto-started server shows in ps as remoted
// and its share, not as the binary that started it, and listens on its
// unix socket only: no TCP port another local user could reach.
func TestStartServerLooks(t *testing.T) {
	sock, pid := startServer(t, spawn.ServerOptions{Socket: filepath.Join(shortDir(t), "work.sock"), IdleExit: -1})
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || string(cmdline) != "remoted: share work\x00" {
		t.Errorf("server's argv = %q, %v; want \"remoted: share work\"", cmdline, err)
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || string(comm) != "remoted\n" {
		t.Errorf("server's name (comm) = %q, %v; want remoted", comm, err)
	}
	if got := do(t, dial(t, sock), "PING"); got != "+PONG" {
		t.Fatalf("PING = %q", got)
	}
	lns, err := testproc.TCPListeners(pid)
	if err != nil || len(lns) > 0 {
		t.Errorf("auto-started server listens on TCP: %v, %v; want the unix socket only", lns, err)
	}
	// Its maxmemory is the share default, a quarter of the memory there is.
	c := dial(t, sock)
	io.WriteString(c, "CONFIG GET maxmemory\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	var lines []string
	for range 5 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.TrimRight(line, "\r\n"))
	}
	want := strconv.FormatUint(server.DefaultShareMaxMemory(), 10)
	if lines[4] != want || want == "0" {
		t.Errorf("auto-started server's maxmemory: %q, want %s (a quarter of RAM)", lines, want)
	}
}

// TestStartServerIdleExit: the server exits IdleExit after its last
// client leaves, and removes its socket.
func TestStartServerIdleExit(t *testing.T) {
	const idle = 200 * time.Millisecond
	sock, pid := startServer(t, spawn.ServerOptions{IdleExit: idle})
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial right after start (idle period %v from the server's start): %v", idle, err)
	}
	if got := do(t, c, "PING"); got != "+PONG" {
		t.Fatalf("PING = %q", got)
	}
	left := time.Now()
	c.Close()
	waitExit(t, pid, 10*time.Second)
	if d := time.Since(left); d < idle {
		t.Errorf("server exited %v after the last client left, before the idle period %v", d, idle)
	} else {
		t.Logf("server exited %v after the last client left (idle period %v)", d, idle)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after idle exit: %v, want it removed", err)
	}
	log, _ := os.ReadFile(sock + ".log")
	if !strings.Contains(string(log), "no client for the idle period") {
		t.Errorf("log lacks the idle exit:\n%s", log)
	}
}

// TestStartServerStaleSocket: a SIGKILLed server leaves its socket; the
// next start removes it and starts a new server.
func TestStartServerStaleSocket(t *testing.T) {
	sock, pid := startServer(t, spawn.ServerOptions{IdleExit: -1})
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitExit(t, pid, 10*time.Second)
	if fi, err := os.Lstat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("after SIGKILL: %v; want the stale socket left behind", err)
	}
	_, pid2 := startServer(t, spawn.ServerOptions{Socket: sock, IdleExit: -1})
	if pid2 == pid {
		t.Fatalf("no new server (pid %d)", pid)
	}
	if got := do(t, dial(t, sock), "PING"); got != "+PONG" {
		t.Fatalf("PING = %q", got)
	}
}

// TestStartServerFails: the server's own error reaches the caller.
func TestStartServerFails(t *testing.T) {
	// Too long for sun_path: only the server's listen can find out.
	sock := filepath.Join(shortDir(t), strings.Repeat("x", 120)+".sock")
	err := spawn.StartServer(context.Background(), spawn.ServerOptions{Socket: sock})
	if !errors.Is(err, spawn.ErrServerStart) || !strings.Contains(err.Error(), "bind: invalid argument") {
		t.Fatalf("StartServer: %v, want ErrServerStart with the server's bind error", err)
	}
	t.Log(err)
}

// TestStartServerConcurrentGoroutines: starters in one process serialise
// too (the lock belongs to each open of the lock file).
func TestStartServerConcurrentGoroutines(t *testing.T) {
	sock := filepath.Join(shortDir(t), "s.sock")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			errs <- spawn.StartServer(context.Background(), spawn.ServerOptions{Socket: sock, IdleExit: -1})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	pids := serverPids(t, sock)
	for _, pid := range pids {
		t.Cleanup(func() { stopServer(t, pid) })
	}
	if len(pids) != 1 {
		t.Fatalf("%d servers started, want 1", len(pids))
	}
}

// TestStartServerConcurrentProcesses: 200 processes call StartServer at
// once (released together from a barrier); exactly one server starts.
func TestStartServerConcurrentProcesses(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	dir := shortDir(t)
	sock := filepath.Join(dir, "s.sock")
	barrier, err := os.Create(filepath.Join(dir, "barrier"))
	if err != nil {
		t.Fatal(err)
	}
	defer barrier.Close()
	if err := unix.Flock(int(barrier.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(starterArgs{Socket: sock, Barrier: barrier.Name()})
	out, ch := lines(t)
	begin := time.Now()
	procs := make([]*spawn.Proc, n)
	for i := range procs {
		procs[i] = start(t, context.Background(), "starter", args, spawn.StartOptions{Stdout: out})
	}
	for range n {
		expectLine(t, ch, "ready")
	}
	ready := time.Now()
	unix.Flock(int(barrier.Fd()), unix.LOCK_UN)
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			t.Error(err)
		}
	}
	done := time.Now()
	pids := serverPids(t, sock)
	for _, pid := range pids {
		t.Cleanup(func() { stopServer(t, pid) })
	}
	if len(pids) != 1 {
		t.Fatalf("%d servers started, want exactly 1: %v", len(pids), pids)
	}
	if got := do(t, dial(t, sock), "PING"); got != "+PONG" {
		t.Fatalf("PING = %q", got)
	}
	t.Logf("%d starters: all ready at the barrier after %v, all returned %v later",
		n, ready.Sub(begin).Round(time.Millisecond), done.Sub(ready).Round(time.Millisecond))
}

// TestStartServerSIGTERM: SIGTERM drains and stops the server, which
// removes its socket.
func TestStartServerSIGTERM(t *testing.T) {
	sock, pid := startServer(t, spawn.ServerOptions{IdleExit: -1})
	c := dial(t, sock)
	if got := do(t, c, "SET", "k", "v"); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	stopServer(t, pid)
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after SIGTERM: %v, want it removed", err)
	}
	log, _ := os.ReadFile(sock + ".log")
	if !strings.Contains(string(log), "signal=terminated") || !strings.Contains(string(log), "msg=exited") {
		t.Errorf("log lacks the shutdown:\n%s", log)
	}
}
