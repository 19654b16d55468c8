package stub_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/stub"
)

type point struct {
	X, Y int
	Tag  string `cbor:"tag,omitempty"`
}

func TestSetGetKinds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		when := time.Date(2026, 5, 1, 12, 0, 0, 123, time.UTC)
		cases := []struct {
			name string
			in   any
			out  any // pointer to a zero target
		}{
			{"string", "hello", new(string)},
			{"empty", "", new(string)},
			{"bytes", []byte{0, 1, 2, 255}, new([]byte)},
			{"int", -42, new(int)},
			{"uint64", uint64(1<<64 - 1), new(uint64)},
			{"float", 0.1, new(float64)},
			{"float32", float32(1.5), new(float32)},
			{"bool", true, new(bool)},
			{"struct", point{1, 2, "p"}, new(point)},
			{"map", map[string]int{"a": 1, "b": 2}, new(map[string]int)},
			{"slice", []string{"x", "y"}, new([]string)},
			{"time", when, new(time.Time)},
			{"duration", 3 * time.Second, new(time.Duration)},
			{"tagged-string", "\xd9\xd9\xf7not cbor", new(string)},
		}
		for _, tc := range cases {
			key := p + tc.name
			must(t, s.Set(ctx, key, tc.in))
			must(t, s.Get(ctx, key, tc.out))
			got := reflect.ValueOf(tc.out).Elem().Interface()
			if !reflect.DeepEqual(got, tc.in) {
				t.Errorf("%s: got %#v, want %#v", tc.name, got, tc.in)
			}
		}
	})
}

func TestGetErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		var v string
		if err := s.Get(ctx, p+"missing", &v); !errors.Is(err, stub.ErrNotFound) {
			t.Errorf("missing key: %v, want ErrNotFound", err)
		}
		if _, err := stub.GetAs[int](ctx, s, p+"missing"); !errors.Is(err, stub.ErrNotFound) {
			t.Errorf("GetAs missing key: %v, want ErrNotFound", err)
		}
		must(t, s.Set(ctx, p+"word", "abc"))
		_, err := stub.GetAs[int](ctx, s, p+"word")
		var de *stub.DecodeError
		if !errors.As(err, &de) || de.Key != p+"word" || !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("text into int: %v", err)
		}
		_, err = stub.GetAs[point](ctx, s, p+"word")
		if !errors.Is(err, stub.ErrUnsupportedType) {
			t.Errorf("text into struct: %v", err)
		}
		must(t, s.Set(ctx, p+"pt", point{1, 2, ""}))
		if _, err = stub.GetAs[int](ctx, s, p+"pt"); !errors.As(err, &de) || !de.CBOR {
			t.Errorf("CBOR map into int: %v", err)
		}
		if err := s.Get(ctx, p+"pt", nil); !errors.Is(err, stub.ErrInvalidTarget) {
			t.Errorf("nil target: %v", err)
		}
		if err := s.Set(ctx, p+"ch", make(chan int)); !errors.Is(err, stub.ErrUnsupportedType) {
			t.Errorf("chan: %v", err)
		}
	})
}

func TestDictionary(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		if ok, err := s.Has(ctx, p+"a"); err != nil || ok {
			t.Fatalf("Has before Set: %v %v", ok, err)
		}
		must(t, s.Set(ctx, p+"a", 1))
		must(t, s.Set(ctx, p+"b", 2))
		must(t, s.Set(ctx, p+"c:x", 3))
		if ok, err := s.Has(ctx, p+"a"); err != nil || !ok {
			t.Fatalf("Has after Set: %v %v", ok, err)
		}
		keys, err := s.Keys(ctx, p+"*")
		must(t, err)
		if want := []string{p + "a", p + "b", p + "c:x"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("Keys = %q, want %q", keys, want)
		}
		keys, err = s.Keys(ctx, p+"c:*")
		must(t, err)
		if len(keys) != 1 {
			t.Errorf("Keys c:* = %q", keys)
		}
		n, err := s.Delete(ctx, p+"a", p+"b", p+"nope")
		if err != nil || n != 2 {
			t.Errorf("Delete = %d, %v; want 2", n, err)
		}
		if n, err := s.Delete(ctx); n != 0 || err != nil {
			t.Errorf("Delete() = %d, %v", n, err)
		}
	})
}

func TestKeysManyScanBatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		m := make(map[string]any)
		for i := range 2500 {
			m[p+strconv.Itoa(i)] = i
		}
		must(t, s.SetMany(ctx, m))
		keys, err := s.Keys(ctx, p+"*")
		must(t, err)
		if len(keys) != len(m) {
			t.Errorf("Keys found %d, want %d", len(keys), len(m))
		}
	})
}

func TestIncr(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		must(t, s.Set(ctx, p+"n", 40))
		n, err := s.Incr(ctx, p+"n", 2)
		if err != nil || n != 42 {
			t.Errorf("Incr = %d, %v", n, err)
		}
		if got, _ := stub.GetAs[int](ctx, s, p+"n"); got != 42 {
			t.Errorf("Get after Incr = %d", got)
		}
		if n, err := s.Incr(ctx, p+"fresh", -1); err != nil || n != -1 {
			t.Errorf("Incr fresh = %d, %v", n, err)
		}
		must(t, s.Set(ctx, p+"f", 1.5))
		f, err := s.IncrFloat(ctx, p+"f", 0.25)
		if err != nil || f != 1.75 {
			t.Errorf("IncrFloat = %v, %v", f, err)
		}
		if got, _ := stub.GetAs[float64](ctx, s, p+"f"); got != 1.75 {
			t.Errorf("Get after IncrFloat = %v", got)
		}
		must(t, s.Set(ctx, p+"s", "x"))
		if _, err := s.Incr(ctx, p+"s", 1); err == nil || !strings.Contains(err.Error(), "not an integer") {
			t.Errorf("Incr of text: %v", err)
		}
	})
}

