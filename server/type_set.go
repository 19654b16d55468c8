package server

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"github.com/remoted/remoted/resp"
)

// A set is kept as Redis 7.0 keeps it, so that OBJECT ENCODING, the order
// of replies and the memory used follow Redis's:
//
//   - an intset while every member is an integer written canonically
//     (Redis's string2ll: no '+', no leading zero, no "-0", in int64 range)
//     and there are at most set-max-intset-entries members: the integers,
//     sorted, packed in 2, 4 or 8 bytes each (the smallest width that
//     holds them all, as Redis's int16/int32/int64 intsets). Its members
//     read back sorted, as in Redis.
//   - a hash table (setTable) otherwise. A set converts once, at the
//     first member that does not fit, and never back.
type setObj struct {
	ints intset
	ht   *setTable // nil while the set is an intset
}

// setObjHeader is about what a set costs besides its members: the
// object, the keyspace's reference to it, and the table's header.
const setObjHeader = 64

func (s *setObj) kind() valueKind { return kindSet }

func (s *setObj) encoding() string {
	if s.ht != nil {
		return "hashtable"
	}
	return "intset"
}

func (s *setObj) memSize() int64 {
	if s.ht != nil {
		return setObjHeader + s.ht.memSize()
	}
	return setObjHeader + int64(cap(s.ints.buf))
}

func (s *setObj) length() int {
	if s.ht != nil {
		return s.ht.n
	}
	return s.ints.len()
}

func (s *setObj) clone() object {
	c := &setObj{ints: intset{width: s.ints.width, buf: append([]byte(nil), s.ints.buf...)}}
	if s.ht != nil {
		c.ints = intset{}
		c.ht = s.ht.clone()
	}
	return c
}

// maxIntsetLen is the most members an intset may hold under the limit
// set-max-intset-entries; Redis caps it at 2^30.
func maxIntsetLen(limit int64) int { return int(min(limit, 1<<30)) }

// add adds m and reports whether it was new. limit is
// set-max-intset-entries: an intset that would grow past it, or that
// meets a member that is not an integer, becomes a hash table.
func (s *setObj) add(m []byte, limit int64) bool {
	if s.ht != nil {
		return s.ht.add(m)
	}
	v, ok := resp.ParseInt(m)
	if !ok {
		s.toTable()
		return s.ht.add(m)
	}
	if !s.ints.add(v) {
		return false
	}
	if s.ints.len() > maxIntsetLen(limit) {
		s.toTable()
	}
	return true
}

// toTable converts an intset to a hash table holding the same members.
func (s *setObj) toTable() {
	t := newSetTable(s.ints.len() + 1)
	var buf [20]byte
	for i := range s.ints.len() {
		t.add(strconv.AppendInt(buf[:0], s.ints.at(i), 10))
	}
	s.ht, s.ints = t, intset{}
}

// remove removes m and reports whether it was there.
func (s *setObj) remove(m []byte) bool {
	if s.ht != nil {
		return s.ht.remove(m)
	}
	v, ok := resp.ParseInt(m)
	return ok && s.ints.remove(v)
}

// has reports whether m is a member.
func (s *setObj) has(m []byte) bool {
	if s.ht != nil {
		return s.ht.has(m)
	}
	v, ok := resp.ParseInt(m)
	if !ok {
		return false
	}
	_, found := s.ints.search(v)
	return found
}

// each calls fn with every member in the set's order (an intset's:
// ascending) until fn returns false. m is valid only during the call, and
// the set must not change meanwhile.
func (s *setObj) each(fn func(m []byte) bool) {
	if s.ht != nil {
		s.ht.each(func(m string) bool { return fn(bytesOf(m)) })
		return
	}
	var buf [20]byte
	for i := range s.ints.len() {
		if !fn(strconv.AppendInt(buf[:0], s.ints.at(i), 10)) {
			return
		}
	}
}

// random returns a random member, each as likely as any other; the set
// must not be empty. buf is room for an intset's member.
func (s *setObj) random(buf []byte) []byte {
	if s.ht != nil {
		return bytesOf(s.ht.random())
	}
	return strconv.AppendInt(buf[:0], s.ints.at(rand.IntN(s.ints.len())), 10)
}

// ---------------------------------------------------------------------------
// intset

// intset is a sorted set of integers, each little-endian in width bytes
// (2, 4 or 8: the smallest that holds every member, as Redis's intset;
// the width grows with a wider member and never shrinks).
type intset struct {
	width uint8
	buf   []byte
}

