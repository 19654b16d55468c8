package stub_test

import (
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/stub"
)

const python = "/usr/bin/python3"

// needPython skips (fails under CI=true) without python3, redis-py and cbor2.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		testdep.Missing(t, "%s: %v", python, err)
	}
	if out, err := exec.Command(python, "-c", "import redis, cbor2").CombinedOutput(); err != nil {
		testdep.Missing(t, "python3-redis or python3-cbor2: %s", out)
	}
}

type pyStruct struct {
	Name string    `cbor:"name"`
	Tags []string  `cbor:"tags"`
	N    int       `cbor:"n"`
	When time.Time `cbor:"when,omitempty"`
}

// TestPythonInterop: Python reads what the stub wrote and the stub reads
// what Python wrote (testdata/stub_interop.py).
func TestPythonInterop(t *testing.T) {
	needPython(t)
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		must(t, s.SetMany(ctx, map[string]any{
			p + "s": "héllo wörld", p + "i": 42, p + "neg": int8(-7), p + "f": 2.5, p + "tiny": 0.1,
			p + "flag": true, p + "nothing": nil, p + "list": []any{1, "two", 3.5},
			p + "tagstr": "\xd9\xd9\xf7abc",
			p + "struct": pyStruct{"ada", []string{"x", "y"}, 36, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		}))
		args := []string{"testdata/stub_interop.py", stub.URL(s), p}
		if s.Cluster() {
			args = append(args, "cluster")
		}
		out, err := exec.CommandContext(ctx, python, args...).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Fatalf("stub_interop.py: %v\n%s", err, out)
		}
		if v, err := stub.GetAs[string](ctx, s, p+"py:s"); v != "from python ✓" {
			t.Errorf("py:s = %q, %v", v, err)
		}
		if v, err := stub.GetAs[int](ctx, s, p+"py:i"); v != 12345 {
			t.Errorf("py:i = %d, %v", v, err)
		}
		if v, err := stub.GetAs[float64](ctx, s, p+"py:f"); v != 0.25 {
			t.Errorf("py:f = %v, %v", v, err)
		}
		if v, err := stub.GetAs[uint64](ctx, s, p+"py:big"); v != 1<<62 {
			t.Errorf("py:big = %v, %v", v, err)
		}
		want := pyStruct{Name: "py", Tags: []string{"a"}, N: 3}
		if v, err := stub.GetAs[pyStruct](ctx, s, p+"py:dict"); err != nil || !reflect.DeepEqual(v, want) {
			t.Errorf("py:dict = %+v, %v", v, err)
		}
		if v, err := stub.GetAs[any](ctx, s, p+"py:dict"); err != nil || v.(map[string]any)["name"] != "py" {
			t.Errorf("py:dict into any = %#v, %v", v, err)
		}
		if v, err := stub.GetAs[[]int](ctx, s, p+"py:list"); err != nil || !reflect.DeepEqual(v, []int{1, 2, 3}) {
			t.Errorf("py:list = %v, %v", v, err)
		}
		if v, err := stub.GetAs[[]byte](ctx, s, p+"py:bytes"); string(v) != "\x00\x01raw" {
			t.Errorf("py:bytes = %q, %v", v, err)
		}
		if v, _ := stub.GetAs[int](ctx, s, p+"i"); v != 43 {
			t.Errorf("i after Python's INCR = %d", v)
		}
	})
}

// TestRedisCLIInterop: values written by redis-cli read back through the
// stub, and INSPECT (remoted only) shows a stub struct as CBOR diagnostics.
func TestRedisCLIInterop(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		testdep.Missing(t, "redis-cli: %v", err)
	}
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		// redis-cli -u takes redis:// URLs, -c follows a cluster's
		// redirections.
		target := []string{"-u", stub.URL(s)}
		if path, ok := strings.CutPrefix(stub.URL(s), "unix://"); ok {
			target = []string{"-s", path}
		}
		if s.Cluster() {
			target = append(target, "-c")
		}
		redisCLI := func(args ...string) string {
			out, err := exec.CommandContext(ctx, cli, append(target, args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("redis-cli %q: %v\n%s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		redisCLI("SET", p+"n", "-99")
		redisCLI("SET", p+"s", "hello from cli")
		redisCLI("SET", p+"f", "1.25")
		if v, err := stub.GetAs[int32](ctx, s, p+"n"); v != -99 {
			t.Errorf("n = %d, %v", v, err)
		}
		if v, err := stub.GetAs[any](ctx, s, p+"s"); v != "hello from cli" {
			t.Errorf("s = %#v, %v", v, err)
		}
		if v, err := stub.GetAs[float32](ctx, s, p+"f"); v != 1.25 {
			t.Errorf("f = %v, %v", v, err)
		}
		if !s.Native() {
			return // INSPECT is remoted's
		}
		must(t, s.Set(ctx, p+"pt", point{1, 2, "a"}))
		if got := redisCLI("INSPECT", p+"pt"); got != `{"X": 1, "Y": 2, "tag": "a"}` {
			t.Errorf("INSPECT = %s", got)
		}
		if got := redisCLI("INSPECT", p+"s"); got != "hello from cli" {
			t.Errorf("INSPECT text = %s", got)
		}
	})
}
