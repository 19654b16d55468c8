package server

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// hashObj is a hash: field/value pairs. Like Redis 7.0 it has two forms.
// While small (at most hash-max-listpack-entries pairs, every field and
// value at most hash-max-listpack-value bytes) it is a listpack: one
// []byte holding a 4-byte pair count and then the fields and values in
// insertion order, each as a uvarint length and its bytes. Past either
// limit it becomes a hashTable, for good (as in Redis, it never converts
// back). The object itself is 32 bytes, so that a million small hashes
// of ten fields cost about what they cost Redis.
type hashObj struct {
	lp []byte     // the listpack form; nil once converted
	ht *hashTable // the hashtable form; nil while a listpack
}

// lpHeader is the size of the listpack's pair count.
const lpHeader = 4

// hashObjSize is what a hashObj costs besides its listpack or table.
const hashObjSize = int64(unsafe.Sizeof(hashObj{}))

func newHashObj() *hashObj { return &hashObj{lp: make([]byte, lpHeader)} }

func (h *hashObj) kind() valueKind { return kindHash }

func (h *hashObj) encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *hashObj) memSize() int64 {
	if h.ht != nil {
		return hashObjSize + h.ht.memSize()
	}
	return hashObjSize + int64(cap(h.lp))
}

func (h *hashObj) length() int {
	if h.ht != nil {
		return h.ht.n
	}
	return int(binary.LittleEndian.Uint32(h.lp))
}

func (h *hashObj) clone() object {
	if h.ht != nil {
		return &hashObj{ht: h.ht.clone()}
	}
	return &hashObj{lp: append([]byte(nil), h.lp...)}
}

// get returns field's value; ok is false if the hash has no such field.
// The value is valid until the hash next changes.
func (h *hashObj) get(field []byte) (val []byte, ok bool) {
	if h.ht != nil {
		return h.ht.get(field)
	}
	_, v, ok := lpFind(h.lp, field)
	if !ok {
		return nil, false
	}
	val, _ = lpString(h.lp, v)
	return val, true
}

// set stores field=val and reports whether the field is new. lim gives
// the limits of the listpack form: a field or value longer than their
// value limit converts the hash before it is stored, a pair count past
// their entries limit after.
func (h *hashObj) set(field, val []byte, lim *encodingLimits) (added bool) {
	if h.ht == nil {
		maxLen := lim.hashValue.Load()
		if int64(len(field)) > maxLen || int64(len(val)) > maxLen {
			h.convert()
		}
	}
	if h.ht != nil {
		return h.ht.set(field, val)
	}
	if _, v, ok := lpFind(h.lp, field); ok {
		_, end := lpString(h.lp, v)
		h.lp = lpSplice(h.lp, v, end, val)
		return false
	}
	n := h.length() + 1
	h.lp = lpSplice(h.lp, len(h.lp), len(h.lp), field, val)
	binary.LittleEndian.PutUint32(h.lp, uint32(n))
	if int64(n) > lim.hashEntries.Load() {
		h.convert()
	}
	return true
}

// del removes field and reports whether it was there.
func (h *hashObj) del(field []byte) bool {
	if h.ht != nil {
		return h.ht.del(field)
	}
	f, v, ok := lpFind(h.lp, field)
	if !ok {
		return false
	}
	_, end := lpString(h.lp, v)
	n := h.length() - 1
	h.lp = lpSplice(h.lp, f, end)
	binary.LittleEndian.PutUint32(h.lp, uint32(n))
	return true
}

// each calls fn for every pair, in the listpack's insertion order or the
// table's bucket order, until fn returns false. fn must not change the
// hash; the slices are valid until it changes.
func (h *hashObj) each(fn func(field, val []byte) bool) {
	if h.ht != nil {
		h.ht.each(fn)
		return
	}
	for off := lpHeader; off < len(h.lp); {
		f, v := lpString(h.lp, off)
		val, next := lpString(h.lp, v)
		if !fn(f, val) {
			return
		}
		off = next
	}
}

// random returns a pair chosen uniformly at random; the hash must not be
// empty.
func (h *hashObj) random() (field, val []byte) {
	if h.ht != nil {
		return h.ht.random()
	}
	i := rand.IntN(h.length())
	h.each(func(f, v []byte) bool {
		field, val = f, v
		i--
		return i >= 0
	})
	return field, val
}

