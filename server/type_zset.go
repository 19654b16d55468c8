package server

import (
	"slices"

	"github.com/tidwall/btree"
)

// Sorted sets. Like Redis 7.0, a sorted set has two representations:
//
//   - compact ("listpack"): while it has at most zset-max-listpack-entries
//     members, none longer than zset-max-listpack-value bytes, its members
//     are one slice kept sorted, searched by bisection and scanned
//     linearly for a member;
//   - large ("skiplist"): past either limit, for good, a map from member
//     to score for lookups plus a B-tree of the members in order
//     (tidwall/btree, whose nodes count their items, so that the entry at
//     a rank is found in O(log n) and a rank by bisection over ranks in
//     O(log² n)).
//
// Both keep the members in Redis's order: by score, then by the member's
// bytes.

// zsEntry is one member of a sorted set with its score.
type zsEntry struct {
	member string
	score  float64
}

// zsLess is Redis's order of a sorted set: by score, then by member.
func zsLess(a, b zsEntry) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.member < b.member
}

// zset is a sorted set; exactly one of small and (dict, tree) is in use.
type zset struct {
	small []zsEntry // compact form, sorted; nil once large
	dict  map[string]float64
	tree  *btree.BTreeG[zsEntry]
	bytes int64 // the members' bytes, for memSize
}

// Per-member overheads for memSize, measured with runtime.MemStats over a
// million members: the string header and its allocation's rounding in the
// compact form; the map slot, the B-tree slot and the rounding in the large.
const (
	zsSmallPerEntry = 24 + 8
	zsLargePerEntry = 88
	zsOverhead      = 64
)

func newZset() *zset { return &zset{} }

func (z *zset) kind() valueKind { return kindZSet }

func (z *zset) encoding() string {
	if z.tree != nil {
		return "skiplist"
	}
	return "listpack"
}

func (z *zset) length() int {
	if z.tree != nil {
		return z.tree.Len()
	}
	return len(z.small)
}

func (z *zset) memSize() int64 {
	if z.tree != nil {
		return zsOverhead + int64(z.tree.Len())*zsLargePerEntry + z.bytes
	}
	return zsOverhead + int64(cap(z.small))*zsSmallPerEntry + z.bytes
}

func (z *zset) clone() object {
	c := &zset{bytes: z.bytes}
	if z.tree == nil {
		c.small = slices.Clone(z.small)
		return c
	}
	c.dict = make(map[string]float64, len(z.dict))
	for m, s := range z.dict {
		c.dict[m] = s
	}
	c.tree = z.tree.Copy()
	return c
}

// newZsetTree returns an empty B-tree for a large sorted set.
func newZsetTree() *btree.BTreeG[zsEntry] {
	return btree.NewBTreeGOptions(zsLess, btree.Options{NoLocks: true})
}

// convert moves a compact set to the large form, sized for n members.
func (z *zset) convert(n int) {
	if z.tree != nil {
		return
	}
	z.dict = make(map[string]float64, n)
	z.tree = newZsetTree()
	for _, e := range z.small {
		z.dict[e.member] = e.score
		z.tree.Load(e) // in order: Load appends
	}
	z.small = nil
}

// fits reports whether a compact set may hold n members, the longest
// maxLen bytes, under the limits lim.
func (lim *encodingLimits) zsetFits(n int, maxLen int) bool {
	return int64(n) <= lim.zsetEntries.Load() && int64(maxLen) <= lim.zsetValue.Load()
}

// score returns member's score and whether it is in the set.
func (z *zset) score(member string) (float64, bool) {
	if z.tree != nil {
		s, ok := z.dict[member]
		return s, ok
	}
	for _, e := range z.small {
		if e.member == member {
			return e.score, true
		}
	}
	return 0, false
}

// set gives member the score, adding it if it is new, converting the set
// to the large form first if lim requires it. It reports whether member
// was added.
func (z *zset) set(member string, score float64, lim *encodingLimits) bool {
	old, exists := z.score(member)
	if exists {
		if old == score {
			return false
		}
		z.remove(member)
	} else if z.tree == nil && !lim.zsetFits(len(z.small)+1, len(member)) {
		z.convert(len(z.small) + 1)
	}
	z.bytes += int64(len(member))
	e := zsEntry{member, score}
	if z.tree != nil {
		z.dict[member] = score
		z.tree.Set(e)
		return !exists
	}
	e.score = listpackScore(score)
	i, _ := slices.BinarySearchFunc(z.small, e, zsCmp)
	z.small = slices.Insert(z.small, i, e)
	return !exists
}

