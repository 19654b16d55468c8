package server

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
)

// zsetModel is the obvious sorted set: a slice kept sorted.
type zsetModel []zsEntry

func (m *zsetModel) set(member string, score float64) {
	m.remove(member)
	e := zsEntry{member, score}
	i, _ := slices.BinarySearchFunc(*m, e, zsCmp)
	*m = slices.Insert(*m, i, e)
}

func (m *zsetModel) remove(member string) bool {
	for i, e := range *m {
		if e.member == member {
			*m = slices.Delete(*m, i, i+1)
			return true
		}
	}
	return false
}

// checkZset compares z with the model, through every way of reading z.
func checkZset(t *testing.T, z *zset, m zsetModel) {
	t.Helper()
	if z.length() != len(m) {
		t.Fatalf("length %d, want %d", z.length(), len(m))
	}
	var bytes int64
	for i, e := range m {
		bytes += int64(len(e.member))
		if got := z.at(i); got != e {
			t.Fatalf("at(%d) = %v, want %v", i, got, e)
		}
		if r, ok := z.rank(e.member); !ok || r != i {
			t.Fatalf("rank(%q) = %d, %v, want %d", e.member, r, ok, i)
		}
		if s, ok := z.score(e.member); !ok || s != e.score {
			t.Fatalf("score(%q) = %v, %v, want %v", e.member, s, ok, e.score)
		}
	}
	if z.bytes != bytes {
		t.Fatalf("bytes %d, want %d", z.bytes, bytes)
	}
	if len(m) > 0 {
		if got := z.ranks(0, len(m)-1); !slices.Equal(got, m) {
			t.Fatalf("ranks = %v, want %v", got, m)
		}
	}
	var each []zsEntry
	z.each(func(e zsEntry) bool { each = append(each, e); return true })
	if !slices.Equal(each, m) && len(m) > 0 {
		t.Fatalf("each = %v, want %v", each, m)
	}
	if _, ok := z.score("absent member"); ok {
		t.Fatal("an absent member has a score")
	}
}

// TestZsetModel runs random changes on sorted sets, compact and large,
// against the model: the large form's hash table (with its
// backward-shift deletion), slots and B-tree must agree with it.
func TestZsetModel(t *testing.T) {
	for _, entries := range []int64{1000, 16, 0} {
		t.Run(fmt.Sprint("entries=", entries), func(t *testing.T) {
			var lim encodingLimits
			lim.init()
			lim.zsetEntries.Store(entries)
			r := rand.New(rand.NewPCG(uint64(entries), 7))
			z, m := newZset(), zsetModel{}
			for step := range 3000 {
				member := fmt.Sprint("m", r.IntN(300))
				score := float64(r.IntN(20)) // many ties: order by member
				switch op := r.IntN(10); {
				case op < 6:
					_, had := z.score(member)
					if added := z.set(member, score, &lim); added == had {
						t.Fatalf("step %d: set(%q) added %v, had %v", step, member, added, had)
					}
					m.set(member, score)
				case op < 9:
					if z.remove(member) != m.remove(member) {
						t.Fatalf("step %d: remove(%q) disagrees", step, member)
					}
				default:
					if n := z.length(); n > 0 {
						lo := r.IntN(n)
						hi := min(n-1, lo+r.IntN(5))
						z.removeRanks(lo, hi)
						m = slices.Delete(m, lo, hi+1)
					}
				}
				if step%100 == 0 {
					checkZset(t, z, m)
				}
			}
			checkZset(t, z, m)
			if want := entries < 300; (z.big != nil) != want {
				t.Errorf("large form %v, want %v", z.big != nil, want)
			}
			c := z.clone().(*zset)
			checkZset(t, c, m)
			c.set("only in the clone", 1, &lim)
			checkZset(t, z, m)
		})
	}
}

