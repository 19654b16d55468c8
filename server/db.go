package server

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// keyspace is the keyspace: keys of every type (see object.go) with optional
// expiry. Every method
// expects mu held (the dispatcher takes it around each keyspace command,
// so a command is atomic with respect to all others) and uses now, set by
// the dispatcher, as the command's clock.
//
// Layout, for memory (issue 19: 1M keys of 100 bytes cost 419 MiB of RSS
// against redis-server's 210 MiB before it). Each key is one entry of 40
// bytes, kept by value in chunks of entryChunk entries, so an entry never
// moves and handlers may hold a *entry while they look up other keys. An
// entry's key and value share one allocation, the value first, the key at
// cap(val) (see keyOf). Keys are found through keyIndex, a hash table of
// integers; the keys with an expiry are listed in ttlIdx, an array of
// entry numbers the sweeper and the volatile eviction policies sample.
//
// An entry's number never changes while the key lives, and a freed number
// is given to a later key. SCAN's cursor is 1 + the next number to visit,
// so a key present for a whole scan is returned exactly once, however the
// keyspace changes meanwhile (a key added meanwhile may or may not be).
type keyspace struct {
	mu  sync.Mutex
	now int64 // unix ms of the running command

	index   keyIndex
	chunks  []*[entryChunk]entry
	nslots  uint32   // entry numbers handed out so far
	free    []uint32 // freed entry numbers, reused last freed first
	live    int      // keys, counting expired keys not yet removed
	ttlIdx  []uint32 // the entries with an expiry, for the sweeper
	valMem  int64    // bytes of the entries' key and value allocations
	usedMem atomic.Int64

	expiredKeys int64 // stats: keys removed because they expired
	evictedKeys int64 // stats: keys removed by maxmemory's policy
	dirty       int64 // changes since start

	evict evictState     // maxmemory; see evict.go
	enc   encodingLimits // when collections leave their compact form; see encoding.go

	objs    []objRef // the values of the keys that are not strings; see object.go
	objFree []uint32 // numbers of free slots in objs

	watched map[string][]*watchedKey // WATCHed keys and who watches them; see db_watch.go

	// Blocking commands (see block.go): the clients waiting on each key,
	// first come first; the keys made ready since the last serving, in
	// order; and whether any are still to be served.
	blocked      map[string][]*keyWaiter
	ready        []string
	readyPending atomic.Bool

	// Giving memory back (see reclaim.go): the accounted bytes at their
	// peak since the last reclaim, and the reclaimer's wake-up.
	peakMem int64
	shrunk  chan struct{}

	// armed gets a token when the first key with an expiry appears, for
	// the sweep, which waits on it while no key has one (see sweep).
	armed chan struct{}
}

// entry is one key, in 40 bytes. val is the value; the allocation behind
// it holds the key after the value's capacity: its length as a uvarint,
// then its bytes (see keyOf). A free entry has a nil val.
type entry struct {
	val []byte
	exp int64  // unix ms; 0 = no expiry
	lru uint32 // the type (top 8 bits) and the LRU clock or LFU counter of maxmemory's policy (see object.go)
	ttl uint32 // 1 + its position in ttlIdx; 0 = no expiry
}

// entryChunk is how many entries are allocated at once.
const entryChunk = 1024

func newDB() *keyspace {
	db := &keyspace{index: newKeyIndex(), armed: make(chan struct{}, 1), shrunk: make(chan struct{}, 1)}
	db.evict.init()
	db.enc.init()
	db.updateUsed()
	return db
}

// at returns entry number idx.
func (db *keyspace) at(idx uint32) *entry { return &db.chunks[idx/entryChunk][idx%entryChunk] }

// keyOf returns e's key. Its bytes never change while any reference to
// them lives: an entry's allocation is replaced, never reused.
func keyOf(e *entry) string {
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(e.val)), cap(e.val))
	n, w := readUvarint(p)
	if n == 0 {
		return "" // p+w may be the allocation's end
	}
	return unsafe.String((*byte)(unsafe.Add(p, w)), n)
}