// zsCmp is zsLess as a three-way comparison.
func zsCmp(a, b zsEntry) int {
	switch {
	case zsLess(a, b):
		return -1
	case zsLess(b, a):
		return 1
	}
	return 0
}

// remove takes member out of the set and reports whether it was there.
func (z *zset) remove(member string) bool {
	if z.tree != nil {
		s, ok := z.dict[member]
		if !ok {
			return false
		}
		delete(z.dict, member)
		z.tree.Delete(zsEntry{member, s})
		z.bytes -= int64(len(member))
		return true
	}
	for i, e := range z.small {
		if e.member == member {
			z.small = slices.Delete(z.small, i, i+1)
			z.bytes -= int64(len(member))
			return true
		}
	}
	return false
}

// at returns the member of rank i (0 = lowest), which must exist.
func (z *zset) at(i int) zsEntry {
	if z.tree != nil {
		e, _ := z.tree.GetAt(i)
		return e
	}
	return z.small[i]
}

// search returns the first rank whose member satisfies after, or the
// length if none does; after must be false for a prefix of the members
// and true for the rest.
func (z *zset) search(after func(zsEntry) bool) int {
	lo, hi := 0, z.length()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if after(z.at(mid)) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// rank returns member's rank (0 = lowest score) and whether it is in the
// set.
func (z *zset) rank(member string) (int, bool) {
	s, ok := z.score(member)
	if !ok {
		return 0, false
	}
	e := zsEntry{member, s}
	return z.search(func(x zsEntry) bool { return !zsLess(x, e) }), true
}

// ranks returns the members of ranks lo to hi inclusive, in ascending
// order (nil if lo > hi); the ranks must exist.
func (z *zset) ranks(lo, hi int) []zsEntry {
	if lo > hi {
		return nil
	}
	if z.tree == nil {
		return slices.Clone(z.small[lo : hi+1])
	}
	out := make([]zsEntry, 0, hi-lo+1)
	first, _ := z.tree.GetAt(lo)
	z.tree.Ascend(first, func(e zsEntry) bool {
		out = append(out, e)
		return len(out) < cap(out)
	})
	return out
}

// removeRanks removes the members of ranks lo to hi inclusive, which
// must exist, and returns how many it removed.
func (z *zset) removeRanks(lo, hi int) int {
	if lo > hi {
		return 0
	}
	if z.tree == nil {
		for _, e := range z.small[lo : hi+1] {
			z.bytes -= int64(len(e.member))
		}
		z.small = slices.Delete(z.small, lo, hi+1)
		return hi - lo + 1
	}
	for i := lo; i <= hi; i++ {
		e, _ := z.tree.DeleteAt(lo)
		delete(z.dict, e.member)
		z.bytes -= int64(len(e.member))
	}
	return hi - lo + 1
}

// each calls fn with every member in order until fn returns false.
func (z *zset) each(fn func(e zsEntry) bool) {
	if z.tree != nil {
		z.tree.Scan(fn)
		return
	}
	for _, e := range z.small {
		if !fn(e) {
			return
		}
	}
}

// zsetFrom builds a sorted set of the entries, which must have distinct
// members, in the representation Redis gives a stored result: compact if
// lim allows it.
func zsetFrom(entries []zsEntry, lim *encodingLimits) *zset {
	slices.SortFunc(entries, zsCmp)
	z := &zset{}
	maxLen := 0
	for _, e := range entries {
		z.bytes += int64(len(e.member))
		maxLen = max(maxLen, len(e.member))
	}
	if lim.zsetFits(len(entries), maxLen) {
		for i := range entries {
			entries[i].score = listpackScore(entries[i].score)
		}
		z.small = entries
		return z
	}
	z.dict = make(map[string]float64, len(entries))
	z.tree = newZsetTree()
	for _, e := range entries {
		z.dict[e.member] = e.score
		z.tree.Load(e)
	}
	return z
}

// listpackScore is the score as Redis's listpack keeps it: an integral
// score within ±2^62 is stored as that integer, so -0 becomes 0.
func listpackScore(f float64) float64 {
	if ll, ok := ll2d(f); ok {
		return float64(ll)
	}
	return f
}
