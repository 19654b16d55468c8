package rdb

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var diffRounds = flag.Int("rounds", 20000, "payloads TestDifferential tries")

// TestDifferential compares Restore with redis-server (at -redis, or one of
// its own) on
// mutations of small payloads: whatever both accept must hold the same
// value. It sets sanitize-dump-payload yes, as Redis with the default (no)
// validates listpacks, ziplists and intsets only shallowly, accepting many
// payloads that Restore rejects and crashing on some. It logs, by the error
// Restore gives, what only Redis accepts, and what only Restore accepts by
// Redis's error.
func TestDifferential(t *testing.T) {
	c := redisFor(t)
	ctx := context.Background()
	if err := c.ConfigSet(ctx, "sanitize-dump-payload", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	defer c.ConfigSet(ctx, "sanitize-dump-payload", "no")
	var seeds [][]byte
	for _, gc := range goldenCases() {
		if p := Dump(gc.v); len(p) < 3000 {
			seeds = append(seeds, p[:len(p)-10])
		}
	}
	for _, lc := range legacyCases() {
		if len(lc.payload) < 3000 {
			seeds = append(seeds, lc.payload[:len(lc.payload)-10])
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	onlyRedis := map[string]int{}
	onlyMine := map[string]int{}
	var prev []byte
	both, neither := 0, 0
	for range *diffRounds {
		b := append([]byte(nil), seeds[r.IntN(len(seeds))]...)
		for range 1 + r.IntN(3) {
			switch i := r.IntN(len(b)); r.IntN(4) {
			case 3:
				b = slices.Insert(b, i, byte(r.Uint32()))
			case 0:
				b[i] = byte(r.Uint32())
			case 1:
				b[i] += byte(r.IntN(5)) - 2
			case 2:
				b = b[:i+1]
			}
		}
		p := payload(b, 10)
		v, err := Restore(p)
		c.Del(ctx, "d")
		rerr := c.Restore(ctx, "d", 0, string(p)).Err()
		if rerr != nil && (strings.Contains(rerr.Error(), "connection") || strings.Contains(rerr.Error(), "EOF")) {
			t.Fatalf("redis-server gone, after %x or %x (Restore says %v): %v", prev, p, err, rerr)
		}
		prev = p
		switch {
		case err != nil && rerr != nil:
			neither++
		case err == nil && rerr == nil:
			both++
			got := readBack(t, c, "d", v.Kind)
			// Redis keeps a listpack's sorted set in the order it has.
			slices.SortFunc(got.ZSet, compareScored)
			if !equalValues(normalize(got), normalize(v)) {
				t.Errorf("%x: values differ", p)
			}
		case err == nil:
			onlyMine[rerr.Error()]++
			if onlyMine[rerr.Error()] < 3 {
				t.Logf("only Restore accepts %x: %v", p, rerr)
			}
		case rerr == nil:
			k := err.Error()
			if errors.Is(err, ErrStream) {
				k = "stream"
			}
			if onlyRedis[k] < 2 {
				t.Logf("only Redis accepts %x: %v", p, err)
			}
			onlyRedis[k]++
		}
	}
	t.Logf("both accept %d, neither %d", both, neither)
	t.Logf("only Redis accepts: %v", onlyRedis)
	t.Logf("only Restore accepts: %v", onlyMine)
}
