package stub_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/server"
	"github.com/remoted/remoted/stub"
)

// The suite runs every Share test against two backends: an in-process
// remoted on a unix socket, and a real redis-server (7) the tests start on
// a free port. Tests that only make sense on one are marked with
// remotedOnly or redisOnly. Under CI=true a missing redis-server fails the
// redis half instead of skipping it.

var (
	remotedURL string // set by TestMain, also as REMOTED_URL for the examples

	redisOnce sync.Once
	redisURL  string
	redisErr  error
	redisCmd  *exec.Cmd
)

func TestMain(m *testing.M) {
	stub.Init() // children started by the process tests run their role here
	// Race-built children otherwise sleep a second before exiting.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	dir, err := os.MkdirTemp("", "stub-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stop, url, err := startRemoted(filepath.Join(dir, "s.sock"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	remotedURL = url
	os.Setenv("REMOTED_URL", url)
	code := m.Run()
	stop()
	if redisCmd != nil {
		redisCmd.Process.Kill()
		redisCmd.Wait()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// startRemoted serves a fresh in-process remoted on a unix socket.
func startRemoted(path string) (stop func(), url string, err error) {
	ln, err := server.ListenUnix(path)
	if err != nil {
		return nil, "", err
	}
	srv := server.New(server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, "unix://" + path, nil
}

// realRedis returns the URL of the redis-server shared by the tests,
// starting it on first use.
func realRedis(tb testing.TB) string {
	tb.Helper()
	redisOnce.Do(func() { redisURL, redisErr = startRedis() })
	if redisErr != nil {
		testdep.Missing(tb, "redis-server: %v", redisErr)
	}
	return redisURL
}

func startRedis() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--databases", "1")
	if err := cmd.Start(); err != nil {
		return "", err
	}
	redisCmd = cmd
	url := fmt.Sprintf("redis://127.0.0.1:%d", port)
	opt, _ := redis.ParseURL(url)
	c := redis.NewClient(opt)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for { // wait for readiness: PING answers
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return url, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("redis-server on port %d not ready: %w", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// backend is one server the suite runs against.
type backend struct {
	name string
	url  func(testing.TB) string
}

var backends = []backend{
	{"remoted", func(testing.TB) string { return remotedURL }},
	{"redis", realRedis},
}

// forEachBackend runs fn as a subtest per backend with a connected Share
// and a key prefix of its own.
func forEachBackend(t *testing.T, fn func(t *testing.T, s *stub.Share, p string)) {
	t.Helper()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			url := be.url(t)
			s := connect(t, url)
			p := t.Name() + ":"
			// Start clean, so that -count=N reruns see fresh keys.
			keys, err := s.Keys(tctx(t), p+"*")
			must(t, err)
			_, err = s.Delete(tctx(t), keys...)
			must(t, err)
			fn(t, s, p)
		})
	}
}

// connect returns a Share on url, closed at cleanup.
func connect(tb testing.TB, url string) *stub.Share {
	tb.Helper()
	return connectOptions(tb, stub.Options{URL: url})
}

func connectOptions(tb testing.TB, o stub.Options) *stub.Share {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := stub.ConnectOptions(ctx, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// remotedOnly skips a test of remoted's own behaviour on other servers.
func remotedOnly(t *testing.T, s *stub.Share, why string) {
	t.Helper()
	if !s.Native() {
		t.Skipf("remoted only: %s", why)
	}
}

// tctx is a context for one test step.
func tctx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