// intsetWidth is the bytes an intset needs to hold v.
func intsetWidth(v int64) uint8 {
	switch {
	case v == int64(int16(v)):
		return 2
	case v == int64(int32(v)):
		return 4
	}
	return 8
}

func (s *intset) len() int {
	if s.width == 0 {
		return 0
	}
	return len(s.buf) / int(s.width)
}

// at returns the i-th smallest member.
func (s *intset) at(i int) int64 {
	return intsetGet(s.buf[i*int(s.width):], s.width)
}

func intsetGet(b []byte, width uint8) int64 {
	switch width {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

func intsetPut(b []byte, width uint8, v int64) {
	switch width {
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, uint64(v))
	}
}

// search returns where v is, or where it would go, and whether it is
// there.
func (s *intset) search(v int64) (int, bool) {
	lo, hi := 0, s.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.at(mid) < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < s.len() && s.at(lo) == v
}

// add inserts v and reports whether it was new.
func (s *intset) add(v int64) bool {
	if w := intsetWidth(v); w > s.width {
		s.widen(w)
	}
	i, found := s.search(v)
	if found {
		return false
	}
	w := int(s.width)
	s.buf = append(s.buf, make([]byte, w)...)
	copy(s.buf[(i+1)*w:], s.buf[i*w:])
	intsetPut(s.buf[i*w:], s.width, v)
	return true
}

// widen rewrites the members in width bytes each.
func (s *intset) widen(width uint8) {
	n := s.len()
	buf := make([]byte, n*int(width), (n+1)*int(width))
	for i := range n {
		intsetPut(buf[i*int(width):], width, s.at(i))
	}
	s.width, s.buf = width, buf
}

// remove deletes v and reports whether it was there. The memory of an
// intset shrinks with it, as Redis reallocates an intset on every change.
func (s *intset) remove(v int64) bool {
	i, found := s.search(v)
	if !found {
		return false
	}
	w := int(s.width)
	s.buf = append(s.buf[:i*w], s.buf[(i+1)*w:]...)
	if cap(s.buf) > 64 && len(s.buf) < cap(s.buf)/2 {
		s.buf = append([]byte(nil), s.buf...)
	}
	return true
}

// ---------------------------------------------------------------------------
// setTable

// setTable is the hash table of a large set: open addressing with linear
// probing over a power-of-two array of members, with a tag byte per slot
// (0 = empty, else 7 bits of the member's hash) so that a probe compares
// few strings. A member's bucket is its hash masked by the array's size;
// it sits at its bucket or after it, with no empty slot in between, and a
// deletion shifts the members behind it back (no tombstones).
//
// Resizing is incremental, as Redis's dict rehashing: a resize makes a
// new array and every later write moves a few slots of the old one into
// it, so no command stalls on a million members (moving them at once
// took 90 ms). Meanwhile lookups look in both; the old array's moved or
// deleted slots are tombstones (tag 1), which a probe passes over.
//
// SSCAN walks buckets in Redis's reverse-binary cursor order, over both
// arrays while rehashing as dictScan does: a member stays in its bucket
// until it moves to a new array, and the cursor order makes a scan
// across resizes still return every member present throughout.
//
// Memory, for a 1M-member set within 1.2x of Redis's RSS: a slot is a
// pointer to the member's own allocation, which holds its length as a
// uvarint and then its bytes (as a key's in the keyspace), 8 bytes
// against a string header's 16; with its tag 9 bytes a slot, at most 3/4
// full. An array less than 1/8 full halves. A member's bytes never
// change: the strings handed out read them in place.
type setTable struct {
	cur   setSlots
	old   setSlots // being moved into cur; empty when not rehashing
	moved int      // old's slots before this one are moved
	n     int      // members
	bytes int64    // sum of the members' allocation sizes
}

// setSlots is one array of a setTable.
type setSlots struct {
	tags  []uint8
	slots []*byte
}

const (
	tagEmpty     = 0
	tagTombstone = 1 // in the old array while rehashing: moved or deleted
	minSetTable  = 8
	// rehashStep is how many slots of the old array each write moves:
	// enough to finish before the new array fills (2 would do).
	rehashStep = 16
)

// setTableSeed seeds the members' hash.
var setTableSeed = maphash.MakeSeed()

// newSetTable returns a table with room for n members.
func newSetTable(n int) *setTable {
	return &setTable{cur: newSetSlots(setTableSize(n))}
}

// setTableSize is the smallest array size at most 3/4 full with n members.
func setTableSize(n int) int {
	size := minSetTable
	for size*3 < n*4 {
		size *= 2
	}
	return size
}

func newSetSlots(size int) setSlots {
	return setSlots{tags: make([]uint8, size), slots: make([]*byte, size)}
}

func (a *setSlots) mask() uint64 { return uint64(len(a.slots) - 1) }

// at returns the member in slot i, which is full.
func (a *setSlots) at(i uint64) string { return setMemberOf(a.slots[i]) }

func memberHash(s string) uint64 { return maphash.String(setTableSeed, s) }

func memberHashBytes(b []byte) uint64 { return maphash.Bytes(setTableSeed, b) }

// memberTag is the tag byte of a hash: its top 7 bits, at least 0x80.
func memberTag(h uint64) uint8 { return uint8(h>>57) | 0x80 }

// newSetMember returns a new allocation holding m's length and bytes.
func newSetMember(m []byte) *byte {
	w := uvarintLen(len(m))
	buf := make([]byte, w+len(m))
	binary.PutUvarint(buf, uint64(len(m)))
	copy(buf[w:], m)
	return &buf[0]
}

// setMemberOf reads the member an allocation of newSetMember holds.
func setMemberOf(p *byte) string {
	n, w := readUvarint(unsafe.Pointer(p))
	if n == 0 {
		return "" // p+w may be the allocation's end
	}
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(p), w)), n)
}

