package stub_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/remoted/remoted/stub"
)

// Set/Get through the stub against plain go-redis Set/Get on the same
// go-redis client and server, with 1 and 16 goroutines. The server is the
// in-process remoted unless $REMOTED_BENCH_URL names another (say a
// `remoted serve` in its own process, or a redis-server):
//
//	go test -run '^$' -bench SetGet ./stub/
//
// testdata/bench_manager_dict.py measures Python's
// multiprocessing.Manager().dict() the same way.

const benchKeys = 1000

var benchKeyNames = func() []string {
	k := make([]string, benchKeys)
	for i := range k {
		k[i] = "bench:" + strconv.Itoa(i)
	}
	return k
}()

func benchShare(b *testing.B) *stub.Share {
	url := os.Getenv("REMOTED_BENCH_URL")
	if url == "" {
		url = remotedURL
	}
	return connect(b, url)
}

// spread runs b.N calls of op over g goroutines and reports ops/s.
func spread(b *testing.B, g int, op func(ctx context.Context, key string) error) {
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range g {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if err := op(ctx, benchKeyNames[i%benchKeys]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkSetGet(b *testing.B) {
	s := benchShare(b)
	rdb := s.Redis() // the same client the stub uses: only the stub's layer differs
	const value = "value-0123456789"
	ctx := context.Background()
	for _, k := range benchKeyNames {
		if err := s.Set(ctx, k, value); err != nil {
			b.Fatal(err)
		}
	}
	type pt struct{ X, Y int }
	for _, g := range []int{1, 16} {
		gs := "g" + strconv.Itoa(g)
		b.Run("set/goredis/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error { return rdb.Set(ctx, k, value, 0).Err() })
		})
		b.Run("set/stub/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error { return s.Set(ctx, k, value) })
		})
		b.Run("get/goredis/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error {
				_, err := rdb.Get(ctx, k).Result()
				return err
			})
		})
		b.Run("get/stub/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error {
				var v string
				return s.Get(ctx, k, &v)
			})
		})
		b.Run("setget-int/stub/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error {
				if err := s.Set(ctx, k+":n", 12345); err != nil {
					return err
				}
				_, err := stub.GetAs[int](ctx, s, k+":n")
				return err
			})
		})
		b.Run("setget-struct/stub/"+gs, func(b *testing.B) {
			spread(b, g, func(ctx context.Context, k string) error {
				if err := s.Set(ctx, k+":p", pt{1, 2}); err != nil {
					return err
				}
				_, err := stub.GetAs[pt](ctx, s, k+":p")
				return err
			})
		})
	}
}

// BenchmarkCodec is the stub's own cost per value, without the network.
func BenchmarkCodec(b *testing.B) {
	type pt struct{ X, Y int }
	for _, c := range []struct {
		name string
		v    any
		ptr  func() any
	}{
		{"string", "value-0123456789", func() any { return new(string) }},
		{"int", 12345, func() any { return new(int) }},
		{"struct", pt{1, 2}, func() any { return new(pt) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := stub.Marshal(c.v)
				if err != nil {
					b.Fatal(err)
				}
				if err := stub.Unmarshal(data, c.ptr()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWithLock is a loop of share-wide Lock and Unlock with nothing
// inside, on one Share: the cost a program pays per critical section.
func BenchmarkWithLock(b *testing.B) {
	s := benchShare(b)
	ctx := context.Background()
	for b.Loop() {
		if err := s.WithLock(ctx, func(context.Context) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
