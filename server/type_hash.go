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
// limit, or past a listpack of 1 GiB (Redis's safety limit), it becomes a
// hashTable, for good (as in Redis, it never converts back).
//
// A million small hashes of ten fields cost Redis about 300 bytes each,
// so the object is kept to 16 bytes: p points at the listpack's bytes
// (n long, c their capacity) or, when c is 0, at the hashTable. Read it
// through list and table only.
type hashObj struct {
	p    unsafe.Pointer
	n, c uint32
}

const (
	// lpHeader is the size of the listpack's pair count.
	lpHeader = 4
	// lpMaxSize is the largest listpack: as Redis's
	// LISTPACK_MAX_SAFETY_SIZE, a hash that would grow past it converts.
	lpMaxSize = 1 << 30
	// hashObjSize is what a hashObj costs besides its listpack or table.
	hashObjSize = int64(unsafe.Sizeof(hashObj{}))
)

// newHashObj returns an empty hash with room for room more bytes of
// listpack (see reserve).
func newHashObj(room int) *hashObj {
	h := &hashObj{}
	h.setList(append([]byte(nil), make([]byte, lpHeader+min(room, lpMaxSize))...)[:lpHeader])
	return h
}

// list returns the listpack, nil once the hash is a hashTable.
func (h *hashObj) list() []byte {
	if h.c == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(h.p), h.c)[:h.n]
}

// setList makes lp, which has a capacity, the hash's listpack.
func (h *hashObj) setList(lp []byte) {
	h.p, h.n, h.c = unsafe.Pointer(unsafe.SliceData(lp)), uint32(len(lp)), uint32(cap(lp))
}

// table returns the hashTable, nil while the hash is a listpack.
func (h *hashObj) table() *hashTable {
	if h.c != 0 {
		return nil
	}
	return (*hashTable)(h.p)
}

// setTable makes t the hash's form.
func (h *hashObj) setTable(t *hashTable) { h.p, h.n, h.c = unsafe.Pointer(t), 0, 0 }

func (h *hashObj) kind() valueKind { return kindHash }

func (h *hashObj) encoding() string {
	if h.table() != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *hashObj) memSize() int64 {
	if t := h.table(); t != nil {
		return hashObjSize + t.memSize()
	}
	return hashObjSize + int64(h.c)
}

func (h *hashObj) length() int {
	if t := h.table(); t != nil {
		return t.n
	}
	return int(binary.LittleEndian.Uint32(h.list()))
}

func (h *hashObj) clone() object {
	c := &hashObj{}
	if t := h.table(); t != nil {
		c.setTable(t.clone())
	} else {
		c.setList(append([]byte(nil), h.list()...))
	}
	return c
}

// get returns field's value; ok is false if the hash has no such field.
// The value is valid until the hash next changes.
func (h *hashObj) get(field []byte) (val []byte, ok bool) {
	if t := h.table(); t != nil {
		return t.get(field)
	}
	lp := h.list()
	_, v, ok := lpFind(lp, field)
	if !ok {
		return nil, false
	}
	val, _ = lpString(lp, v)
	return val, true
}

// set stores field=val and reports whether the field is new. lim gives
// the limits of the listpack form: a field or value longer than their
// value limit, or a listpack that would pass lpMaxSize, converts the hash
// before the pair is stored, a pair count past their entries limit
// after.
func (h *hashObj) set(field, val []byte, lim *encodingLimits) (added bool) {
	if h.table() == nil {
		maxLen := lim.hashValue.Load()
		if int64(len(field)) > maxLen || int64(len(val)) > maxLen ||
			int(h.n)+len(field)+len(val)+2*binary.MaxVarintLen64 > lpMaxSize {
			h.convert()
		}
	}
	if t := h.table(); t != nil {
		return t.set(field, val)
	}
	lp := h.list()
	if _, v, ok := lpFind(lp, field); ok {
		_, end := lpString(lp, v)
		h.setList(lpSplice(lp, v, end, val))
	} else {
		added = true
		lp = lpSplice(lp, len(lp), len(lp), field, val)
		binary.LittleEndian.PutUint32(lp, binary.LittleEndian.Uint32(lp)+1)
		h.setList(lp)
	}
	if int64(h.length()) > lim.hashEntries.Load() { // also after an update, as in Redis
		h.convert()
	}
	return added
}

// del removes field and reports whether it was there.
func (h *hashObj) del(field []byte) bool {
	if t := h.table(); t != nil {
		return t.del(field)
	}
	lp := h.list()
	f, v, ok := lpFind(lp, field)
	if !ok {
		return false
	}
	_, end := lpString(lp, v)
	n := h.length() - 1
	lp = lpSplice(lp, f, end)
	binary.LittleEndian.PutUint32(lp, uint32(n))
	h.setList(lp)
	return true
}