// memberAllocSize is about what Go allocates for a member of n bytes:
// its length's uvarint and its bytes, without pointers, so small ones
// share 16-byte blocks and the others round up to a size class.
func memberAllocSize(n int) int64 {
	n += uvarintLen(n)
	if n < 16 {
		return int64(n)
	}
	return int64(n+15) &^ 15
}

// find returns the slot of a holding m, or the empty slot where it would
// go, and whether m is there.
func (a *setSlots) find(m []byte, h uint64) (uint64, bool) {
	mask, tag := a.mask(), memberTag(h)
	for i := h & mask; ; i = (i + 1) & mask {
		switch a.tags[i] {
		case tagEmpty:
			return i, false
		case tag:
			if a.at(i) == string(m) {
				return i, true
			}
		}
	}
}

// put stores the member allocation p, of hash h, in the empty slot where
// a probe for it ends. a holds no tombstones.
func (a *setSlots) put(p *byte, h uint64) {
	mask := a.mask()
	i := h & mask
	for a.tags[i] != tagEmpty {
		i = (i + 1) & mask
	}
	a.tags[i], a.slots[i] = memberTag(h), p
}

// deleteAt empties slot hole of a (with no tombstones), shifting back the
// members behind it that may move closer to their bucket.
func (a *setSlots) deleteAt(hole uint64) {
	mask := a.mask()
	for j := (hole + 1) & mask; a.tags[j] != tagEmpty; j = (j + 1) & mask {
		home := memberHash(a.at(j)) & mask
		// The member at j stays if its bucket lies cyclically in (hole, j].
		if (j-home)&mask < (j-hole)&mask {
			continue
		}
		a.tags[hole], a.slots[hole] = a.tags[j], a.slots[j]
		hole = j
	}
	a.tags[hole], a.slots[hole] = tagEmpty, nil
}

func (t *setTable) rehashing() bool { return t.old.slots != nil }

// lookup returns the array holding m and its slot there, or nil.
func (t *setTable) lookup(m []byte) (*setSlots, uint64) {
	h := memberHashBytes(m)
	if i, ok := t.cur.find(m, h); ok {
		return &t.cur, i
	}
	if t.rehashing() {
		if i, ok := t.old.find(m, h); ok {
			return &t.old, i
		}
	}
	return nil, 0
}

func (t *setTable) has(m []byte) bool {
	a, _ := t.lookup(m)
	return a != nil
}

// add inserts a copy of m and reports whether it was new.
func (t *setTable) add(m []byte) bool {
	if a, _ := t.lookup(m); a != nil {
		return false
	}
	t.cur.put(newSetMember(m), memberHashBytes(m))
	t.n++
	t.bytes += memberAllocSize(len(m))
	t.rehashStep()
	if t.n*4 > len(t.cur.slots)*3 {
		t.resize(len(t.cur.slots) * 2)
	}
	return true
}

