package server

import (
	"math"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// Value ownership. The keyspace copies every value it is given into the
// entry's own allocation (see keyspace), so a command may store an
// argument, which points into the connection's input buffer, as it is.
// A value read from an entry is valid until the next write to the
// keyspace: APPEND grows a value in place and SETRANGE and SET overwrite
// it in place when it fits.

// storeArg returns arg for storing as a value: store copies it.
func storeArg(arg []byte) []byte { return arg }

// store sets key, whose live entry the caller has looked up (e, or nil if
// the key is missing), to a copy of val. exp (0 = none) replaces the
// expiry unless keepTTL.
//
// It returns the entry.
func (db *keyspace) store(key []byte, e *entry, val []byte, exp int64, keepTTL bool) *entry {
	db.dirty++
	if e == nil {
		return db.insert(key, val, exp)
	}
	db.detach(e) // SET replaces a value of any type
	e.setFlags(0)
	db.setVal(e, val)
	if !keepTTL {
		db.setExpiry(e, exp)
		return e
	}
	db.touchEntry(e)
	return e
}

// appendTo appends b to the value of the live entry e, in place when the
// value has room.
func (db *keyspace) appendTo(e *entry, b []byte) {
	db.dirty++
	n := len(e.val) + len(b)
	if n > cap(e.val) {
		db.grow(e, n)
	}
	e.val = append(e.val, b...)
	e.setFlags(rawString)
	db.touchEntry(e)
}

// writeAt overwrites the value of the live entry e from off with b,
// growing it with zero bytes as needed.
func (db *keyspace) writeAt(e *entry, off int, b []byte) {
	db.dirty++
	if end := off + len(b); end > len(e.val) {
		if end > cap(e.val) {
			db.grow(e, end)
		}
		n := len(e.val)
		e.val = e.val[:end]
		if off > n {
			clear(e.val[n:off])
		}
	}
	copy(e.val[off:], b)
	e.setFlags(rawString)
	db.touchEntry(e)
}

// grow moves e's value to an allocation with room for n bytes, and more
// as Redis's sdsMakeRoomFor gives: twice n up to 1 MiB, n + 1 MiB past it,
// so that a run of APPENDs copies each byte a bounded number of times.
func (db *keyspace) grow(e *entry, n int) {
	room := 2 * n
	if n >= 1<<20 {
		room = n + 1<<20
	}
	db.fillCap(e, bytesOf(keyOf(e)), e.val, room)
}

// fitsString reports whether a string of size bytes grown by add bytes
// stays within limit (proto-max-bulk-len), as Redis's checkStringLength.
func fitsString(size, add, limit int64) bool {
	total := size + add
	return total <= limit && total >= size && total >= add
}

// addInt64 returns a+b, and false if it would overflow an int64 (INCRBY's
// and HINCRBY's "increment or decrement would overflow").
func addInt64(a, b int64) (int64, bool) {
	if (b < 0 && a < 0 && b < math.MinInt64-a) || (b > 0 && a > 0 && b > math.MaxInt64-a) {
		return 0, false
	}
	return a + b, true
}

func incrFloat(cur, by []byte, exists bool) (val []byte, errText string) {
	var a int64
	okA := !exists
	if exists {
		a, okA = resp.ParseInt(cur)
	}
	if b, okB := resp.ParseInt(by); okA && okB {
		if sum := a + b; (sum > a) == (b > 0) {
			return strconv.AppendInt(nil, sum, 10), ""
		}
	}
	x := newLD()
	if exists {
		var ok bool
		if x, ok = parseLongDouble(cur); !ok {
			return nil, resp.MsgNotFloat
		}
	}
	y, ok := parseLongDouble(by)
	if !ok {
		return nil, resp.MsgNotFloat
	}
	sum, ok := addLongDouble(x, y)
	if !ok {
		return nil, resp.MsgNaNOrInfinity
	}
	return appendLongDouble(make([]byte, 0, 24), sum), ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f'
}

// asciiEqualFold reports whether b equals the lower-case ASCII s, ignoring
// case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
