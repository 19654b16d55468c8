package server

import (
	"hash/maphash"
	"math"
	"slices"
	"unsafe"

	"github.com/tidwall/btree"
)

// Sorted sets. Like Redis 7.0, a sorted set has two representations:
//
//   - compact ("listpack"): while it has at most zset-max-listpack-entries
//     members, none longer than zset-max-listpack-value bytes, its members
//     are one slice kept sorted, searched by bisection and scanned
//     linearly for a member;
//   - large ("skiplist"): past either limit, for good, a zsLarge: the
//     entries in slots, a hash table from member to slot, and a B-tree
//     of the slots in order (tidwall/btree, whose nodes count their
//     items, so that the entry at a rank is found in O(log n) and a rank
//     by bisection over ranks in O(log² n)).
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

// zset is a sorted set: compact while big is nil.
type zset struct {
	small []zsEntry // compact form, sorted
	big   *zsLarge
	bytes int64 // the members' bytes, for memSize
}

// Overheads for memSize, besides the members' bytes: in the compact
// form each entry's string header and its allocation's rounding; in the
// large form the slots, hash table and free list as allocated, plus for
// each member its share of the B-tree and its allocation's rounding
// (together 58 bytes a member of 13 bytes, measured with runtime.MemStats
// over a million: see TestZsetMemory).
const (
	zsSmallPerEntry = 24 + 8
	zsLargePerEntry = 10 + 3
	zsOverhead      = 64
)

func newZset() *zset { return &zset{} }

func (z *zset) kind() valueKind { return kindZSet }

func (z *zset) encoding() string {
	if z.big != nil {
		return "skiplist"
	}
	return "listpack"
}

func (z *zset) length() int {
	if z.big != nil {
		return z.big.tree.Len()
	}
	return len(z.small)
}

func (z *zset) memSize() int64 {
	if z.big != nil {
		l := z.big
		return zsOverhead + int64(len(l.chunks))*zsChunk*zsEntrySize + int64(len(l.table)+cap(l.free))*4 +
			int64(l.tree.Len())*zsLargePerEntry + z.bytes
	}
	return zsOverhead + int64(cap(z.small))*zsSmallPerEntry + z.bytes
}

func (z *zset) clone() object {
	c := &zset{bytes: z.bytes}
	if z.big == nil {
		c.small = slices.Clone(z.small)
		return c
	}
	c.big = newZsLarge(z.length())
	z.each(func(e zsEntry) bool {
		c.big.insert(e, true)
		return true
	})
	return c
}

// convert moves a compact set to the large form, sized for n members.
func (z *zset) convert(n int) {
	if z.big != nil {
		return
	}
	z.big = newZsLarge(n)
	for _, e := range z.small {
		z.big.insert(e, true)
	}
	z.small = nil
}

// zsetFits reports whether a compact set may hold n members, the longest
// maxLen bytes, under the limits lim.
func (lim *encodingLimits) zsetFits(n int, maxLen int) bool {
	return int64(n) <= lim.zsetEntries.Load() && int64(maxLen) <= lim.zsetValue.Load()
}