// allocLen is the length of e's allocation: value, key length and key.
func allocLen(e *entry) int {
	n, w := readUvarint(unsafe.Add(unsafe.Pointer(unsafe.SliceData(e.val)), cap(e.val)))
	return cap(e.val) + w + n
}

// readUvarint decodes the uvarint at p, reading none of the bytes after
// it, and returns it and its width.
func readUvarint(p unsafe.Pointer) (n, w int) {
	for shift := 0; ; shift += 7 {
		b := *(*byte)(unsafe.Add(p, w))
		w++
		n |= int(b&0x7f) << shift
		if b < 0x80 {
			return n, w
		}
	}
}

// uvarintLen is the width of n as a uvarint.
func uvarintLen(n int) int {
	w := 1
	for ; n >= 0x80; n >>= 7 {
		w++
	}
	return w
}

// idxOf returns the index slot and number of the live entry e.
func (db *keyspace) idxOf(e *entry) (indexSlot, uint32) {
	slot, _ := db.index.find(db.index.tagOf(bytesOf(keyOf(e))), func(i uint32) bool { return db.at(i) == e })
	return slot, slot.idx()
}

// lookup finds key's slot in the index and its entry, expired or not.
func (db *keyspace) lookup(key []byte) (slot indexSlot, e *entry) {
	tag := db.index.tagOf(key)
	slot, found := db.index.find(tag, func(idx uint32) bool {
		return keyOf(db.at(idx)) == string(key)
	})
	if !found {
		return slot, nil
	}
	return slot, db.at(slot.idx())
}

// peek returns key's entry, expired or not, without touching it.
func (db *keyspace) peek(key string) *entry {
	_, e := db.lookup(bytesOf(key))
	return e
}

// get returns the live entry for key, removing it first if it expired.
func (db *keyspace) get(key string) *entry { return db.getBytes(bytesOf(key)) }

// getBytes is get for a key given as bytes; the lookup does not allocate.
// It counts as an access for the LRU and LFU policies.
func (db *keyspace) getBytes(key []byte) *entry {
	e := db.peekLive(key)
	if e != nil {
		db.accessed(e)
	}
	return e
}

// peekLive is getBytes without counting an access (OBJECT looks without
// touching): key's live entry, or nil, an expired one removed.
func (db *keyspace) peekLive(key []byte) *entry {
	_, e := db.lookup(key)
	if e != nil && db.expired(e) {
		db.expire(e)
		return nil
	}
	return e
}

// expired reports whether e's time is up as of the running command.
func (db *keyspace) expired(e *entry) bool { return e.exp != 0 && e.exp <= db.now }

// expire removes an entry whose time is up, counting it for INFO.
func (db *keyspace) expire(e *entry) {
	db.removeEntry(e)
	db.expiredKeys++
}

// set stores val under key. With keepTTL an existing expiry stays;
// otherwise exp (0 = none) replaces it.
func (db *keyspace) set(key []byte, val []byte, exp int64, keepTTL bool) {
	db.store(key, db.getBytes(key), val, exp, keepTTL)
}

// insert adds a new key with a copy of val; key must not exist.
func (db *keyspace) insert(key []byte, val []byte, exp int64) *entry {
	var idx uint32
	if n := len(db.free); n > 0 {
		idx = db.free[n-1]
		db.free = db.free[:n-1]
	} else {
		if db.nslots%entryChunk == 0 {
			db.chunks = append(db.chunks, new([entryChunk]entry))
		}
		idx = db.nslots
		db.nslots++
	}
	e := db.at(idx)
	*e = entry{}
	db.fill(e, key, val)
	tag := db.index.tagOf(key)
	slot, _ := db.index.find(tag, func(uint32) bool { return false })
	db.index.put(slot, tag, idx)
	db.live++
	db.newEntry(e)
	if exp != 0 {
		db.addTTL(e, idx)
	}
	e.exp = exp
	db.touchBytes(key)
	db.updateUsed()
	return e
}

