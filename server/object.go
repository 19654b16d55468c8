package server

import (
	"encoding/binary"

	"github.com/remoted/remoted/resp"
)

// Values of the types other than string. A key's type is in its entry
// (see entry.kind); a string keeps its bytes in the entry itself, any
// other type is an object the keyspace keeps beside the entry, in the
// dense array db.objs, while the entry's value holds the object's number
// in it (4 bytes, little endian). A map from entry to object cost 84
// bytes a key, a quarter of a small hash (1M hashes of 10 fields: 1.23x
// redis-server's RSS); an array slot costs 24. Each type lives in its own
// pair of files: the structure (type_<name>.go) and its commands
// (cmd_<name>.go).
//
// A command on a collection looks it up with getTyped, which answers
// WRONGTYPE for a key of another type; creates one with insertObj; and,
// after changing it, calls objChanged, which keeps the memory accounting,
// WATCH and the dirty count right and deletes a collection left empty,
// as Redis never keeps an empty hash, list, set or sorted set.

// valueKind is a key's type.
type valueKind uint8

const (
	kindString valueKind = iota
	kindList
	kindSet
	kindZSet
	kindHash
	kindStream
)

// kindNames are the types' names, as TYPE and SCAN's TYPE filter spell
// them.
var kindNames = [...]string{kindString: "string", kindList: "list", kindSet: "set", kindZSet: "zset", kindHash: "hash", kindStream: "stream"}

func (k valueKind) String() string { return kindNames[k] }

// kindNamed returns the type called name (as TYPE spells it), and false
// for a name no type has.
func kindNamed(name []byte) (valueKind, bool) {
	for k, n := range kindNames {
		if asciiEqualFold(name, n) {
			return valueKind(k), true
		}
	}
	return 0, false
}

// object is the value of a key of any type but string.
type object interface {
	// kind is the object's type.
	kind() valueKind
	// encoding is OBJECT ENCODING's name for the representation in use,
	// the one Redis 7.0 would use for the same contents.
	encoding() string
	// memSize is about how many bytes the object holds, for maxmemory
	// and INFO. It is called after every change, so it must be cheap:
	// types keep it as they go.
	memSize() int64
	// length is the number of elements; the keyspace deletes a
	// collection whose length falls to 0.
	length() int
	// clone returns a copy sharing nothing mutable with the object (COPY).
	clone() object
}

// popCount parses the optional count of LPOP, RPOP, SPOP, ZPOPMIN and
// ZPOPMAX (args[2]): -1 when there is none, or Redis's error for one that
// is negative or not an integer. A caller checks the arity first.
func popCount(args [][]byte) (int64, string) {
	if len(args) < 3 {
		return -1, ""
	}
	n, ok := resp.ParseInt(args[2])
	if !ok || n < 0 {
		return 0, resp.MsgPositive
	}
	return n, ""
}

// objRef is an object and the bytes last accounted for it.
type objRef struct {
	o   object
	mem int64
}

// entry.lru holds, from the top: two flags of a string's representation
// (see stringEncoding), the type in three bits, and in the low 24 bits
// the clock of maxmemory's policy.
const (
	kindShift = 24
	kindBits  = 7 << kindShift
	// rawString: APPEND or SETRANGE wrote the string in place, which in
	// Redis makes it a raw sds whatever its contents.
	rawString = 1 << 30
	// floatString: INCRBYFLOAT stored it, as an embedded string that is
	// never integer-encoded.
	floatString = 1 << 29
	stringFlags = rawString | floatString
)

// kind is the entry's type.
func (e *entry) kind() valueKind { return valueKind(e.lru & kindBits >> kindShift) }

// clock is the entry's LRU clock or LFU counter (see evict.go).
func (e *entry) clock() uint32 { return e.lru & lruClockMax }

// setClock sets the entry's LRU clock or LFU counter, keeping its type.
func (e *entry) setClock(v uint32) { e.lru = e.lru&^lruClockMax | v&lruClockMax }

// setKind sets the entry's type, clearing a string's flags.
func (e *entry) setKind(k valueKind) { e.lru = e.clock() | uint32(k)<<kindShift }

