package server

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// keyspace is the keyspace: Redis strings with optional expiry. Every method
// expects mu held (the dispatcher takes it around each keyspace command,
// so a command is atomic with respect to all others) and uses now, set by
// the dispatcher, as the command's clock.
//
// Keys are also kept in insertion order, each with a sequence number that
// never changes while the key lives. SCAN's cursor is such a number, so a
// key present for a whole scan is returned exactly once, however the
// keyspace changes meanwhile.
type keyspace struct {
	mu  sync.Mutex
	now int64 // unix ms of the running command

	keys    map[string]*entry
	order   []slot // live and dead keys in insertion order, by seq
	dead    int    // dead slots in order
	nextSeq uint64
	ttls    map[string]*entry // the keys with an expiry, for the sweeper

	expiredKeys int64 // stats: keys removed because they expired
	dirty       int64 // changes since start

	watched map[string][]*watchedKey // WATCHed keys and who watches them; see db_watch.go

	// armed gets a token when the first key with an expiry appears, for
	// the sweep, which waits on it while no key has one (see sweep).
	armed chan struct{}
}

type entry struct {
	val []byte
	exp int64 // unix ms; 0 = no expiry
	seq uint64
}

type slot struct {
	seq  uint64
	key  string
	live bool
}

func newDB() *keyspace {
	return &keyspace{keys: make(map[string]*entry), ttls: make(map[string]*entry), nextSeq: 1, armed: make(chan struct{}, 1)}
}

// get returns the live entry for key, removing it first if it expired.
func (db *keyspace) get(key string) *entry {
	e := db.keys[key]
	if e != nil && db.expired(e) {
		db.expire(key, e)
		return nil
	}
	return e
}

// getBytes is get for a key given as bytes; the lookup does not allocate.
func (db *keyspace) getBytes(key []byte) *entry {
	e := db.keys[string(key)]
	if e != nil && db.expired(e) {
		db.expire(string(key), e)
		return nil
	}
	return e
}

// expired reports whether e's time is up as of the running command.
func (db *keyspace) expired(e *entry) bool { return e.exp != 0 && e.exp <= db.now }

// expire removes an entry whose time is up, counting it for INFO.
func (db *keyspace) expire(key string, e *entry) {
	db.remove(key, e)
	db.expiredKeys++
}

// set stores val under key. With keepTTL an existing expiry stays;
// otherwise exp (0 = none) replaces it.
func (db *keyspace) set(key []byte, val []byte, exp int64, keepTTL bool) {
	db.dirty++
	if e := db.getBytes(key); e != nil {
		e.val = val
		if !keepTTL {
			db.setExp(string(key), e, exp)
		}
		db.touchBytes(key)
		return
	}
	db.insert(string(key), &entry{val: val}, exp)
}

// insert adds a new key; key must not exist.
func (db *keyspace) insert(key string, e *entry, exp int64) {
	e.seq = db.nextSeq
	db.nextSeq++
	db.keys[key] = e
	db.order = append(db.order, slot{seq: e.seq, key: key, live: true})
	db.setExp(key, e, exp)
	db.touch(key)
}

// setExp sets the expiry of the entry under key (0 = none).
func (db *keyspace) setExp(key string, e *entry, exp int64) {
	switch {
	case e.exp == 0 && exp != 0:
		if len(db.ttls) == 0 {
			select {
			case db.armed <- struct{}{}:
			default: // a token is already waiting
			}
		}
		db.ttls[key] = e
	case e.exp != 0 && exp == 0:
		delete(db.ttls, key)
	}
	e.exp = exp
	db.touch(key)
}

// del removes key if it exists (and has not expired) and reports whether
// it did.
func (db *keyspace) del(key string) bool {
	e := db.get(key)
	if e == nil {
		return false
	}
	db.remove(key, e)
	db.dirty++
	return true
}

// remove deletes an entry known to be present under key.
func (db *keyspace) remove(key string, e *entry) {
	delete(db.keys, key)
	if e.exp != 0 {
		delete(db.ttls, key)
	}
	i, found := db.slotIndex(e.seq)
	if found {
		db.order[i] = slot{seq: e.seq}
		db.dead++
	}
	if db.dead > 64 && db.dead > len(db.order)/2 {
		db.compact()
	}
	db.touch(key)
}

// slotIndex finds seq in order: its index, or where it would go.
func (db *keyspace) slotIndex(seq uint64) (int, bool) {
	return slices.BinarySearchFunc(db.order, seq, func(s slot, seq uint64) int {
		return cmp.Compare(s.seq, seq)
	})
}

// compact drops dead slots; order stays sorted by seq.
func (db *keyspace) compact() {
	db.order = slices.DeleteFunc(db.order, func(s slot) bool { return !s.live })
	db.dead = 0
}

// flush empties the keyspace.
func (db *keyspace) flush() {
	db.touchAllOnFlush()
	db.dirty += int64(len(db.keys))
	db.keys = make(map[string]*entry)
	db.order = nil
	db.dead = 0
	db.ttls = make(map[string]*entry)
}

// size returns the number of keys, counting expired keys not yet removed,
// as DBSIZE does in Redis.
func (db *keyspace) size() int { return len(db.keys) }

// randomKey returns a random live key, or "" and false if there is none.
func (db *keyspace) randomKey() (string, bool) {
	for len(db.keys) > 0 {
		s := db.order[rand.IntN(len(db.order))]
		if !s.live {
			continue
		}
		if db.get(s.key) != nil {
			return s.key, true
		}
	}
	return "", false
}

// scan calls fn for live keys with seq >= cursor, in seq order, until
// count keys have been visited; it returns the cursor to continue from, 0
// when the scan is complete.
func (db *keyspace) scan(cursor uint64, count int, fn func(key string, e *entry)) uint64 {
	i, _ := db.slotIndex(cursor)
	for visited := 0; i < len(db.order); i++ {
		if visited >= count {
			return db.order[i].seq
		}
		s := db.order[i]
		if !s.live {
			continue
		}
		visited++
		e := db.keys[s.key]
		if db.expired(e) {
			continue // left for the sweeper; scan must not reorder
		}
		fn(s.key, e)
	}
	return 0
}

// each calls fn for every live key in insertion order.
func (db *keyspace) each(fn func(key string, e *entry)) {
	for _, s := range db.order {
		if !s.live {
			continue
		}
		e := db.keys[s.key]
		if db.expired(e) {
			continue
		}
		fn(s.key, e)
	}
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
	for len(db.ttls) > 0 {
		sampled, expired := 0, 0
		for key, e := range db.ttls { // map order is random
			sampled++
			if db.expired(e) {
				db.expire(key, e)
				expired++
			}
			if sampled >= sweepSample {
				break
			}
		}
		if expired*4 <= sampled || time.Since(start) > sweepBudget {
			break
		}
	}
	return len(db.ttls) > 0
}