// fill gives e a new allocation holding val and key.
func (db *keyspace) fill(e *entry, key, val []byte) { db.fillCap(e, key, val, len(val)) }

// fillCap gives e a new allocation holding val, with room for a value of
// vcap bytes (or what the allocation's size class leaves), and key.
func (db *keyspace) fillCap(e *entry, key, val []byte, vcap int) {
	tail := uvarintLen(len(key)) + len(key)
	buf := append(make([]byte, 0, vcap+tail), val...)
	buf = buf[:cap(buf)]
	vcap = len(buf) - tail
	w := binary.PutUvarint(buf[vcap:], uint64(len(key)))
	copy(buf[vcap+w:], key)
	if e.val != nil {
		db.valMem -= int64(allocLen(e))
	}
	db.valMem += int64(len(buf))
	e.val = buf[:len(val):vcap]
	db.updateUsed()
}

// setVal replaces e's value with a copy of val, in place when it fits
// and would not waste more than half the allocation.
func (db *keyspace) setVal(e *entry, val []byte) {
	if len(val) <= cap(e.val) && cap(e.val) <= 2*len(val)+16 {
		e.val = e.val[:len(val)]
		copy(e.val, val)
		return
	}
	db.fill(e, bytesOf(keyOf(e)), val)
}

// setExpiry sets the expiry of the entry e (0 = none).
func (db *keyspace) setExpiry(e *entry, exp int64) {
	switch {
	case e.ttl == 0 && exp != 0:
		_, idx := db.idxOf(e)
		db.addTTL(e, idx)
	case e.ttl != 0 && exp == 0:
		db.dropTTL(e)
	}
	e.exp = exp
	db.touchEntry(e)
}

// addTTL lists e, entry number idx, in ttlIdx.
func (db *keyspace) addTTL(e *entry, idx uint32) {
	if len(db.ttlIdx) == 0 {
		select {
		case db.armed <- struct{}{}:
		default: // a token is already waiting
		}
	}
	db.ttlIdx = append(db.ttlIdx, idx)
	e.ttl = uint32(len(db.ttlIdx))
}

// dropTTL takes e out of ttlIdx, moving the last one into its place.
func (db *keyspace) dropTTL(e *entry) {
	pos, last := e.ttl-1, len(db.ttlIdx)-1
	moved := db.ttlIdx[last]
	db.ttlIdx[pos] = moved
	db.at(moved).ttl = pos + 1
	db.ttlIdx = db.ttlIdx[:last]
	e.ttl = 0
	if cap(db.ttlIdx) > 64 && len(db.ttlIdx) < cap(db.ttlIdx)/4 {
		db.ttlIdx = append([]uint32(nil), db.ttlIdx...)
	}
}

// del removes key if it exists (and has not expired) and reports whether
// it did.
func (db *keyspace) del(key string) bool {
	e := db.get(key)
	if e == nil {
		return false
	}
	db.removeEntry(e)
	db.dirty++
	return true
}

// remove deletes an entry known to be present under key.
func (db *keyspace) remove(key string, e *entry) { db.removeEntry(e) }

// removeEntry deletes the entry e, which is present.
func (db *keyspace) removeEntry(e *entry) {
	key := keyOf(e)
	slot, idx := db.idxOf(e)
	db.index.deleteAt(slot)
	if e.ttl != 0 {
		db.dropTTL(e)
	}
	db.valMem -= int64(allocLen(e))
	db.detach(e)
	db.live--
	db.free = append(db.free, idx)
	*e = entry{}
	if db.live == 0 { // give the entries back; no cursor can tell
		db.chunks, db.nslots, db.free = nil, 0, nil
		db.evict.clearPool()
	}
	db.updateUsed()
	db.touch(key)
}

