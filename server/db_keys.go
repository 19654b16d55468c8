package server

// rename moves the live entry e from src to dst, replacing whatever dst
// held; the expiry moves with it. dst is a new key: it gets a new entry
// number, so a SCAN under way may or may not return it, as Redis may.
func (db *keyspace) rename(src, dst string, e *entry) {
	if old := db.get(dst); old != nil {
		db.removeEntry(old)
	}
	val, exp, flags := e.val, e.exp, e.flags()
	var o object
	if e.kind() != kindString {
		o = db.obj(e)
	}
	db.removeEntry(e)
	ne := db.insert(bytesOf(dst), val, exp)
	ne.setFlags(flags)
	if o != nil {
		db.attach(ne, o)
	}
	db.dirty++
}

// copyKey stores a copy of the live entry e, expiry included, under dst,
// replacing whatever dst held.
func (db *keyspace) copyKey(dst string, e *entry) {
	if old := db.get(dst); old != nil {
		db.removeEntry(old)
	}
	var o object
	if e.kind() != kindString {
		o = db.obj(e).clone()
	}
	ne := db.insert(bytesOf(dst), e.val, e.exp)
	ne.setFlags(e.flags())
	if o != nil {
		db.attach(ne, o)
	}
	db.dirty++
}

// expireAt sets the expiry of the live entry e under key to when (unix
// ms); a time not after now deletes the key, as Redis does.
func (db *keyspace) expireAt(key string, e *entry, when int64) {
	db.dirty++
	if when <= db.now {
		db.removeEntry(e)
		return
	}
	db.setExpiry(e, when)
}

// persist removes the expiry of the live entry e under key and reports
// whether it had one.
func (db *keyspace) persist(key string, e *entry) bool {
	if e.exp == 0 {
		return false
	}
	db.setExpiry(e, 0)
	db.dirty++
	return true
}

// setExp sets the expiry of the live entry e under key (0 = none).
func (db *keyspace) setExp(key string, e *entry, exp int64) { db.setExpiry(e, exp) }
