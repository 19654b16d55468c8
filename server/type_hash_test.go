package server

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
)

// hashLimits returns encoding limits of entries pairs and value bytes.
func hashLimits(entries, value int64) *encodingLimits {
	var l encodingLimits
	l.init()
	l.hashEntries.Store(entries)
	l.hashValue.Store(value)
	return &l
}

// hashContents returns h's pairs as a map, failing tb on a field seen
// twice or a length that disagrees.
func hashContents(tb testing.TB, h *hashObj) map[string]string {
	tb.Helper()
	m := map[string]string{}
	h.each(func(f, v []byte) bool {
		if _, dup := m[string(f)]; dup {
			tb.Fatalf("field %q iterated twice", f)
		}
		m[string(f)] = string(v)
		return true
	})
	if len(m) != h.length() {
		tb.Fatalf("length %d, iterated %d pairs", h.length(), len(m))
	}
	return m
}

func TestHashListpackOrderAndConversion(t *testing.T) {
	lim := hashLimits(4, 8)
	h := newHashObj(0)
	for i, f := range []string{"b", "a", "", "c"} {
		if !h.set([]byte(f), []byte(fmt.Sprint(i)), lim) {
			t.Fatalf("set %q: not new", f)
		}
	}
	if h.set([]byte("a"), []byte("longer"), lim) {
		t.Fatal("set of an existing field reported new")
	}
	var order []string
	h.each(func(f, v []byte) bool {
		order = append(order, string(f)+"="+string(v))
		return true
	})
	if got := strings.Join(order, ","); got != "b=0,a=longer,=2,c=3" || h.encoding() != "listpack" {
		t.Fatalf("listpack order %q, encoding %s", got, h.encoding())
	}
	if !h.del([]byte("b")) || h.del([]byte("b")) || h.length() != 3 {
		t.Fatal("del")
	}
	h.set([]byte("d"), []byte("12345678"), lim) // 4 pairs, 8 bytes: still a listpack
	if h.encoding() != "listpack" {
		t.Fatal("converted at the limits")
	}
	h.set([]byte("e"), nil, lim) // a fifth pair
	if h.encoding() != "hashtable" {
		t.Fatal("not converted past the entries limit")
	}
	want := map[string]string{"a": "longer", "": "2", "c": "3", "d": "12345678", "e": ""}
	if got := hashContents(t, h); !maps.Equal(got, want) {
		t.Fatalf("after conversion %v, want %v", got, want)
	}
	for f := range want { // never back to a listpack
		h.del([]byte(f))
	}
	if h.length() != 0 || h.encoding() != "hashtable" {
		t.Fatalf("emptied: length %d, %s", h.length(), h.encoding())
	}

	long := newHashObj(0)
	long.set([]byte("f"), []byte("123456789"), lim)
	if long.encoding() != "hashtable" {
		t.Fatal("a 9-byte value kept the listpack")
	}
	long = newHashObj(0)
	long.set([]byte("123456789"), []byte("v"), lim)
	if long.encoding() != "hashtable" {
		t.Fatal("a 9-byte field kept the listpack")
	}
}

// TestHashModel runs random operations on hashes, small and large,
// against a map, checking contents, clones and the memory estimate's
// sanity as it goes.
func TestHashModel(t *testing.T) {
	for _, fields := range []int{6, 40, 3000} {
		t.Run(fmt.Sprint(fields), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(fields)))
			lim := hashLimits(16, 10)
			h := newHashObj(0)
			model := map[string]string{}
			var snap *hashObj
			var snapModel map[string]string
			for i := range 20000 {
				f := fmt.Sprintf("f%d", r.IntN(fields))
				switch op := r.IntN(10); {
				case op < 6:
					v := strings.Repeat("x", r.IntN(12))
					_, had := model[f]
					if h.set([]byte(f), []byte(v), lim) == had {
						t.Fatalf("op %d: set %q: new %v", i, f, !had)
					}
					model[f] = v
				case op < 9:
					_, had := model[f]
					if h.del([]byte(f)) != had {
						t.Fatalf("op %d: del %q: had %v", i, f, had)
					}
					delete(model, f)
				default:
					v, ok := h.get([]byte(f))
					if mv, had := model[f]; ok != had || string(v) != mv {
						t.Fatalf("op %d: get %q = %q %v, want %q %v", i, f, v, ok, mv, had)
					}
				}
				if h.length() != len(model) {
					t.Fatalf("op %d: length %d, want %d", i, h.length(), len(model))
				}
				if i%997 == 0 {
					if got := hashContents(t, h); !maps.Equal(got, model) {
						t.Fatalf("op %d: contents differ from the model", i)
					}
					if snap != nil && !maps.Equal(hashContents(t, snap), snapModel) {
						t.Fatalf("op %d: a clone changed with its original", i)
					}
					snap, snapModel = h.clone().(*hashObj), maps.Clone(model)
					checkHashTable(t, h)
				}
			}
		})
	}
}

