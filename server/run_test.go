package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// startRun runs Run in the background with rc, on a socket in a temp dir
// unless rc names listeners, and returns the listeners' addresses once it
// is ready, the cancel that stops it and the channel of its result.
func startRun(t *testing.T, rc RunConfig) ([]net.Addr, context.CancelFunc, <-chan error) {
	t.Helper()
	procs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	if rc.Unix == "" && rc.TCP == "" {
		rc.Unix = filepath.Join(t.TempDir(), "s.sock")
	}
	rc.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	rc.Threads = 1
	ready := make(chan []net.Addr, 1)
	rc.Ready = func(a []net.Addr) { ready <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		done <- Run(ctx, rc)
		close(finished)
	}()
	t.Cleanup(func() { cancel(); <-finished })
	select {
	case addrs := <-ready:
		return addrs, cancel, done
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run not ready in 10 s")
	}
	return nil, nil, nil
}

// TestRunServesUntilCancel: Run serves its socket, and the end of its
// context drains it, removes the socket and returns nil.
func TestRunServesUntilCancel(t *testing.T) {
	addrs, cancel, done := startRun(t, RunConfig{})
	if len(addrs) != 1 || addrs[0].Network() != "unix" {
		t.Fatalf("listeners %v, want the unix socket only", addrs)
	}
	sock := addrs[0].String()
	c := dial(t, sock)
	if got := c.Do("PING"); got != "PONG" {
		t.Fatalf("PING = %q", got)
	}
	// used_memory is the data's, not Run's 64 MiB GC ballast.
	if used, _ := strconv.ParseUint(infoField(t, c, "memory", "used_memory"), 10, 64); used == 0 || used >= gcBallast {
		t.Errorf("used_memory = %d with an empty share, want under the ballast's %d", used, gcBallast)
	}
	if runtime.GOMAXPROCS(0) != Procs(1) {
		t.Errorf("GOMAXPROCS %d, want Procs(1) = %d", runtime.GOMAXPROCS(0), Procs(1))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after Run: %v, want it removed", err)
	}
}

// TestRunProtectedMode: TCP without a password is refused before
// anything listens, unless allowed on loopback; with a password an
// unauthenticated client gets NOAUTH.
func TestRunProtectedMode(t *testing.T) {
	for _, tc := range []struct {
		rc   RunConfig
		want error
	}{
		{RunConfig{TCP: "127.0.0.1:0"}, ErrProtectedMode},
		{RunConfig{TLS: "127.0.0.1:0"}, ErrProtectedMode},
		{RunConfig{TCP: "0.0.0.0:0", AllowNoPassword: true}, ErrNeedPassword},
	} {
		if err := Run(context.Background(), tc.rc); !errors.Is(err, tc.want) {
			t.Errorf("Run(%+v) = %v, want %v", tc.rc, err, tc.want)
		}
	}
	addrs, _, _ := startRun(t, RunConfig{TCP: "127.0.0.1:0", Config: Config{RequirePass: "pw"}})
	c, err := net.Dial("tcp", addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET k\r\n"))
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	if got := string(buf[:n]); got != "-NOAUTH Authentication required.\r\n" {
		t.Errorf("GET without AUTH over TCP = %q", got)
	}
	addrs, _, _ = startRun(t, RunConfig{TCP: "127.0.0.1:0", AllowNoPassword: true})
	if addrs[0].Network() != "tcp" {
		t.Errorf("listener %v, want tcp", addrs[0])
	}
}