// each calls fn for every pair, in the listpack's insertion order or the
// table's bucket order, until fn returns false. fn must not change the
// hash; the slices are valid until it changes.
func (h *hashObj) each(fn func(field, val []byte) bool) {
	if t := h.table(); t != nil {
		t.each(fn)
		return
	}
	lp := h.list()
	for off := lpHeader; off < len(lp); {
		f, v := lpString(lp, off)
		val, next := lpString(lp, v)
		if !fn(f, val) {
			return
		}
		off = next
	}
}

// random returns a pair chosen uniformly at random; the hash must not be
// empty.
func (h *hashObj) random() (field, val []byte) {
	if t := h.table(); t != nil {
		return t.random()
	}
	i := rand.IntN(h.length())
	h.each(func(f, v []byte) bool {
		field, val = f, v
		i--
		return i >= 0
	})
	return field, val
}

// reserve makes room for n more bytes in a listpack, so that a command
// adding several pairs (HSET) allocates once. An unused part is given
// back by trim.
func (h *hashObj) reserve(n int) {
	if lp := h.list(); lp != nil && len(lp)+n > cap(lp) && len(lp)+n <= lpMaxSize {
		grown := append([]byte(nil), make([]byte, len(lp)+n)...)
		h.setList(grown[:copy(grown, lp)])
	}
}

// trim gives back the room a listpack has beyond about its size class,
// as a listpack that shrinks is reallocated in Redis. Commands that
// change a hash call it when done.
func (h *hashObj) trim() {
	if lp := h.list(); lp != nil && cap(lp)-len(lp) > 16+len(lp)/8 {
		h.setList(append([]byte(nil), lp...))
	}
}

