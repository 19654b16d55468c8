package server

import "bytes"

// rename moves the live entry e from src to dst, replacing whatever dst
// held; the expiry moves with it. dst is a new key: it gets a new sequence
// number, so a SCAN under way may or may not return it, as Redis may.
func (db *keyspace) rename(src, dst string, e *entry) {
	if old := db.get(dst); old != nil {
		db.remove(dst, old)
	}
	db.remove(src, e)
	db.insert(dst, &entry{val: e.val}, e.exp)
	db.dirty++
}

// copyKey stores a copy of the live entry e, expiry included, under dst,
// replacing whatever dst held.
func (db *keyspace) copyKey(dst string, e *entry) {
	if old := db.get(dst); old != nil {
		db.remove(dst, old)
	}
	db.insert(dst, &entry{val: bytes.Clone(e.val)}, e.exp)
	db.dirty++
}

// expireAt sets the expiry of the live entry e under key to when (unix
// ms); a time not after now deletes the key, as Redis does.
func (db *keyspace) expireAt(key string, e *entry, when int64) {
	db.dirty++
	if when <= db.now {
		db.remove(key, e)
		return
	}
	db.setExp(key, e, when)
}

// persist removes the expiry of the live entry e under key and reports
// whether it had one.
func (db *keyspace) persist(key string, e *entry) bool {
	if e.exp == 0 {
		return false
	}
	db.setExp(key, e, 0)
	db.dirty++
	return true
}