// convert turns the listpack into a hashTable.
func (h *hashObj) convert() {
	t := newHashTable(h.length())
	h.each(func(f, v []byte) bool {
		t.set(f, v)
		return true
	})
	h.lp, h.ht = nil, t
}

// lpString decodes the length-prefixed string at off in lp and returns
// it and the offset after it.
func lpString(lp []byte, off int) (s []byte, next int) {
	n, w := binary.Uvarint(lp[off:])
	start := off + w
	next = start + int(n)
	return lp[start:next:next], next
}

// lpFind returns the offsets of field's pair and of its value in lp.
func lpFind(lp, field []byte) (pair, val int, ok bool) {
	for off := lpHeader; off < len(lp); {
		f, v := lpString(lp, off)
		if string(f) == string(field) {
			return off, v, true
		}
		_, off = lpString(lp, v)
	}
	return 0, 0, false
}

// lpSplice returns lp with lp[i:j] replaced by strs, each encoded as a
// uvarint length and its bytes. It works in place when the result fits
// lp's capacity without wasting half of it, else it allocates just what
// the result needs (rounded up to the allocator's size class), as a
// listpack's realloc does.
func lpSplice(lp []byte, i, j int, strs ...[]byte) []byte {
	ins := 0
	for _, s := range strs {
		ins += uvarintLen(len(s)) + len(s)
	}
	size := len(lp) - (j - i) + ins
	var out []byte
	if size <= cap(lp) && size >= cap(lp)/2 {
		out = lp[:max(size, len(lp))]
		copy(out[i+ins:], lp[j:])
		out = out[:size]
	} else {
		out = append([]byte(nil), make([]byte, size)...)[:size]
		copy(out, lp[:i])
		copy(out[i+ins:], lp[j:])
	}
	off := i
	for _, s := range strs {
		off += binary.PutUvarint(out[off:], uint64(len(s)))
		off += copy(out[off:], s)
	}
	return out
}

// hashTable is the large form of a hash: a chained hash table in the
// manner of Redis's dict, built of integers so that it is compact and
// the garbage collector has little to follow. buckets holds, per bucket,
// 1 + the index in ents of its chain's first pair (0: empty); an ent
// holds one pair in one string (the field's length as a uvarint, the
// field, the value) and 1 + the index of the next ent of its chain.
// Freed ents are chained in a free list and reused. The table has as
// many buckets as pairs, rounded up to a power of two, at least 4; it
// doubles when the pairs outnumber the buckets and halves, compacting
// ents, when they fall to an eighth. HSCAN walks buckets with Redis's
// reverse-binary cursor, which survives those resizes.
type hashTable struct {
	seed    maphash.Seed
	buckets []uint32
	ents    []hashEnt
	free    uint32 // 1 + the first free ent; 0: none
	n       int    // pairs
	strMem  int64  // bytes of the pairs' strings, in allocator size classes
}

// hashEnt is one pair of a hashTable, or a free slot (kv == "").
type hashEnt struct {
	next uint32
	kv   string
}

// hashTableMinBuckets is the smallest number of buckets.
const hashTableMinBuckets = 4

func newHashTable(hint int) *hashTable {
	return &hashTable{
		seed:    maphash.MakeSeed(),
		buckets: make([]uint32, bucketsFor(hint)),
		ents:    make([]hashEnt, 0, hint),
	}
}

// bucketsFor is the number of buckets for n pairs.
func bucketsFor(n int) int {
	if n <= hashTableMinBuckets {
		return hashTableMinBuckets
	}
	return 1 << bits.Len(uint(n-1))
}

func (t *hashTable) memSize() int64 {
	return int64(unsafe.Sizeof(*t)) + 4*int64(cap(t.buckets)) +
		int64(unsafe.Sizeof(hashEnt{}))*int64(cap(t.ents)) + t.strMem
}

func (t *hashTable) clone() *hashTable {
	c := *t
	c.buckets = append([]uint32(nil), t.buckets...)
	c.ents = append([]hashEnt(nil), t.ents...) // the strings never change
	return &c
}

// kvSplit splits an ent's string into its field and value.
func kvSplit(kv string) (field, val []byte) {
	b := bytesOf(kv)
	n, w := binary.Uvarint(b)
	end := w + int(n)
	return b[w:end:end], b[end:]
}

