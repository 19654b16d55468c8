package server

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// checkSet fails tb unless set holds exactly the members of model and its
// structure is sound: an intset sorted at the smallest width its members
// need (or wider, after removals), a table whose members all sit after
// their bucket with no empty slot in between, and its byte count right.
func checkSet(tb testing.TB, set *setObj, model map[string]bool) {
	tb.Helper()
	if set.length() != len(model) {
		tb.Fatalf("length %d, model %d", set.length(), len(model))
	}
	var got []string
	set.each(func(m []byte) bool { got = append(got, string(m)); return true })
	if len(got) != len(model) {
		tb.Fatalf("each gave %d members, model has %d", len(got), len(model))
	}
	for _, m := range got {
		if !model[m] || !set.has([]byte(m)) {
			tb.Fatalf("member %q: in model %v, has %v", m, model[m], set.has([]byte(m)))
		}
	}
	if set.ht == nil {
		checkIntset(tb, &set.ints)
		return
	}
	checkTable(tb, set.ht)
}

func checkIntset(tb testing.TB, is *intset) {
	tb.Helper()
	need := uint8(2)
	for i := range is.len() {
		v := is.at(i)
		need = max(need, intsetWidth(v))
		if i > 0 && is.at(i-1) >= v {
			tb.Fatalf("intset not sorted at %d: %d then %d", i, is.at(i-1), v)
		}
	}
	if is.len() > 0 && is.width < need {
		tb.Fatalf("intset width %d, a member needs %d", is.width, need)
	}
}

func checkTable(tb testing.TB, t *setTable) {
	tb.Helper()
	n, bytes := 0, int64(0)
	for k, a := range []*setSlots{&t.cur, &t.old} {
		mask := a.mask()
		for i, tag := range a.tags {
			switch {
			case tag == tagTombstone && k == 0:
				tb.Fatalf("tombstone in the current array at %d", i)
			case tag < 0x80:
				continue
			}
			n++
			m := a.at(uint64(i))
			bytes += memberAllocSize(len(m))
			h := memberHash(m)
			if tag != memberTag(h) {
				tb.Fatalf("array %d slot %d: tag %#x, member %q's is %#x", k, i, tag, m, memberTag(h))
			}
			for j := h & mask; j != uint64(i); j = (j + 1) & mask {
				if a.tags[j] == tagEmpty {
					tb.Fatalf("member %q at %d of array %d: empty slot %d after its bucket %d", m, i, k, j, h&mask)
				}
			}
		}
	}
	if n != t.n || bytes != t.bytes {
		tb.Fatalf("table holds %d members of %d bytes, counts %d of %d", n, bytes, t.n, t.bytes)
	}
	if t.n*4 > len(t.cur.slots)*3 {
		tb.Fatalf("array of %d slots more than 3/4 full: %d", len(t.cur.slots), t.n)
	}
}

// randomSetMember draws a member: integers of every width, written
// canonically or not, and strings.
func randomSetMember(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return strconv.Itoa(r.IntN(64) - 32)
	case 1:
		return strconv.Itoa(r.IntN(1<<17) - 1<<16)
	case 2:
		return strconv.FormatInt(r.Int64()>>r.IntN(40), 10)
	case 3:
		return []string{"-0", "+1", "01", " 1", "", "9223372036854775808", strconv.Itoa(math.MinInt64)}[r.IntN(7)]
	default:
		return "m" + strconv.Itoa(r.IntN(400))
	}
}

// TestSetModel applies random adds and removes to sets and a map and
// checks they agree, through conversions and table resizes.
func TestSetModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		limit := int64([]int{0, 1, 3, 16, 512}[round%5])
		intsOnly := round%3 == 0
		set, model := &setObj{}, map[string]bool{}
		for op := range 600 {
			m := randomSetMember(r)
			if intsOnly {
				m = strconv.Itoa(r.IntN(700))
			}
			if r.IntN(3) == 0 {
				if got := set.remove([]byte(m)); got != model[m] {
					t.Fatalf("round %d op %d: remove %q = %v, model %v", round, op, m, got, model[m])
				}
				delete(model, m)
			} else {
				if got := set.add([]byte(m), limit); got == model[m] {
					t.Fatalf("round %d op %d: add %q = %v, model had it %v", round, op, m, got, model[m])
				}
				model[m] = true
			}
			if set.ht == nil && set.length() > int(limit) {
				t.Fatalf("round %d: intset of %d members past the limit %d", round, set.length(), limit)
			}
			if op%10 == 0 {
				checkSet(t, set, model)
			}
		}
		checkSet(t, set, model)
		checkSet(t, set.clone().(*setObj), model)
	}
}