// TestZsetConversion checks when a set leaves the compact form: past
// zset-max-listpack-entries members or with a member longer than
// zset-max-listpack-value bytes, and never back.
func TestZsetConversion(t *testing.T) {
	var lim encodingLimits
	lim.init()
	z := newZset()
	for i := range 128 {
		z.set(fmt.Sprint(i), float64(i), &lim)
	}
	if z.encoding() != "listpack" {
		t.Fatalf("128 members: %s", z.encoding())
	}
	z.set("128", 128, &lim)
	if z.encoding() != "skiplist" {
		t.Fatalf("129 members: %s", z.encoding())
	}
	z.removeRanks(0, 127)
	if z.encoding() != "skiplist" || z.length() != 1 {
		t.Fatalf("after removals: %s, %d members", z.encoding(), z.length())
	}
	z = newZset()
	z.set(string(make([]byte, 64)), 1, &lim)
	if z.encoding() != "listpack" {
		t.Fatalf("64-byte member: %s", z.encoding())
	}
	z.set(string(make([]byte, 65)), 1, &lim)
	if z.encoding() != "skiplist" {
		t.Fatalf("65-byte member: %s", z.encoding())
	}
	small := zsetFrom([]zsEntry{{"b", 2}, {"a", math.Copysign(0, -1)}}, &lim)
	if small.encoding() != "listpack" || small.at(0) != (zsEntry{"a", 0}) || math.Signbit(small.at(0).score) {
		t.Fatalf("zsetFrom: %s, %v", small.encoding(), small.small)
	}
}

// TestZsetScanSlots checks that a large set's scan returns each member
// present throughout exactly once while others come and go.
func TestZsetScanSlots(t *testing.T) {
	var lim encodingLimits
	lim.init()
	lim.zsetEntries.Store(0)
	z := newZset()
	for i := range 500 {
		z.set(fmt.Sprint("keep", i), float64(i), &lim)
	}
	seen := map[string]int{}
	cursor, round := uint64(0), 0
	for {
		cursor = z.big.scan(cursor, 7, func(e zsEntry) { seen[e.member]++ })
		z.set(fmt.Sprint("new", round), float64(round), &lim)
		z.remove(fmt.Sprint("new", round-1))
		round++
		if cursor == 0 {
			break
		}
	}
	for i := range 500 {
		if n := seen[fmt.Sprint("keep", i)]; n != 1 {
			t.Fatalf("keep%d seen %d times", i, n)
		}
	}
}

// TestZsetMemory reports the bytes a million-member large set holds (run
// with ZSET_MEM=1; it takes a few seconds).
func TestZsetMemory(t *testing.T) {
	if os.Getenv("ZSET_MEM") == "" {
		t.Skip("set ZSET_MEM=1 to measure")
	}
	var lim encodingLimits
	lim.init()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	z := newZset()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 1000000 {
		z.set(fmt.Sprintf("member:%d", i), r.Float64()*1e6, &lim)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	live := int64(m1.HeapAlloc - m0.HeapAlloc)
	t.Logf("live %d bytes, %.1f a member; memSize %d", live, float64(live)/1e6, z.memSize())
	runtime.KeepAlive(z)
}

// TestZsetShrink checks that a large set that loses most of its members
// gives its slots back and still answers as the model does.
func TestZsetShrink(t *testing.T) {
	var lim encodingLimits
	lim.init()
	z, m := newZset(), zsetModel{}
	for i := range 20000 {
		member := fmt.Sprintf("m%05d", i)
		z.set(member, float64(i%100), &lim)
		m = append(m, zsEntry{member, float64(i % 100)})
	}
	slices.SortFunc(m, zsCmp)
	before := z.memSize()
	z.removeRanks(0, 18999)
	m = m[19000:]
	for i := range 500 {
		member := fmt.Sprintf("m%05d", 19000+i*2)
		z.remove(member)
		m.remove(member)
	}
	checkZset(t, z, m)
	if after := z.memSize(); after*4 > before || int(z.big.nslots) > 2*zsChunk {
		t.Errorf("memSize %d after removing most of %d; %d slots", after, before, z.big.nslots)
	}
}
