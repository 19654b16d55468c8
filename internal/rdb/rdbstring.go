package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Length and string encodings of the RDB format (rdb.c): the two high bits
// of a length's first byte say how it is written.
const (
	len6     = 0    // 00xxxxxx
	len14    = 1    // 01xxxxxx xxxxxxxx
	len32    = 0x80 // then 4 bytes, big endian
	len64    = 0x81 // then 8 bytes, big endian
	lenEnc   = 3    // 11xxxxxx: a special string encoding follows
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// canonicalInt reports whether s is exactly how Redis writes an int64 in
// decimal (no sign but '-', no leading zeros, no "-0"), the test of Redis's
// string2ll followed by ll2string and of listpack's lpStringToInt64.
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return 0, false
	}
	var buf [20]byte
	if string(strconv.AppendInt(buf[:0], v, 10)) != string(s) {
		return 0, false
	}
	return v, true
}

// appendLen writes n as an RDB length, in the fewest bytes, as rdbSaveLen.
func appendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|len14<<6, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, len32), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, len64), n)
}

// appendString writes s as an RDB string, as rdbSaveRawString does with
// rdbcompression off: integer-encoded when s is the canonical decimal form of
// a 32-bit integer, else its length and bytes.
func appendString(b []byte, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				return append(b, lenEnc<<6|encInt8, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				return binary.LittleEndian.AppendUint16(append(b, lenEnc<<6|encInt16), uint16(v))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				return binary.LittleEndian.AppendUint32(append(b, lenEnc<<6|encInt32), uint32(v))
			}
		}
	}
	return append(appendLen(b, uint64(len(s))), s...)
}

// reader reads the RDB encoding of one object. Every read is bounded by
// what is left of the buffer.
type reader struct {
	b      []byte
	i      int
	sawLZF bool // an LZF string was read (for the tests)
}

func (r *reader) left() int { return len(r.b) - r.i }

func (r *reader) byte() (byte, error) {
	if r.i >= len(r.b) {
		return 0, badData("truncated")
	}
	r.i++
	return r.b[r.i-1], nil
}

func (r *reader) next(n uint64) ([]byte, error) {
	if n > uint64(r.left()) {
		return nil, badData("%d bytes wanted, %d left", n, r.left())
	}
	p := r.b[r.i : r.i+int(n) : r.i+int(n)]
	r.i += int(n)
	return p, nil
}

// lengthOrEnc reads an RDB length as rdbLoadLenByRef: when enc is true the
// byte was 11xxxxxx and n is its low six bits, a string encoding.
func (r *reader) lengthOrEnc() (n uint64, enc bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch {
	case c>>6 == len6:
		return uint64(c & 0x3f), false, nil
	case c>>6 == len14:
		d, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(d), false, err
	case c>>6 == lenEnc:
		return uint64(c & 0x3f), true, nil
	case c == len32:
		p, err := r.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case c == len64:
		p, err := r.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, badData("unknown length encoding 0x%02x", c)
}

// length reads an RDB length as rdbLoadLen does, which takes the six bits
// of an encoded byte for a length.
func (r *reader) length() (uint64, error) {
	n, _, err := r.lengthOrEnc()
	return n, err
}

// count reads the number of items of a collection, each of which takes at
// least min bytes, so that a count is never larger than the payload allows.
func (r *reader) count(min int) (int, error) {
	n, err := r.length()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, badData("empty collection")
	}
	if n > uint64(r.left()/min) {
		return 0, badData("%d items in %d bytes", n, r.left())
	}
	return int(n), nil
}

// string reads an RDB string in any of its encodings.
func (r *reader) string() ([]byte, error) {
	n, enc, err := r.lengthOrEnc()
	if err != nil {
		return nil, err
	}
	if !enc {
		return r.next(n)
	}
	var v int64
	switch n {
	case encInt8:
		p, err := r.next(1)
		if err != nil {
			return nil, err
		}
		v = int64(int8(p[0]))
	case encInt16:
		p, err := r.next(2)
		if err != nil {
			return nil, err
		}
		v = int64(int16(binary.LittleEndian.Uint16(p)))
	case encInt32:
		p, err := r.next(4)
		if err != nil {
			return nil, err
		}
		v = int64(int32(binary.LittleEndian.Uint32(p)))
	case encLZF:
		clen, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, err := r.length()
		if err != nil {
			return nil, err
		}
		c, err := r.next(clen)
		if err != nil {
			return nil, err
		}
		r.sawLZF = true
		if ulen == 0 {
			// lzf_decompress writes nothing and returns 0, which is
			// the length wanted, whatever the input.
			return []byte{}, nil
		}
		if ulen > uint64(lzfMaxRatio*len(c)) {
			return nil, badData("LZF string of %d bytes claims %d", len(c), ulen)
		}
		return lzfDecompress(c, int(ulen))
	default:
		return nil, badData("unknown string encoding %d", n)
	}
	return strconv.AppendInt(nil, v, 10), nil
}
