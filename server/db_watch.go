package server

import "slices"

// WATCH, after Redis 7.0's multi.c. The keyspace keeps an index from each
// watched key to the clients watching it; every write primitive calls
// touch with the key it changed, which costs one len() check while nothing
// is watched. A touch marks each watcher dirty (CLIENT LIST flag d) and
// drops all its watches, as nothing can make its EXEC succeed any more.
//
// Expiry follows Redis 7.0 too: a key already logically expired when it
// was watched is flagged, and its removal (lazily, by the sweeper or by a
// flush) is not a change; a key that expires after WATCH makes EXEC fail
// even if nothing removed it yet.
//
// All of it runs under db.mu: the index, each client's watching list and
// the expired flags. A client's dirty flag is atomic so that CLIENT LIST
// can read it from another connection.

// watchedKey is one key watched by one client.
type watchedKey struct {
	key     string
	c       *client
	expired bool // the key was logically expired when WATCH ran
}

// touch records that key was written (set, deleted, its expiry changed).
// Call it after the change.
func (db *keyspace) touch(key string) {
	if len(db.watched) == 0 {
		return
	}
	db.touchWatched(key)
}

// touchEntry is touch for a write that knows the live entry but not its
// key as a string (APPEND, SETRANGE, an expiry change).
func (db *keyspace) touchEntry(e *entry) {
	if len(db.watched) == 0 {
		return
	}
	db.touchWatched(keyOf(e))
}

func (db *keyspace) touchWatched(key string) {
	wks := db.watched[key]
	if len(wks) == 0 {
		return
	}
	var dirty []*client
	for _, wk := range wks {
		if wk.expired {
			if db.peek(key) == nil {
				// The key was expired when watched and is now gone:
				// logically nothing changed.
				wk.expired = false
				continue
			}
		}
		dirty = append(dirty, wk.c)
	}
	for _, c := range dirty {
		c.dirtyCAS.Store(true)
		db.unwatchAll(c)
	}
}

// touchAllOnFlush marks the watchers of every watched key that exists (even
// logically expired) before a flush, as Redis's touchAllWatchedKeysInDb.
// Call it before the keys are dropped.
func (db *keyspace) touchAllOnFlush() {
	for key, wks := range db.watched {
		if db.peek(key) == nil {
			continue
		}
		for _, wk := range wks {
			if wk.expired {
				wk.expired = false // an expired key removed: no change
				continue
			}
			wk.c.dirtyCAS.Store(true)
		}
	}
}

// watch adds key to c's watched keys, unless c already watches it.
func (db *keyspace) watch(c *client, key []byte) {
	for _, wk := range c.watching {
		if wk.key == string(key) {
			return
		}
	}
	_, e := db.lookup(key)
	wk := &watchedKey{
		key:     string(key),
		c:       c,
		expired: e != nil && db.expired(e),
	}
	if db.watched == nil {
		db.watched = make(map[string][]*watchedKey)
	}
	db.watched[wk.key] = append(db.watched[wk.key], wk)
	c.watching = append(c.watching, wk)
}

// unwatchAll drops every watch of c. The dirty flag is the caller's.
func (db *keyspace) unwatchAll(c *client) {
	for _, wk := range c.watching {
		wks := slices.DeleteFunc(db.watched[wk.key], func(x *watchedKey) bool { return x == wk })
		if len(wks) == 0 {
			delete(db.watched, wk.key)
		} else {
			db.watched[wk.key] = wks
		}
	}
	c.watching = nil
}

// watchedExpired reports whether a key c watches has expired since WATCH,
// removed or not: EXEC then fails, as in Redis 7.0.
func (db *keyspace) watchedExpired(c *client) bool {
	for _, wk := range c.watching {
		if wk.expired {
			continue
		}
		if e := db.peek(wk.key); e != nil && db.expired(e) {
			return true
		}
	}
	return false
}

// touchBytes is touch for a key given as bytes; the key is converted only
// when something is watched.
func (db *keyspace) touchBytes(key []byte) {
	if len(db.watched) == 0 {
		return
	}
	db.touchWatched(string(key))
}