// flush empties the keyspace.
func (db *keyspace) flush() {
	db.touchAllOnFlush()
	db.dirty += int64(db.live)
	db.index = newKeyIndex()
	db.chunks, db.nslots, db.free, db.live, db.ttlIdx = nil, 0, nil, 0, nil
	db.objs, db.objFree = nil, nil
	db.valMem = 0
	db.evict.clearPool()
	db.updateUsed()
}

// size returns the number of keys, counting expired keys not yet removed,
// as DBSIZE does in Redis.
func (db *keyspace) size() int { return db.live }

// randomEntry returns a random entry, expired or not, or nil if there is
// none.
func (db *keyspace) randomEntry() *entry {
	if idx, ok := db.randomIdx(); ok {
		return db.at(idx)
	}
	return nil
}

// randomIdx returns the number of a random entry, expired or not, and
// false if there is none. It picks numbers at random and, should most be
// free, walks on from one.
func (db *keyspace) randomIdx() (uint32, bool) {
	if db.live == 0 {
		return 0, false
	}
	for tries := 0; tries < 16; tries++ {
		if i := rand.Uint32N(db.nslots); db.at(i).val != nil {
			return i, true
		}
	}
	start := rand.Uint32N(db.nslots)
	for i := range db.nslots {
		if j := (start + i) % db.nslots; db.at(j).val != nil {
			return j, true
		}
	}
	return 0, false
}

// randomKey returns a random live key, or "" and false if there is none.
func (db *keyspace) randomKey() (string, bool) {
	for {
		e := db.randomEntry()
		if e == nil {
			return "", false
		}
		if !db.expired(e) {
			return keyOf(e), true
		}
		db.expire(e)
	}
}

// scan calls fn for live keys from entry cursor-1 on, in number order,
// until count keys have been visited; it returns the cursor to continue
// from, 0 when the scan is complete.
func (db *keyspace) scan(cursor uint64, count int, fn func(key string, e *entry)) uint64 {
	i := uint64(0)
	if cursor > 0 {
		i = cursor - 1
	}
	for visited := 0; i < uint64(db.nslots); i++ {
		if visited >= count {
			return i + 1
		}
		e := db.at(uint32(i))
		if e.val == nil {
			continue
		}
		visited++
		if db.expired(e) {
			continue // left for the sweeper; scan must not reorder
		}
		fn(keyOf(e), e)
	}
	return 0
}

// each calls fn for every live key in entry number order.
func (db *keyspace) each(fn func(key string, e *entry)) {
	db.scan(0, int(db.nslots)+1, fn)
}

// ttl returns the remaining ms of a live entry, or -1 without expiry.
func (db *keyspace) ttl(e *entry) int64 {
	if e.exp == 0 {
		return -1
	}
	return e.exp - db.now
}

// Active expiry, after Redis's: ten times a second sample keys with an
// expiry and remove the expired ones; go on while more than a quarter of a
// sample had expired, for at most a few milliseconds per round.
const (
	sweepEvery  = 100 * time.Millisecond
	sweepSample = 20
	sweepBudget = 5 * time.Millisecond
)

func (s *Server) sweep() {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		if s.db.sweepOnce(s.now()) {
			continue
		}
		// No key has an expiry: sleep until one does, so that an idle
		// share does not wake ten times a second for nothing.
		t.Stop()
		select {
		case <-s.done:
			return
		case <-s.db.armed:
		}
		t.Reset(sweepEvery)
	}
}

// sweepOnce removes expired keys as of now, by sampling, and reports
// whether any key with an expiry is left.
func (db *keyspace) sweepOnce(now time.Time) (left bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	start := time.Now()
	db.now = now.UnixMilli()
	for len(db.ttlIdx) > 0 {
		sampled, expired := 0, 0
		for ; sampled < sweepSample && len(db.ttlIdx) > 0; sampled++ {
			e := db.at(db.ttlIdx[rand.IntN(len(db.ttlIdx))])
			if db.expired(e) {
				db.expire(e)
				expired++
			}
		}
		if expired*4 <= sampled || time.Since(start) > sweepBudget {
			break
		}
	}
	return len(db.ttlIdx) > 0
}