// remove deletes m and reports whether it was there.
func (t *setTable) remove(m []byte) bool {
	a, i := t.lookup(m)
	switch {
	case a == nil:
		return false
	case a == &t.old:
		a.tags[i], a.slots[i] = tagTombstone, nil
	default:
		a.deleteAt(i)
	}
	t.n--
	t.bytes -= memberAllocSize(len(m))
	t.rehashStep()
	if len(t.cur.slots) > minSetTable && t.n*8 < len(t.cur.slots) {
		t.resize(setTableSize(t.n))
	}
	return true
}

// resize starts moving the members to a new array of size slots, after
// finishing a rehash under way.
func (t *setTable) resize(size int) {
	for t.rehashing() {
		t.rehashStep()
	}
	t.old, t.moved = t.cur, 0
	t.cur = newSetSlots(size)
	t.rehashStep()
}

// rehashStep moves the next rehashStep slots of the old array, if one
// is being moved, into the current one.
func (t *setTable) rehashStep() {
	if !t.rehashing() {
		return
	}
	end := min(t.moved+rehashStep, len(t.old.slots))
	for i := t.moved; i < end; i++ {
		if t.old.tags[i] >= 0x80 { // empty slots stay empty, ending probes
			p := t.old.slots[i]
			t.cur.put(p, memberHash(setMemberOf(p)))
			t.old.tags[i], t.old.slots[i] = tagTombstone, nil
		}
	}
	t.moved = end
	if end == len(t.old.slots) {
		t.old = setSlots{}
	}
}

func (t *setTable) memSize() int64 {
	return int64(len(t.cur.slots)+len(t.old.slots))*9 + t.bytes
}

// clone returns a copy of the table, in one array. The members'
// allocations are shared: they never change.
func (t *setTable) clone() *setTable {
	c := &setTable{cur: newSetSlots(setTableSize(t.n)), n: t.n, bytes: t.bytes}
	for _, a := range []*setSlots{&t.cur, &t.old} {
		for i, tag := range a.tags {
			if tag >= 0x80 {
				c.cur.put(a.slots[i], memberHash(a.at(uint64(i))))
			}
		}
	}
	return c
}

// each calls fn with every member, in slot order, until it returns false.
func (t *setTable) each(fn func(m string) bool) {
	for _, a := range []*setSlots{&t.cur, &t.old} {
		for i, tag := range a.tags {
			if tag >= 0x80 && !fn(a.at(uint64(i))) {
				return
			}
		}
	}
}

// random returns a random member of a table that is not empty: a random
// slot of either array until one is full, which takes a few tries on
// average (each array is at least 1/8 full, or being emptied by writes).
func (t *setTable) random() string {
	nc := uint64(len(t.cur.slots))
	for {
		i := rand.Uint64N(nc + uint64(len(t.old.slots)))
		a := &t.cur
		if i >= nc {
			a, i = &t.old, i-nc
		}
		if a.tags[i] >= 0x80 {
			return a.at(i)
		}
	}
}

// scanBucket calls fn with the members of a whose bucket is b.
func (a *setSlots) scanBucket(b uint64, fn func(m string)) {
	mask := a.mask()
	b &= mask
	for j := b; a.tags[j] != tagEmpty; j = (j + 1) & mask {
		if a.tags[j] >= 0x80 {
			if m := a.at(j); memberHash(m)&mask == b {
				fn(m)
			}
		}
	}
}

// scan calls fn with the members of the bucket under cursor and returns
// the next cursor, 0 after the last bucket, as Redis's dictScan: the
// cursor's bits are reversed, incremented and reversed back, and while
// rehashing, a bucket of the smaller array is followed by the buckets of
// the larger one that split from it.
func (t *setTable) scan(cursor uint64, fn func(m string)) uint64 {
	next := func(v, mask uint64) uint64 {
		v |= ^mask
		return bits.Reverse64(bits.Reverse64(v) + 1)
	}
	if !t.rehashing() {
		t.cur.scanBucket(cursor, fn)
		return next(cursor, t.cur.mask())
	}
	small, large := &t.cur, &t.old
	if len(small.slots) > len(large.slots) {
		small, large = large, small
	}
	m0, m1 := small.mask(), large.mask()
	small.scanBucket(cursor, fn)
	for {
		large.scanBucket(cursor, fn)
		cursor = next(cursor, m1)
		if cursor&(m0^m1) == 0 {
			return cursor
		}
	}
}
