package rdb

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/testdep"
)

// The golden payloads in testdata/golden.txt are what redis-server 7.0.15
// DUMPs for goldenCases, and legacyCases' payloads, which it RESTOREd. To
// make them again:
//
//	redis-server --port 0 --unixsocket /tmp/r.sock --save '' --appendonly no &
//	go test ./internal/rdb -run TestGenerate -args -redis=/tmp/r.sock
var redisSock = flag.String("redis", "", "unix socket of a redis-server 7.0 for TestGenerate (the other tests start their own without it)")

const goldenFile = "testdata/golden.txt"

// golden is one line of goldenFile: name, Redis's OBJECT ENCODING (or
// "legacy") and the payload in hex, tab-separated.
type golden struct {
	name, encoding string
	payload        []byte
}

func readGolden(t *testing.T) map[string]golden {
	t.Helper()
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]golden{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			t.Fatalf("bad line in %s: %.60q", goldenFile, sc.Text())
		}
		p, err := hex.DecodeString(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		out[parts[0]] = golden{parts[0], parts[1], p}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func dial(t *testing.T, sock string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, Protocol: 2, ReadTimeout: time.Minute})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at %s: %v", sock, err)
	}
	return c
}

// startRedis starts a redis-server of its own for the test.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin := testdep.Tool(t, "redis-server")
	dir := t.TempDir()
	sock := filepath.Join(dir, "r.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := dial(t, sock)
	if v := c.Info(context.Background(), "server").Val(); !strings.Contains(v, "redis_version:7.0.") {
		t.Logf("warning: not a redis-server 7.0: %s", v[:min(len(v), 200)])
	}
	return c
}

// redisFor returns a client of the redis-server at -redis, or else of one
// started for the test.
func redisFor(t *testing.T) *redis.Client {
	if *redisSock != "" {
		return dial(t, *redisSock)
	}
	return startRedis(t)
}

