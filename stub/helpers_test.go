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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/server"
	"github.com/remoted/remoted/stub"
)

// The suite runs every Share test against three backends: an in-process
// remoted on a unix socket, a real redis-server (7) the tests start on a
// free port, and a Redis Cluster of three such servers. Tests that only
// make sense on remoted are marked with remotedOnly. Under CI=true a
// missing redis-server or redis-cli fails the redis and cluster halves
// instead of skipping them.

var (
	remotedURL string // set by TestMain, also as REMOTED_URL for the examples
	testDir    string // TestMain's, removed at its end

	redisServer  = &lazyServer{what: "redis-server", start: startRedis}
	redisCluster = &lazyServer{what: "redis cluster", start: startCluster}
	clusterAddrs []string // host:port of each node of redisCluster

	servers []*exec.Cmd // the redis-servers started, killed at the end
)

// lazyServer is a server the tests share, started on first use.
type lazyServer struct {
	what  string
	start func() (url string, err error)
	once  sync.Once
	url   string
	err   error
}

// get returns the server's URL, starting it if this is the first call.
func (l *lazyServer) get(tb testing.TB) string {
	tb.Helper()
	l.once.Do(func() { l.url, l.err = l.start() })
	if l.err != nil {
		testdep.Missing(tb, "%s: %v", l.what, l.err)
	}
	return l.url
}

func TestMain(m *testing.M) {
	stub.Init() // children started by the process tests run their role here
	// Race-built children otherwise sleep a second before exiting.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	dir, err := os.MkdirTemp("", "stub-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDir = dir
	stop, url, err := startRemoted(filepath.Join(dir, "s.sock"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	remotedURL = url
	os.Setenv("REMOTED_URL", url)
	code := m.Run()
	stop()
	for _, cmd := range servers {
		cmd.Process.Kill()
		cmd.Wait()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// startRemoted serves a fresh in-process remoted on a unix socket.
func startRemoted(path string) (stop func(), url string, err error) {
	ln, err := addr.ListenUnix(path)
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

// realRedis returns the URL of the redis-server shared by the tests.
func realRedis(tb testing.TB) string { return redisServer.get(tb) }

func startRedis() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", err
	}
	ports, err := freePorts(1)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("redis://127.0.0.1:%d", ports[0])
	return url, startServer(bin, url, "--port", strconv.Itoa(ports[0]), "--databases", "1")
}

// realCluster returns the URL of the Redis Cluster shared by the tests:
// three masters, no replicas, every slot covered. The URL names all three
// nodes.
func realCluster(tb testing.TB) string { return redisCluster.get(tb) }

func startCluster() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", err
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return "", err
	}
	const nodes = 3
	ports, err := freePorts(2 * nodes) // a client port and a bus port each
	if err != nil {
		return "", err
	}
	var addrs []string
	for i := range nodes {
		dir := filepath.Join(testDir, fmt.Sprintf("cluster-%d", i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return "", err
		}
		port := ports[2*i]
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
		err := startServer(bin, "redis://"+addrs[i], "--port", strconv.Itoa(port),
			"--cluster-port", strconv.Itoa(ports[2*i+1]), "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--dir", dir)
		if err != nil {
			return "", err
		}
	}
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...),
		"--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Ready when every node sees every slot served.
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		err := waitFor(func(ctx context.Context) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && !strings.Contains(info, "cluster_state:ok") {
				err = fmt.Errorf("%s: cluster_state not ok", addr)
			}
			return err
		})
		c.Close()
		if err != nil {
			return "", err
		}
	}
	clusterAddrs = addrs
	return fmt.Sprintf("redis://%s?addr=%s&addr=%s", addrs[0], addrs[1], addrs[2]), nil
}

// startServer starts redis-server without persistence on 127.0.0.1 with
// the given arguments and waits until url answers PING.
func startServer(bin, url string, args ...string) error {
	cmd := exec.Command(bin, append(args, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")...)
	if err := cmd.Start(); err != nil {
		return err
	}
	servers = append(servers, cmd)
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	return waitFor(func(ctx context.Context) error { return c.Ping(ctx).Err() })
}

// waitFor polls ready until it succeeds, for up to 10 s.
func waitFor(ready func(context.Context) error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := ready(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePorts returns n distinct TCP ports free on 127.0.0.1 a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close() // held until all are picked, so none repeats
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// backend is one server the suite runs against.
type backend struct {
	name string
	url  func(testing.TB) string
}

var backends = []backend{
	{"remoted", func(testing.TB) string { return remotedURL }},
	{"redis", realRedis},
	{"cluster", realCluster},
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