// TestIntsetWidths: the width is the smallest that holds every member,
// grows with a wider one, and the members read back sorted.
func TestIntsetWidths(t *testing.T) {
	cases := []struct {
		add   []int64
		width uint8
	}{
		{[]int64{1, -1, 32767, -32768}, 2},
		{[]int64{32768}, 4},
		{[]int64{-32769, math.MaxInt32, math.MinInt32}, 4},
		{[]int64{math.MaxInt32 + 1}, 8},
		{[]int64{math.MinInt64, math.MaxInt64}, 8},
	}
	var is intset
	var all []int64
	for _, c := range cases {
		for _, v := range c.add {
			if !is.add(v) || is.add(v) {
				t.Fatalf("add %d: not new once, or new twice", v)
			}
			all = append(all, v)
		}
		if is.width != c.width {
			t.Fatalf("after %v: width %d, want %d", c.add, is.width, c.width)
		}
		slices.Sort(all)
		for i, v := range all {
			if is.at(i) != v {
				t.Fatalf("member %d: %d, want %d", i, is.at(i), v)
			}
		}
	}
	if is.remove(12345) || !is.remove(math.MinInt64) || is.len() != len(all)-1 {
		t.Fatalf("remove: len %d", is.len())
	}
}

// TestSetCanonicalIntegers: only what Redis's string2ll reads back as the
// same bytes keeps a set an intset.
func TestSetCanonicalIntegers(t *testing.T) {
	for _, m := range []string{"0", "-1", "9223372036854775807", "-9223372036854775808", "12"} {
		set := &setObj{}
		set.add([]byte(m), 512)
		if set.encoding() != "intset" {
			t.Errorf("%q: %s, want intset", m, set.encoding())
		}
	}
	for _, m := range []string{"-0", "+1", "01", " 1", "1 ", "", "1.0", "9223372036854775808", "-9223372036854775809", "0x1"} {
		set := &setObj{}
		set.add([]byte("1"), 512)
		set.add([]byte(m), 512)
		if set.encoding() != "hashtable" || !set.has([]byte(m)) || !set.has([]byte("1")) {
			t.Errorf("%q: %s, has it %v", m, set.encoding(), set.has([]byte(m)))
		}
	}
}

// TestSetScanAcrossResizes: a scan returns every member present from its
// start to its end, while others are added and removed and the table
// grows and shrinks between its calls.
func TestSetScanAcrossResizes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		set := &setObj{}
		stable := map[string]bool{}
		for i := range 40 {
			m := "s" + strconv.Itoa(i)
			set.add([]byte(m), 0)
			stable[m] = true
		}
		seen := map[string]bool{}
		cursor, churn := uint64(0), 0
		for {
			cursor = set.ht.scan(cursor, func(m string) { seen[m] = true })
			if cursor == 0 {
				break
			}
			// Grow to thousands of members, or shrink back.
			for range r.IntN(300) {
				m := []byte("c" + strconv.Itoa(churn%2000))
				if round%2 == 0 || r.IntN(2) == 0 {
					set.add(m, 0)
				} else {
					set.remove(m)
				}
				churn++
			}
			if r.IntN(10) == 0 {
				for i := range 2000 {
					set.remove([]byte("c" + strconv.Itoa(i)))
				}
			}
		}
		for m := range stable {
			if !seen[m] {
				t.Fatalf("round %d: scan missed %q (table of %d)", round, m, len(set.ht.cur.slots))
			}
		}
	}
}

// TestSetRandomFair: random draws reach every member of a table about
// equally often.
func TestSetRandomFair(t *testing.T) {
	set := &setObj{}
	for i := range 10 {
		set.add([]byte("m"+strconv.Itoa(i)), 0)
	}
	counts := map[string]int{}
	for range 20000 {
		counts[string(set.random(nil))]++
	}
	for m, n := range counts {
		if n < 1500 || n > 2500 {
			t.Errorf("%s drawn %d times of 20000, want about 2000", m, n)
		}
	}
	if len(counts) != 10 {
		t.Errorf("%d members drawn, want 10", len(counts))
	}
}