func TestSetManyGetMany(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		must(t, s.SetMany(ctx, map[string]any{p + "a": "x", p + "b": 2, p + "c": point{3, 4, ""}}))
		got, err := s.GetMany(ctx, p+"a", p+"b", p+"c", p+"missing")
		must(t, err)
		if len(got) != 3 {
			t.Fatalf("GetMany = %v", got)
		}
		var pt point
		must(t, got[p+"c"].Decode(&pt))
		if pt != (point{3, 4, ""}) {
			t.Errorf("c = %+v", pt)
		}
		ints, err := stub.GetManyAs[int](ctx, s, p+"b", p+"missing")
		if err != nil || !reflect.DeepEqual(ints, map[string]int{p + "b": 2}) {
			t.Errorf("GetManyAs = %v, %v", ints, err)
		}
		if _, err := stub.GetManyAs[int](ctx, s, p+"a"); !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("GetManyAs text: %v", err)
		}
		if err := s.SetMany(ctx, map[string]any{p + "bad": func() {}}); !errors.Is(err, stub.ErrUnsupportedType) {
			t.Errorf("SetMany func: %v", err)
		}
	})
}

func TestTTL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		must(t, s.Set(ctx, p+"k", "v", stub.WithTTL(time.Minute)))
		ttl, err := s.Redis().PTTL(ctx, p+"k").Result()
		if err != nil || ttl <= 50*time.Second || ttl > time.Minute {
			t.Errorf("PTTL = %v, %v", ttl, err)
		}
		must(t, s.Set(ctx, p+"k", "v"))
		if ttl, _ := s.Redis().PTTL(ctx, p+"k").Result(); ttl != -1 {
			t.Errorf("PTTL after plain Set = %v, want -1 (no expiry)", ttl)
		}
		must(t, s.Set(ctx, p+"short", "v", stub.WithTTL(time.Millisecond)))
		for { // wait for the expiry itself, not for a fixed time
			ok, err := s.Has(ctx, p+"short")
			must(t, err)
			if !ok {
				break
			}
		}
	})
}

func TestClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		must(t, s.Close())
		must(t, s.Close())
		if err := s.Set(ctx, p+"k", 1); !errors.Is(err, stub.ErrClosed) {
			t.Errorf("Set after Close: %v", err)
		}
		if err := s.Lock(ctx); !errors.Is(err, stub.ErrClosed) {
			t.Errorf("Lock after Close: %v", err)
		}
	})
}

func TestServerDetected(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		be := strings.Split(t.Name(), "/")[1]
		want := map[string]string{"remoted": "remoted", "redis": "redis", "cluster": "redis"}[be]
		if s.Server() != want || s.Native() != (want == "remoted") || s.Cluster() != (be == "cluster") {
			t.Errorf("Server() = %q, Native() = %v, Cluster() = %v", s.Server(), s.Native(), s.Cluster())
		}
	})
}

// TestConnectOneRoundTrip counts, on a real redis-server, the commands a
// Connect and a first Set cost: one HELLO and the SET, nothing else.
func TestConnectOneRoundTrip(t *testing.T) {
	url := realRedis(t)
	ctx := tctx(t)
	admin := connect(t, url).Redis()
	must(t, admin.ConfigResetStat(ctx).Err())
	s, err := stub.Connect(ctx, url)
	must(t, err)
	defer s.Close()
	must(t, s.Set(ctx, t.Name(), 1))
	stats, err := admin.Info(ctx, "commandstats").Result()
	must(t, err)
	calls := map[string]string{}
	for _, line := range strings.Split(stats, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		n, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		calls[strings.TrimPrefix(name, "cmdstat_")] = n
	}
	delete(calls, "info") // the admin's own
	delete(calls, "config|resetstat")
	if want := map[string]string{"hello": "1", "set": "1"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("commands run = %v, want %v", calls, want)
	}
}

func TestConnectErrors(t *testing.T) {
	ctx := tctx(t)
	if _, err := stub.Connect(ctx, "unix://"+t.TempDir()+"/none.sock"); err == nil {
		t.Error("Connect to nothing succeeded")
	}
	if _, err := stub.Connect(ctx, "ftp://x"); err == nil {
		t.Error("Connect to ftp:// succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := stub.Connect(cctx, remotedURL); err == nil {
		t.Error("Connect with a canceled context succeeded")
	}
}

func TestDefaultURL(t *testing.T) {
	t.Setenv("REMOTED_URL", "redis://example:1")
	if got := stub.DefaultURL(); got != "redis://example:1" {
		t.Errorf("DefaultURL = %q", got)
	}
	t.Setenv("REMOTED_URL", "")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/7")
	if got := stub.DefaultURL(); got != "unix:///run/user/7/remoted/default.sock" {
		t.Errorf("DefaultURL = %q", got)
	}
}
