// Real clients against remoted: redis-cli, go-redis, redis-py, node-redis
// and ioredis.

package remoted_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/remoted/remoted/internal/testdep"
)

// ---------------------------------------------------------------------------
// redis-cli.

func TestRedisCLI(t *testing.T) {
	cli := testdep.Tool(t, "redis-cli")
	srv := startRemoted(t)
	run := func(t *testing.T, stdin string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"-s", srv.UnixPath}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("redis-cli %q: %v\nstdout: %q\nstderr: %q", args, err, out, stderr.String())
		}
		return string(out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG\n"},
		{[]string{"SET", "cli:a", "hello world"}, "OK\n"},
		{[]string{"GET", "cli:a"}, "hello world\n"},
		{[]string{"--no-raw", "GET", "cli:a"}, "\"hello world\"\n"},
		{[]string{"GET", "cli:none"}, "\n"},
		{[]string{"--no-raw", "GET", "cli:none"}, "(nil)\n"},
		{[]string{"INCR", "cli:n"}, "1\n"},
		{[]string{"--no-raw", "INCRBY", "cli:n", "41"}, "(integer) 42\n"},
		{[]string{"MSET", "cli:b", "2", "cli:c", "3"}, "OK\n"},
		{[]string{"MGET", "cli:b", "cli:none", "cli:c"}, "2\n\n3\n"},
		{[]string{"--no-raw", "MGET", "cli:b", "cli:none"}, "1) \"2\"\n2) (nil)\n"},
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command\n\n"}, // raw mode adds a blank line after an error
		{[]string{"--no-raw", "INCR", "cli:a"}, "(error) ERR value is not an integer or out of range\n"},
		{[]string{"EXPIRE", "cli:a", "100000"}, "1\n"},
		{[]string{"TTL", "cli:a"}, "100000\n"},
		{[]string{"DEL", "cli:b", "cli:c"}, "2\n"},
		{[]string{"-3", "--no-raw", "HELLO", "3"}, ""}, // checked below: a RESP3 map
		{[]string{"-3", "--no-raw", "GET", "cli:none"}, "(nil)\n"},
		{[]string{"-3", "--no-raw", "CONFIG", "GET", "appendonly"}, "1# \"appendonly\" => \"no\"\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got := run(t, "", tc.args...)
			if slices.Contains(tc.args, "HELLO") {
				if !strings.Contains(got, `"proto" => (integer) 3`) || !strings.Contains(got, `"server" =>`) {
					t.Errorf("redis-cli %q = %q, want a RESP3 map with proto 3", tc.args, got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("redis-cli %q = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	t.Run("stdin script", func(t *testing.T) {
		got := run(t, "SET cli:s 1\nINCR cli:s\nGET cli:s\nDEL cli:s\nEXISTS cli:s\n")
		if want := "OK\n2\n2\n1\n0\n"; got != want {
			t.Errorf("scripted session printed %q, want %q", got, want)
		}
	})
	t.Run("scan", func(t *testing.T) {
		got := strings.Fields(run(t, "", "--scan", "--pattern", "cli:*"))
		slices.Sort(got)
		if want := []string{"cli:a", "cli:n"}; !slices.Equal(got, want) {
			t.Errorf("--scan --pattern cli:* = %q, want %q", got, want)
		}
	})
	t.Run("pipe 100k", func(t *testing.T) {
		const n = 100000
		run(t, "", "FLUSHALL")
		var b bytes.Buffer
		for i := 0; i < n; i++ {
			b.Write(encodeCommand([]string{"SET", "pipe:" + strconv.Itoa(i), "value-" + strconv.Itoa(i)}))
		}
		out := run(t, b.String(), "--pipe")
		if !strings.Contains(out, fmt.Sprintf("errors: 0, replies: %d", n)) {
			t.Fatalf("redis-cli --pipe printed %q, want errors: 0, replies: %d", out, n)
		}
		if got := run(t, "", "DBSIZE"); got != fmt.Sprintf("%d\n", n) {
			t.Errorf("DBSIZE after --pipe = %q, want %d", got, n)
		}
		for _, i := range []int{0, 12345, n - 1} {
			if got, want := run(t, "", "GET", "pipe:"+strconv.Itoa(i)), "value-"+strconv.Itoa(i)+"\n"; got != want {
				t.Errorf("GET pipe:%d = %q, want %q", i, got, want)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// go-redis.

func TestGoRedis(t *testing.T) {
	srv := startRemoted(t)
	cases := []struct {
		name string
		opt  *redis.Options
	}{
		{"unix", &redis.Options{Network: "unix", Addr: srv.UnixPath}},
		{"tcp", &redis.Options{Addr: srv.TCPAddr}},
		{"tcp RESP2", &redis.Options{Addr: srv.TCPAddr, Protocol: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rdb := redis.NewClient(tc.opt)
			t.Cleanup(func() { rdb.Close() })
			exerciseGoRedis(t, rdb, "gr:"+strings.ReplaceAll(tc.name, " ", "-")+":")
		})
	}
	t.Run("password", func(t *testing.T) {
		const pw = "correct horse"
		psrv := startRemoted(t, "--requirepass", pw)
		ctx := context.Background()
		for _, o := range []struct {
			name, pass, wantErr string
			opt                 *redis.Options
		}{
			{"none", "", "NOAUTH", &redis.Options{Network: "unix", Addr: psrv.UnixPath}},
			{"wrong", "wrong", "WRONGPASS", &redis.Options{Network: "unix", Addr: psrv.UnixPath, Password: "wrong"}},
			{"wrong RESP2", "wrong", "WRONGPASS", &redis.Options{Addr: psrv.TCPAddr, Password: "wrong", Protocol: 2}},
		} {
			t.Run(o.name, func(t *testing.T) {
				o.opt.MaxRetries = -1
				rdb := redis.NewClient(o.opt)
				t.Cleanup(func() { rdb.Close() })
				err := rdb.Set(ctx, "pw:k", "v", 0).Err()
				if err == nil || !strings.Contains(err.Error(), o.wantErr) {
					t.Errorf("SET with password %q: error %v, want one containing %q", o.pass, err, o.wantErr)
				}
			})
		}
		for _, o := range []*redis.Options{
			{Network: "unix", Addr: psrv.UnixPath, Password: pw},
			{Addr: psrv.TCPAddr, Password: pw, Protocol: 2},
			{Addr: psrv.TCPAddr, Username: "default", Password: pw},
		} {
			rdb := redis.NewClient(o)
			t.Cleanup(func() { rdb.Close() })
			if err := rdb.Set(ctx, "pw:k", "v", 0).Err(); err != nil {
				t.Errorf("SET with the right password (%s, protocol %d, 0 = go-redis default): %v", o.Addr, o.Protocol, err)
			}
			if v, err := rdb.Get(ctx, "pw:k").Result(); err != nil || v != "v" {
				t.Errorf("GET with the right password: %q, %v; want \"v\"", v, err)
			}
		}
	})
}

func exerciseGoRedis(t *testing.T, rdb *redis.Client, p string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("PING", rdb.Ping(ctx).Err())
	must("SET", rdb.Set(ctx, p+"s", "hello", 0).Err())
	if v, err := rdb.Get(ctx, p+"s").Result(); err != nil || v != "hello" {
		t.Errorf("GET = %q, %v; want \"hello\"", v, err)
	}
	if _, err := rdb.Get(ctx, p+"missing").Result(); err != redis.Nil {
		t.Errorf("GET missing: err = %v, want redis.Nil", err)
	}
	if ok, err := rdb.SetNX(ctx, p+"s", "x", 0).Result(); err != nil || ok {
		t.Errorf("SETNX existing = %v, %v; want false", ok, err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := rdb.Incr(ctx, p+"n").Result(); err != nil || n != want {
			t.Errorf("INCR = %d, %v; want %d", n, err, want)
		}
	}
	if f, err := rdb.IncrByFloat(ctx, p+"f", 2.5).Result(); err != nil || f != 2.5 {
		t.Errorf("INCRBYFLOAT = %v, %v; want 2.5", f, err)
	}
	if err := rdb.Incr(ctx, p+"s").Err(); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("INCR on text: %v, want ERR value is not an integer", err)
	}
	vals, err := rdb.MGet(ctx, p+"s", p+"missing", p+"n").Result()
	if err != nil || len(vals) != 3 || vals[0] != "hello" || vals[1] != nil || vals[2] != "3" {
		t.Errorf("MGET = %#v, %v; want [hello <nil> 3]", vals, err)
	}
	if ok, err := rdb.Expire(ctx, p+"s", 100*time.Second).Result(); err != nil || !ok {
		t.Errorf("EXPIRE = %v, %v; want true", ok, err)
	}
	if d, err := rdb.TTL(ctx, p+"s").Result(); err != nil || d < 99*time.Second || d > 100*time.Second {
		t.Errorf("TTL = %v, %v; want about 100s", d, err)
	}
	if d, err := rdb.TTL(ctx, p+"n").Result(); err != nil || d != -1 {
		t.Errorf("TTL without expiry = %v, %v; want -1 (as go-redis reports it)", d, err)
	}
	if d, err := rdb.PTTL(ctx, p+"missing").Result(); err != nil || d != -2 {
		t.Errorf("PTTL missing = %v, %v; want -2", d, err)
	}
	if v, err := rdb.GetEx(ctx, p+"s", 0).Result(); err != nil || v != "hello" {
		t.Errorf("GETEX = %q, %v", v, err)
	}
	// SCAN iterator over a few hundred keys.
	const nk = 300
	pairs := make([]any, 0, 2*nk)
	for i := 0; i < nk; i++ {
		pairs = append(pairs, fmt.Sprintf("%sscan:%03d", p, i), i)
	}
	must("MSET", rdb.MSet(ctx, pairs...).Err())
	seen := map[string]bool{}
	it := rdb.Scan(ctx, 0, p+"scan:*", 50).Iterator()
	for it.Next(ctx) {
		seen[it.Val()] = true
	}
	must("SCAN iterator", it.Err())
	if len(seen) != nk {
		t.Errorf("SCAN iterator found %d keys, want %d", len(seen), nk)
	}
	if keys, err := rdb.Keys(ctx, p+"scan:00*").Result(); err != nil || len(keys) != 10 {
		t.Errorf("KEYS %sscan:00* = %d keys, %v; want 10", p, len(keys), err)
	}
	// Pipelines (no MULTI).
	cmds, err := rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i := 0; i < 1000; i++ {
			pipe.Incr(ctx, p+"pipe")
		}
		pipe.Get(ctx, p+"pipe")
		return nil
	})
	must("pipeline", err)
	if got := cmds[len(cmds)-1].(*redis.StringCmd).Val(); got != "1000" {
		t.Errorf("after 1000 pipelined INCRs GET = %q, want 1000", got)
	}
	// Concurrent clients on the pool.
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := rdb.Incr(ctx, p+"conc").Err(); err != nil {
					t.Errorf("concurrent INCR: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, err := rdb.Get(ctx, p+"conc").Int(); err != nil || v != 1600 {
		t.Errorf("after 16x100 concurrent INCRs = %d, %v; want 1600", v, err)
	}
	if n, err := rdb.Del(ctx, p+"s", p+"n", p+"missing").Result(); err != nil || n != 2 {
		t.Errorf("DEL = %d, %v; want 2", n, err)
	}
}

// ---------------------------------------------------------------------------
// redis-py and node clients.

// runScript runs a client script and requires exit 0 and a final OK line.
func runScript(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\noutput:\n%s", name, args, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[len(lines)-1] != "OK" {
		t.Fatalf("%s %q: last line is not OK; output:\n%s", name, args, out)
	}
	t.Logf("%s", out)
}

func TestPythonClient(t *testing.T) {
	runPythonScript(t, "compat_redis_py.py")
}

func TestNodeClients(t *testing.T) {
	runNodeScript(t, "compat.js")
}

// runPythonScript runs testdata/<script> with /usr/bin/python3 (and redis-py)
// against a fresh remoted, over its unix socket and TCP.
func runPythonScript(t *testing.T, script string) {
	t.Helper()
	py := needPython(t)
	srv := startRemoted(t)
	path, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(srv.TCPAddr)
	runScript(t, py, path, "--unix", srv.UnixPath, "--host", "127.0.0.1", "--port", port)
}

// runNodeScript runs testdata/node/<script> with node (and node-redis and
// ioredis from testdata/node/node_modules) against a fresh remoted, over its
// unix socket and TCP.
func runNodeScript(t *testing.T, script string) {
	t.Helper()
	node := testdep.Tool(t, "node")
	dir, err := filepath.Abs(filepath.Join("testdata", "node"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"redis", "ioredis"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			testdep.Missing(t, "node package %s not installed (npm ci --prefix testdata/node)", pkg)
		}
	}
	srv := startRemoted(t)
	_, port, _ := net.SplitHostPort(srv.TCPAddr)
	runScript(t, node, filepath.Join(dir, script), "--unix", srv.UnixPath, "--host", "127.0.0.1", "--port", port)
}