// flags are the entry's string flags.
func (e *entry) flags() uint32 { return e.lru & stringFlags }

// setFlags replaces the entry's string flags.
func (e *entry) setFlags(f uint32) { e.lru = e.lru&^stringFlags | f }

// obj returns the object of the entry e, which must not be a string.
func (db *keyspace) obj(e *entry) object { return db.objs[objNum(e)].o }

// objNum is the number of the object of the entry e in db.objs.
func objNum(e *entry) uint32 { return binary.LittleEndian.Uint32(e.val) }

// getTyped returns the live object of type T under key, and its entry: a
// missing key gives the zero T and a nil entry; a key of another type,
// Redis's WRONGTYPE error as errText.
func getTyped[T object](db *keyspace, key []byte) (o T, e *entry, errText string) {
	e = db.getBytes(key)
	if e == nil {
		return o, nil, ""
	}
	if e.kind() == kindString {
		return o, nil, resp.MsgWrongType
	}
	o, ok := db.obj(e).(T)
	if !ok {
		return o, nil, resp.MsgWrongType
	}
	return o, e, ""
}

// getString returns the live string entry under key: nil if the key is
// missing, and Redis's WRONGTYPE error for a key of another type.
func (db *keyspace) getString(key []byte) (*entry, string) {
	e := db.getBytes(key)
	if e != nil && e.kind() != kindString {
		return nil, resp.MsgWrongType
	}
	return e, ""
}

// insertObj adds key, which must not exist, holding o, with no expiry.
// The caller fills o and then calls objChanged, as for any change.
func (db *keyspace) insertObj(key []byte, o object) *entry {
	var num [4]byte
	e := db.insert(key, num[:], 0)
	db.attach(e, o)
	return e
}

// attach makes o the value of the entry e, a string until now, and
// accounts for it.
func (db *keyspace) attach(e *entry, o object) {
	var num uint32
	if n := len(db.objFree); n > 0 {
		num = db.objFree[n-1]
		db.objFree = db.objFree[:n-1]
	} else {
		num = uint32(len(db.objs))
		db.objs = append(db.objs, objRef{})
	}
	if len(e.val) != 4 {
		db.setVal(e, make([]byte, 4))
	}
	binary.LittleEndian.PutUint32(e.val, num)
	mem := o.memSize()
	db.objs[num] = objRef{o: o, mem: mem}
	e.setKind(o.kind())
	db.valMem += mem
	db.updateUsed()
	db.signalReady(keyOf(e))
}

// detach forgets the object of the entry e, if it has one, leaving it a
// string entry; its bytes leave the accounting.
func (db *keyspace) detach(e *entry) {
	if e.kind() == kindString {
		return
	}
	num := objNum(e)
	db.valMem -= db.objs[num].mem
	db.objs[num] = objRef{}
	if len(db.objFree) == len(db.objs)-1 { // the last one: start afresh
		db.objs, db.objFree = nil, nil
	} else {
		db.objFree = append(db.objFree, num)
	}
	e.setKind(kindString)
}

// objChanged records that the object under the live entry e changed
// through n writes (Redis's dirty count: one per element added, removed
// or changed): it accounts for its new size, marks the key changed for
// WATCH, and deletes the key if the object is left empty. It reports
// whether the key still exists.
func (db *keyspace) objChanged(e *entry, n int) bool {
	db.dirty += int64(n)
	ref := &db.objs[objNum(e)]
	if ref.o.length() == 0 {
		db.removeEntry(e) // touches the key
		return false
	}
	mem := ref.o.memSize()
	db.valMem += mem - ref.mem
	ref.mem = mem
	db.updateUsed()
	db.touchEntry(e)
	return true
}

// objResized accounts for a new size of the object under the live entry
// e after a change that leaves its contents as they were (a conversion
// to another representation): unlike objChanged it counts no write and
// does not mark the key changed for WATCH.
func (db *keyspace) objResized(e *entry) {
	ref := &db.objs[objNum(e)]
	mem := ref.o.memSize()
	db.valMem += mem - ref.mem
	ref.mem = mem
	db.updateUsed()
}