// TestHashTableScan checks HSCAN's promise on the table: a field present
// for the whole walk is returned, however the table grows or shrinks
// meanwhile.
func TestHashTableScan(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for round := range 20 {
		tb := newHashTable(0)
		for i := range 1000 {
			tb.set(fmt.Appendf(nil, "stay%d", i), nil)
		}
		seen := map[string]bool{}
		cursor, steps := uint64(0), 0
		for {
			cursor = tb.scanBucket(cursor, func(f, _ []byte) { seen[string(f)] = true })
			if cursor == 0 {
				break
			}
			steps++
			switch { // churn that grows the table in some rounds, shrinks it in others
			case round%2 == 0:
				tb.set(fmt.Appendf(nil, "new%d", r.IntN(1<<20)), nil)
			case steps%2 == 0:
				tb.set(fmt.Appendf(nil, "tmp%d", steps), nil)
				tb.del(fmt.Appendf(nil, "tmp%d", steps))
			}
		}
		for i := range 1000 {
			if !seen[fmt.Sprintf("stay%d", i)] {
				t.Fatalf("round %d: stay%d never returned", round, i)
			}
		}
	}
	// Shrinking under a walk: delete most fields halfway.
	tb := newHashTable(0)
	for i := range 4096 {
		tb.set(fmt.Appendf(nil, "f%d", i), nil)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for i := 0; ; i++ {
		cursor = tb.scanBucket(cursor, func(f, _ []byte) { seen[string(f)] = true })
		if cursor == 0 {
			break
		}
		if i == 1000 {
			for j := 100; j < 4096; j++ {
				tb.del(fmt.Appendf(nil, "f%d", j))
			}
		}
	}
	for j := range 100 {
		if !seen[fmt.Sprintf("f%d", j)] {
			t.Fatalf("f%d never returned after a shrink", j)
		}
	}
}

func TestHashRandom(t *testing.T) {
	for _, n := range []int{1, 5, 300} {
		h := newHashObj(0)
		lim := hashLimits(128, 64)
		for i := range n {
			h.set(fmt.Appendf(nil, "f%d", i), fmt.Appendf(nil, "v%d", i), lim)
		}
		counts := map[string]int{}
		for range 200 * n {
			f, v := h.random()
			if "v"+string(f[1:]) != string(v) {
				t.Fatalf("random pair %q=%q", f, v)
			}
			counts[string(f)]++
		}
		for f, c := range counts {
			if c < 100 || c > 300 {
				t.Fatalf("%d fields: %s drawn %d times of about 200", n, f, c)
			}
		}
		if len(counts) != n {
			t.Fatalf("%d fields: drew only %d", n, len(counts))
		}
		for k := 1; k < n; k += max(1, n/7) {
			got := map[string]bool{}
			h.sample(k, func(f, _ []byte) bool {
				if got[string(f)] {
					t.Fatalf("sample %d of %d: %s twice", k, n, f)
				}
				got[string(f)] = true
				return true
			})
			if len(got) != k {
				t.Fatalf("sample %d of %d gave %d", k, n, len(got))
			}
		}
	}
}

// checkHashTable fails tb unless h's table, if it has one, agrees with
// itself: its pair count, the bytes of its pairs, its free list, and
// every chain leading to pairs of its bucket.
func checkHashTable(tb testing.TB, h *hashObj) {
	tb.Helper()
	t := h.table()
	if t == nil {
		if h.memSize() != hashObjSize+int64(cap(h.list())) {
			tb.Fatalf("listpack memSize %d", h.memSize())
		}
		return
	}
	pairs, mem := 0, int64(0)
	for i := range uint32(t.nents) {
		if e := t.ent(i); e.p != nil {
			pairs++
			mem += allocSize(int(e.n))
		}
	}
	free := 0
	for p := t.free; p != 0; p = t.ent(p - 1).next {
		free++
	}
	chained := 0
	for b, head := range t.buckets {
		for p := head; p != 0; p = t.ent(p - 1).next {
			f, _ := t.ent(p - 1).pair()
			if t.bucketOf(f) != b {
				tb.Fatalf("field %q chained in bucket %d", f, b)
			}
			chained++
		}
	}
	if pairs != t.n || chained != t.n || free != t.nents-t.n || mem != t.strMem {
		tb.Fatalf("table: %d pairs, %d chained, %d free of %d ents, %d bytes; want %d pairs, %d bytes", pairs, chained, free, t.nents, mem, t.n, t.strMem)
	}
}