// kvMake returns the string of an ent holding field=val.
func kvMake(field, val []byte) string {
	w := uvarintLen(len(field))
	b := make([]byte, w+len(field)+len(val))
	binary.PutUvarint(b, uint64(len(field)))
	copy(b[w+copy(b[w:], field):], val)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// allocSize estimates what an allocation of n bytes costs: Go's small
// size classes step by 8 up to 32 bytes, by 16 up to 256, and by 1/8 or
// so beyond.
func allocSize(n int) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 32:
		return int64(n+7) &^ 7
	case n <= 256:
		return int64(n+15) &^ 15
	}
	step := 1 << (bits.Len(uint(n)) - 3)
	return int64((n + step - 1) &^ (step - 1))
}

func (t *hashTable) bucketOf(field []byte) int {
	return int(maphash.Bytes(t.seed, field) & uint64(len(t.buckets)-1))
}

// find returns the index in ents of field's pair, and -1 if there is
// none; prev is the index of the ent before it in its chain, -1 if it is
// first.
func (t *hashTable) find(field []byte) (i, prev int) {
	prev = -1
	for p := t.buckets[t.bucketOf(field)]; p != 0; p = t.ents[p-1].next {
		f, _ := kvSplit(t.ents[p-1].kv)
		if string(f) == string(field) {
			return int(p - 1), prev
		}
		prev = int(p - 1)
	}
	return -1, -1
}

func (t *hashTable) get(field []byte) ([]byte, bool) {
	i, _ := t.find(field)
	if i < 0 {
		return nil, false
	}
	_, v := kvSplit(t.ents[i].kv)
	return v, true
}

func (t *hashTable) set(field, val []byte) (added bool) {
	kv := kvMake(field, val)
	t.strMem += allocSize(len(kv))
	if i, _ := t.find(field); i >= 0 {
		t.strMem -= allocSize(len(t.ents[i].kv))
		t.ents[i].kv = kv
		return false
	}
	if t.n >= len(t.buckets) {
		t.resize(2 * len(t.buckets))
	}
	t.link(kv, t.bucketOf(field))
	t.n++
	return true
}

// link stores kv in a free ent at the head of bucket b's chain.
func (t *hashTable) link(kv string, b int) {
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.ents[i].next
	} else {
		t.ents = append(t.ents, hashEnt{})
		i = uint32(len(t.ents) - 1)
	}
	t.ents[i] = hashEnt{next: t.buckets[b], kv: kv}
	t.buckets[b] = i + 1
}

func (t *hashTable) del(field []byte) bool {
	i, prev := t.find(field)
	if i < 0 {
		return false
	}
	e := &t.ents[i]
	if prev < 0 {
		t.buckets[t.bucketOf(field)] = e.next
	} else {
		t.ents[prev].next = e.next
	}
	t.strMem -= allocSize(len(e.kv))
	*e = hashEnt{next: t.free}
	t.free = uint32(i + 1)
	t.n--
	if t.n > 0 && t.n <= len(t.buckets)/8 && len(t.buckets) > hashTableMinBuckets {
		t.resize(bucketsFor(t.n))
	}
	return true
}

// resize rebuilds the table with nb buckets, compacting ents.
func (t *hashTable) resize(nb int) {
	old := t.ents
	t.buckets = make([]uint32, nb)
	t.ents = make([]hashEnt, 0, max(t.n, nb/2))
	t.free = 0
	for _, e := range old {
		if e.kv != "" {
			f, _ := kvSplit(e.kv)
			t.link(e.kv, t.bucketOf(f))
		}
	}
}

func (t *hashTable) each(fn func(field, val []byte) bool) {
	for _, head := range t.buckets {
		for p := head; p != 0; p = t.ents[p-1].next {
			if !fn(kvSplit(t.ents[p-1].kv)) {
				return
			}
		}
	}
}

// random returns a pair chosen uniformly at random: ents is at least an
// eighth full (del compacts it), so a few draws find one.
func (t *hashTable) random() (field, val []byte) {
	for {
		if e := &t.ents[rand.IntN(len(t.ents))]; e.kv != "" {
			return kvSplit(e.kv)
		}
	}
}

// scanBucket calls fn for the pairs of the bucket that cursor points at
// and returns the next cursor, 0 when the walk is complete. As Redis's
// dictScan, it increments the cursor's bits from the top, so that a
// bucket walked before a resize stays walked after it.
func (t *hashTable) scanBucket(cursor uint64, fn func(field, val []byte)) uint64 {
	mask := uint64(len(t.buckets) - 1)
	for p := t.buckets[cursor&mask]; p != 0; p = t.ents[p-1].next {
		fn(kvSplit(t.ents[p-1].kv))
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}
