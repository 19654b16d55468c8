package remoted_test

// Real clients running Lua scripts: redis-py's Lock and Script objects
// (testdata/compat_scripts_py.py), ioredis's defineCommand and
// node-redis's scripts (testdata/node/scripts.js), go-redis's Script.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestPythonScripts(t *testing.T) { runPythonScript(t, "compat_scripts_py.py") }

func TestNodeScripts(t *testing.T) { runNodeScript(t, "scripts.js") }

// TestGoRedisScripts runs go-redis's Script: Run sends EVALSHA and falls
// back to EVAL on NOSCRIPT.
func TestGoRedisScripts(t *testing.T) {
	srv := startRemoted(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, opt := range []*redis.Options{
		{Network: "unix", Addr: srv.UnixPath},
		{Addr: srv.TCPAddr, Protocol: 2},
	} {
		rdb := redis.NewClient(opt)
		t.Cleanup(func() { rdb.Close() })
		key := "gr-script:" + opt.Network + ":n"
		incr := redis.NewScript("return redis.call('incrby', KEYS[1], ARGV[1])")
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if n, err := incr.Run(ctx, rdb, []string{key}, 5).Int(); err != nil || n != 5 {
			t.Fatalf("Run (EVAL fallback): %d, %v", n, err)
		}
		if n, err := incr.EvalSha(ctx, rdb, []string{key}, 2).Int(); err != nil || n != 7 {
			t.Fatalf("EvalSha: %d, %v", n, err)
		}
		if ok, err := incr.Exists(ctx, rdb).Result(); err != nil || len(ok) != 1 || !ok[0] {
			t.Fatalf("Exists: %v, %v", ok, err)
		}
		if n, err := incr.RunRO(ctx, rdb, []string{key}, 1).Int(); err == nil || !strings.Contains(err.Error(), "Write commands are not allowed from read-only scripts") {
			t.Fatalf("RunRO of a write: %d, %v", n, err)
		}
		v, err := rdb.Eval(ctx, "return {1, 'two', {ok='three'}}", nil).Slice()
		if err != nil || len(v) != 3 || v[0] != int64(1) || v[1] != "two" || v[2] != "three" {
			t.Fatalf("Eval of a table: %#v, %v", v, err)
		}
	}
}
