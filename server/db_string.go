package server

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// Value ownership. A value stored in the keyspace belongs to its entry: its
// bytes and any spare capacity behind them. APPEND grows a value in place
// and SETRANGE overwrites it in place, so:
//   - a command that stores an argument stores a copy (storeArg): the
//     argument points into the connection's input buffer, which the next
//     read overwrites;
//   - code that puts one value under two keys clones it (COPY does).

// storeArg returns a copy of arg for storing as a value.
func storeArg(arg []byte) []byte { return bytes.Clone(arg) }

// store sets key, whose live entry the caller has looked up (e, or nil if
// the key is missing), to val. exp (0 = none) replaces the expiry unless
// keepTTL.
func (db *keyspace) store(key []byte, e *entry, val []byte, exp int64, keepTTL bool) {
	db.dirty++
	if e == nil {
		db.insert(string(key), &entry{val: val}, exp)
		return
	}
	e.val = val
	if !keepTTL {
		db.setExp(string(key), e, exp)
	}
	db.touchBytes(key)
}

// appendTo appends b to the value of the live entry e, in place when the
// value has room.
func (db *keyspace) appendTo(e *entry, b []byte) {
	db.dirty++
	e.val = append(e.val, b...)
	db.touchEntry(e)
}

// writeAt overwrites the value of the live entry e from off with b,
// growing it with zero bytes as needed.
func (db *keyspace) writeAt(e *entry, off int, b []byte) {
	db.dirty++
	v := e.val
	if end := off + len(b); end > len(v) {
		n := len(v)
		v = slices.Grow(v, end-n)[:end]
		if off > n {
			clear(v[n:off])
		}
	}
	copy(v[off:], b)
	e.val = v
	db.touchEntry(e)
}

// fitsString reports whether a string of size bytes grown by add bytes
// stays within limit (proto-max-bulk-len), as Redis's checkStringLength.
func fitsString(size, add, limit int64) bool {
	total := size + add
	return total <= limit && total >= size && total >= add
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