// score returns member's score and whether it is in the set.
func (z *zset) score(member string) (float64, bool) {
	if z.big != nil {
		if slot, ok := z.big.find(member); ok {
			return z.big.at(slot).score, true
		}
		return 0, false
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
	if z.big != nil {
		if slot, ok := z.big.find(member); ok {
			z.big.rescore(slot, score)
			return false
		}
		z.big.insert(zsEntry{member, score}, false)
		z.bytes += int64(len(member))
		return true
	}
	old, exists := z.score(member)
	if exists {
		if old == score {
			return false
		}
		z.remove(member)
	} else if !lim.zsetFits(len(z.small)+1, len(member)) {
		z.convert(len(z.small) + 1)
		return z.set(member, score, lim)
	}
	z.bytes += int64(len(member))
	e := zsEntry{member, listpackScore(score)}
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
	if z.big != nil {
		slot, ok := z.big.find(member)
		if ok {
			z.big.delete(slot)
			z.bytes -= int64(len(member))
			z.shrink()
		}
		return ok
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
	if z.big != nil {
		slot, _ := z.big.tree.GetAt(i)
		return *z.big.at(slot)
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
	if z.big == nil {
		return slices.Clone(z.small[lo : hi+1])
	}
	out := make([]zsEntry, 0, hi-lo+1)
	first, _ := z.big.tree.GetAt(lo)
	z.big.tree.Ascend(first, func(slot uint32) bool {
		out = append(out, *z.big.at(slot))
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
	if z.big == nil {
		for _, e := range z.small[lo : hi+1] {
			z.bytes -= int64(len(e.member))
		}
		z.small = slices.Delete(z.small, lo, hi+1)
		return hi - lo + 1
	}
	for i := lo; i <= hi; i++ {
		slot, _ := z.big.tree.GetAt(lo)
		z.bytes -= int64(len(z.big.at(slot).member))
		z.big.delete(slot)
	}
	z.shrink()
	return hi - lo + 1
}

// shrink rebuilds a large set that has lost most of its members, so that
// its slots and table are sized for what it holds: as Redis's tables
// shrink, memory is given back. (A ZSCAN under way may then return some
// members twice or miss some, as across a resize in Redis.)
func (z *zset) shrink() {
	l := z.big
	if n := l.tree.Len(); l.nslots <= 4*zsChunk || n*4 >= int(l.nslots) {
		return
	}
	nl := newZsLarge(l.tree.Len())
	z.each(func(e zsEntry) bool {
		nl.insert(e, true)
		return true
	})
	z.big = nl
}

// each calls fn with every member in order until fn returns false.
func (z *zset) each(fn func(e zsEntry) bool) {
	if z.big != nil {
		z.big.tree.Scan(func(slot uint32) bool { return fn(*z.big.at(slot)) })
		return
	}
	for _, e := range z.small {
		if !fn(e) {
			return
		}
	}
}

// zsLarge is the large form of a sorted set, in about 56 bytes a member
// besides its bytes, where a Go map plus a B-tree of entries took 108:
// the entries live in slots of fixed chunks; a hash table of slot
// numbers (open addressing, linear probing) finds a member's slot, and a
// B-tree of slot numbers, ordered by the slots' entries, keeps the order.
type zsLarge struct {
	chunks [][]zsEntry // slot i is chunks[i/zsChunk][i%zsChunk]
	free   []uint32    // slots freed, reused first
	nslots uint32      // slots handed out so far
	table  []uint32    // 1 + a slot number, or 0 for an empty bucket
	used   int         // buckets in use
	tree   *btree.BTreeG[uint32]
}

// zsChunk is the number of slots allocated at once.
const zsChunk = 1024

// zsEntrySize is the bytes of a slot.
const zsEntrySize = int64(unsafe.Sizeof(zsEntry{}))

// zsSeed seeds the hash of members.
var zsSeed = maphash.MakeSeed()

// newZsLarge returns an empty large set with room for n members.
func newZsLarge(n int) *zsLarge {
	l := &zsLarge{}
	l.tree = btree.NewBTreeGOptions(func(a, b uint32) bool { return zsLess(*l.at(a), *l.at(b)) }, btree.Options{NoLocks: true})
	size := 8
	for size*3/4 < n {
		size *= 2
	}
	l.table = make([]uint32, size)
	return l
}

// at returns the entry in slot.
func (l *zsLarge) at(slot uint32) *zsEntry { return &l.chunks[slot/zsChunk][slot%zsChunk] }

// bucket returns the home bucket of member.
func (l *zsLarge) bucket(member string) int {
	return int(maphash.String(zsSeed, member) & uint64(len(l.table)-1))
}

// find returns the slot of member.
func (l *zsLarge) find(member string) (uint32, bool) {
	mask := len(l.table) - 1
	for b := l.bucket(member); l.table[b] != 0; b = (b + 1) & mask {
		if slot := l.table[b] - 1; l.at(slot).member == member {
			return slot, true
		}
	}
	return 0, false
}

// insert adds e, whose member must be new; inOrder says e comes after
// every member (a bulk load).
func (l *zsLarge) insert(e zsEntry, inOrder bool) {
	var slot uint32
	if n := len(l.free); n > 0 {
		slot = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		if l.nslots%zsChunk == 0 {
			l.chunks = append(l.chunks, make([]zsEntry, zsChunk))
		}
		slot = l.nslots
		l.nslots++
	}
	*l.at(slot) = e
	if (l.used+1)*4 > len(l.table)*3 {
		l.rehash(len(l.table) * 2)
	}
	l.place(slot)
	l.used++
	if inOrder {
		l.tree.Load(slot)
	} else {
		l.tree.Set(slot)
	}
}

// place puts slot in the hash table.
func (l *zsLarge) place(slot uint32) {
	mask := len(l.table) - 1
	b := l.bucket(l.at(slot).member)
	for l.table[b] != 0 {
		b = (b + 1) & mask
	}
	l.table[b] = slot + 1
}

// rehash moves the table to size buckets.
func (l *zsLarge) rehash(size int) {
	old := l.table
	l.table = make([]uint32, size)
	for _, v := range old {
		if v != 0 {
			l.place(v - 1)
		}
	}
}

// rescore gives the member in slot a new score.
func (l *zsLarge) rescore(slot uint32, score float64) {
	if l.at(slot).score == score {
		return
	}
	l.tree.Delete(slot)
	l.at(slot).score = score
	l.tree.Set(slot)
}

// delete removes the member in slot.
func (l *zsLarge) delete(slot uint32) {
	l.tree.Delete(slot)
	mask := len(l.table) - 1
	i := l.bucket(l.at(slot).member)
	for l.table[i] != slot+1 {
		i = (i + 1) & mask
	}
	// Backward-shift deletion: move up any later entry of the run whose
	// home bucket does not lie after the hole.
	for j := (i + 1) & mask; l.table[j] != 0; j = (j + 1) & mask {
		k := l.bucket(l.at(l.table[j] - 1).member)
		if i <= j && (i < k && k <= j) || i > j && (i < k || k <= j) {
			continue
		}
		l.table[i] = l.table[j]
		i = j
	}
	l.table[i] = 0
	l.used--
	*l.at(slot) = zsEntry{score: math.NaN()} // no score is NaN: a free slot
	l.free = append(l.free, slot)
}

// scan calls fn with the members in slots from cursor on, until it has
// visited count slots, and returns the next cursor, 0 at the end. A slot
// keeps its member while the member stays in the set, so ZSCAN returns a
// member present throughout a scan exactly once.
func (l *zsLarge) scan(cursor uint64, count int64, fn func(e zsEntry)) uint64 {
	for ; cursor < uint64(l.nslots) && count > 0; cursor, count = cursor+1, count-1 {
		if e := l.at(uint32(cursor)); !math.IsNaN(e.score) {
			fn(*e)
		}
	}
	if cursor >= uint64(l.nslots) {
		return 0
	}
	return cursor
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
	z.big = newZsLarge(len(entries))
	for _, e := range entries {
		z.big.insert(e, true)
	}
	return z
}

// listpackScore is the score as Redis's listpack keeps it: an integral
// score within ±2^62 is stored as that integer, so -0 becomes 0.
func listpackScore(f float64) float64 {
	if ll, ok := scoreAsInt(f); ok {
		return float64(ll)
	}
	return f
}