// convert turns the listpack into a hashTable.
func (h *hashObj) convert() {
	t := newHashTable(h.length())
	h.each(func(f, v []byte) bool {
		t.set(f, v)
		return true
	})
	h.setTable(t)
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
// uvarint length and its bytes: in place when the result fits lp's
// capacity, else in a new allocation of just the size the result needs
// (rounded up to the allocator's size class), as a listpack's realloc.
// See reserve and trim for the rest of the sizing.
func lpSplice(lp []byte, i, j int, strs ...[]byte) []byte {
	ins := 0
	for _, s := range strs {
		ins += uvarintLen(len(s)) + len(s)
	}
	size := len(lp) - (j - i) + ins
	var out []byte
	if size <= cap(lp) {
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
// 1 + the number of its chain's first ent (0: empty); an ent holds one
// pair in one allocation (the field's length as a uvarint, the field,
// the value) and 1 + the number of the next ent of its chain. Ents live
// in chunks that never move, so the table grows without copying them;
// freed ents are chained in a free list and reused. The table has as
// many buckets as pairs, rounded up to a power of two, at least 4; it
// doubles when the pairs outnumber the buckets and halves, compacting
// the ents, when they fall to an eighth. HSCAN walks buckets with
// Redis's reverse-binary cursor, which survives those resizes.
type hashTable struct {
	seed    maphash.Seed
	buckets []uint32
	chunks  [][]hashEnt // every chunk but the last is full; all but the first have room for entChunk
	nents   int         // ents handed out, free or not
	free    uint32      // 1 + the first free ent; 0: none
	n       int         // pairs
	strMem  int64       // bytes of the pairs' allocations, in size classes
}

// hashEnt is one pair of a hashTable (n bytes at p), or a free ent
// (p == nil).
type hashEnt struct {
	next uint32
	n    uint32
	p    *byte
}

const (
	// hashTableMinBuckets is the smallest number of buckets.
	hashTableMinBuckets = 4
	// entChunk is the number of ents in a full chunk; the first chunk
	// grows to it by appending.
	entChunk = 1024
)

func newHashTable(hint int) *hashTable {
	return &hashTable{
		seed:    maphash.MakeSeed(),
		buckets: make([]uint32, bucketsFor(hint)),
		chunks:  [][]hashEnt{make([]hashEnt, 0, min(hint, entChunk))},
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
	ents := cap(t.chunks[0]) + (len(t.chunks)-1)*entChunk
	return int64(unsafe.Sizeof(*t)) + 4*int64(cap(t.buckets)) + t.strMem +
		int64(unsafe.Sizeof([]hashEnt{}))*int64(cap(t.chunks)) +
		int64(unsafe.Sizeof(hashEnt{}))*int64(ents)
}

func (t *hashTable) clone() *hashTable {
	c := *t
	c.buckets = append([]uint32(nil), t.buckets...)
	c.chunks = make([][]hashEnt, len(t.chunks))
	for i, ch := range t.chunks {
		c.chunks[i] = append(make([]hashEnt, 0, cap(ch)), ch...) // the pairs never change
	}
	return &c
}

// ent returns ent number i.
func (t *hashTable) ent(i uint32) *hashEnt { return &t.chunks[i/entChunk][i%entChunk] }

// pair returns the field and value of the ent e.
func (e *hashEnt) pair() (field, val []byte) {
	b := unsafe.Slice(e.p, e.n)
	n, w := binary.Uvarint(b)
	end := w + int(n)
	return b[w:end:end], b[end:]
}

// newEnt returns an ent holding field=val, its next not set.
func newEnt(field, val []byte) hashEnt {
	w := uvarintLen(len(field))
	b := make([]byte, w+len(field)+len(val))
	binary.PutUvarint(b, uint64(len(field)))
	copy(b[w+copy(b[w:], field):], val)
	return hashEnt{n: uint32(len(b)), p: unsafe.SliceData(b)}
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

// find returns 1 + the number of field's ent, 0 if there is none; prev
// is 1 + the number of the ent before it in its chain, 0 if it is first.
func (t *hashTable) find(field []byte) (i, prev uint32) {
	for p := t.buckets[t.bucketOf(field)]; p != 0; p = t.ent(p - 1).next {
		if f, _ := t.ent(p - 1).pair(); string(f) == string(field) {
			return p, prev
		}
		prev = p
	}
	return 0, 0
}

func (t *hashTable) get(field []byte) ([]byte, bool) {
	i, _ := t.find(field)
	if i == 0 {
		return nil, false
	}
	_, v := t.ent(i - 1).pair()
	return v, true
}

func (t *hashTable) set(field, val []byte) (added bool) {
	ne := newEnt(field, val)
	t.strMem += allocSize(int(ne.n))
	if i, _ := t.find(field); i != 0 {
		e := t.ent(i - 1)
		t.strMem -= allocSize(int(e.n))
		ne.next = e.next
		*e = ne
		return false
	}
	if t.n >= len(t.buckets) {
		t.resize(2 * len(t.buckets))
	}
	t.link(ne, t.bucketOf(field))
	t.n++
	return true
}

// link stores e in a free ent at the head of bucket b's chain.
func (t *hashTable) link(e hashEnt, b int) {
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.ent(i).next
	} else {
		i = uint32(t.nents)
		t.nents++
		last := &t.chunks[len(t.chunks)-1]
		switch {
		case len(*last) == entChunk:
			t.chunks = append(t.chunks, make([]hashEnt, 0, entChunk))
			last = &t.chunks[len(t.chunks)-1]
		case len(*last) == cap(*last): // the first chunk, growing to entChunk
			grown := make([]hashEnt, len(*last), min(max(2*cap(*last), 8), entChunk))
			copy(grown, *last)
			*last = grown
		}
		*last = append(*last, hashEnt{})
	}
	e.next = t.buckets[b]
	*t.ent(i) = e
	t.buckets[b] = i + 1
}

func (t *hashTable) del(field []byte) bool {
	i, prev := t.find(field)
	if i == 0 {
		return false
	}
	e := t.ent(i - 1)
	if prev == 0 {
		t.buckets[t.bucketOf(field)] = e.next
	} else {
		t.ent(prev - 1).next = e.next
	}
	t.strMem -= allocSize(int(e.n))
	*e = hashEnt{next: t.free}
	t.free = i
	t.n--
	if t.n > 0 && t.n <= len(t.buckets)/8 && len(t.buckets) > hashTableMinBuckets {
		t.resize(bucketsFor(t.n))
	}
	return true
}

// resize rebuilds the table with nb buckets. Growing relinks the ents
// where they are; shrinking also compacts them into new chunks.
func (t *hashTable) resize(nb int) {
	grow := nb > len(t.buckets)
	t.buckets = make([]uint32, nb)
	if grow {
		for i := range uint32(t.nents) {
			if e := t.ent(i); e.p != nil {
				f, _ := e.pair()
				b := t.bucketOf(f)
				e.next, t.buckets[b] = t.buckets[b], i+1
			}
		}
		return
	}
	old := t.chunks
	t.chunks = [][]hashEnt{make([]hashEnt, 0, min(t.n, entChunk))}
	t.nents, t.free = 0, 0
	for _, c := range old {
		for _, e := range c {
			if e.p != nil {
				f, _ := e.pair()
				t.link(e, t.bucketOf(f))
			}
		}
	}
}

func (t *hashTable) each(fn func(field, val []byte) bool) {
	for _, head := range t.buckets {
		for p := head; p != 0; p = t.ent(p - 1).next {
			if !fn(t.ent(p - 1).pair()) {
				return
			}
		}
	}
}

// random returns a pair chosen uniformly at random: at least an eighth
// of the ents hold one (del compacts them when fewer do), so a few draws
// find one.
func (t *hashTable) random() (field, val []byte) {
	for {
		if e := t.ent(uint32(rand.IntN(t.nents))); e.p != nil {
			return e.pair()
		}
	}
}

// scanBucket calls fn for the pairs of the bucket that cursor points at
// and returns the next cursor, 0 when the walk is complete. As Redis's
// dictScan, it increments the cursor's bits from the top, so that a
// bucket walked before a resize stays walked after it.
func (t *hashTable) scanBucket(cursor uint64, fn func(field, val []byte)) uint64 {
	mask := uint64(len(t.buckets) - 1)
	for p := t.buckets[cursor&mask]; p != 0; p = t.ent(p - 1).next {
		fn(t.ent(p - 1).pair())
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}