// TestGenerate writes goldenFile from the redis-server at -redis.
func TestGenerate(t *testing.T) {
	if *redisSock == "" {
		t.Skip("no -redis socket given")
	}
	ctx := context.Background()
	c := dial(t, *redisSock)
	var b strings.Builder
	for _, gc := range goldenCases() {
		c.Del(ctx, "k")
		for _, cmd := range buildCommands("k", gc.v) {
			if err := c.Do(ctx, cmd...).Err(); err != nil {
				t.Fatalf("%s: %v", gc.name, err)
			}
		}
		enc := c.ObjectEncoding(ctx, "k").Val()
		p, err := c.Dump(ctx, "k").Result()
		if err != nil {
			t.Fatalf("%s: %v", gc.name, err)
		}
		fmt.Fprintf(&b, "%s\t%s\t%x\n", gc.name, enc, p)
	}
	for _, lc := range legacyCases() {
		c.Del(ctx, "k")
		if err := c.Restore(ctx, "k", 0, string(lc.payload)).Err(); err != nil {
			t.Fatalf("%s: redis-server refuses it: %v", lc.name, err)
		}
		fmt.Fprintf(&b, "%s\tlegacy\t%x\n", lc.name, lc.payload)
	}
	if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGolden restores what redis-server dumped, and checks that Dump
// chooses the encodings Redis chose, byte for byte where Redis did not
// compress.
func TestGolden(t *testing.T) {
	gs := readGolden(t)
	exact := 0
	for _, gc := range goldenCases() {
		g, ok := gs[gc.name]
		if !ok {
			t.Errorf("%s: not in %s (run TestGenerate)", gc.name, goldenFile)
			continue
		}
		v, lzf, err := restore(g.payload)
		if err != nil {
			t.Errorf("%s: %v", gc.name, err)
			continue
		}
		if !equalValues(normalize(v), normalize(gc.v)) {
			t.Errorf("%s: restored a different value", gc.name)
			continue
		}
		mine := Dump(v)
		if mine[0] != g.payload[0] {
			t.Errorf("%s: Dump writes type %d, Redis (%s) %d", gc.name, mine[0], g.encoding, g.payload[0])
		}
		if !lzf {
			if string(mine) != string(g.payload) {
				t.Errorf("%s: Dump differs from Redis's uncompressed payload\n mine %x\nredis %x", gc.name, mine, g.payload)
			}
			exact++
		}
	}
	for _, lc := range legacyCases() {
		g, ok := gs[lc.name]
		if !ok || string(g.payload) != string(lc.payload) {
			t.Errorf("%s: missing or changed in %s (run TestGenerate)", lc.name, goldenFile)
			continue
		}
		v, err := Restore(g.payload)
		if err != nil {
			t.Errorf("%s: %v", lc.name, err)
		} else if !equalValues(v, lc.v) {
			t.Errorf("%s: restored a different value", lc.name)
		}
	}
	t.Logf("%d golden payloads, %d of them byte for byte what Dump writes", len(gs), exact)
}

// readBack reads the value at key k from Redis.
func readBack(t *testing.T, c *redis.Client, k string, kind Kind) Value {
	t.Helper()
	ctx := context.Background()
	v := Value{Kind: kind}
	var items []string
	var err error
	switch kind {
	case String:
		var s string
		s, err = c.Get(ctx, k).Result()
		v.Str = []byte(s)
	case List:
		items, err = c.LRange(ctx, k, 0, -1).Result()
		v.List = strs(items...)
	case Set:
		items, err = c.SMembers(ctx, k).Result()
		v.Set = strs(items...)
	case Hash:
		items, err = c.Do(ctx, "HGETALL", k).StringSlice()
		for i := 0; i+1 < len(items); i += 2 {
			v.Hash = append(v.Hash, Pair{[]byte(items[i]), []byte(items[i+1])})
		}
	case ZSet:
		items, err = c.Do(ctx, "ZRANGE", k, 0, -1, "WITHSCORES").StringSlice()
		for i := 0; i+1 < len(items); i += 2 {
			f, perr := strconv.ParseFloat(items[i+1], 64)
			if perr != nil {
				t.Fatalf("score %q: %v", items[i+1], perr)
			}
			v.ZSet = append(v.ZSet, ScoredMember{[]byte(items[i]), f})
		}
	}
	if err != nil {
		t.Fatalf("reading %s: %v", k, err)
	}
	return v
}

// TestRedisRestores checks that a real redis-server RESTOREs what Dump
// writes, in every encoding, and holds the same value; and that it holds
// what Restore decodes of the legacy payloads.
func TestRedisRestores(t *testing.T) {
	c := redisFor(t)
	ctx := context.Background()
	check := func(name string, p []byte, want Value) {
		t.Helper()
		c.Del(ctx, "k")
		if err := c.Restore(ctx, "k", 0, string(p)).Err(); err != nil {
			t.Errorf("%s: RESTORE: %v", name, err)
			return
		}
		got := readBack(t, c, "k", want.Kind)
		if !equalValues(normalize(got), normalize(want)) {
			t.Errorf("%s: redis-server holds a different value", name)
		}
	}
	for _, gc := range goldenCases() {
		for _, enc := range []Encoding{Auto, Compact, Full} {
			o := DefaultOptions
			o.Encoding = enc
			check(fmt.Sprintf("%s (encoding %d)", gc.name, enc), o.Dump(gc.v), gc.v)
		}
	}
	for _, lc := range legacyCases() {
		check(lc.name, lc.payload, lc.v)
	}
	// What Redis refuses.
	p := Dump(Value{Kind: String, Str: []byte("x")})
	bad := map[string][]byte{
		"zero CRC":   append(p[:len(p)-8:len(p)-8], make([]byte, 8)...),
		"version 11": payload(p[:len(p)-10], 11),
		"short":      p[:9],
	}
	for name, b := range bad {
		err := c.Restore(ctx, "k2", 0, string(b)).Err()
		if err == nil || !strings.Contains(err.Error(), "checksum are wrong") {
			t.Errorf("%s: redis-server says %v", name, err)
		}
		if _, err := Restore(b); err != ErrPayload {
			t.Errorf("%s: Restore says %v", name, err)
		}
	}
}
