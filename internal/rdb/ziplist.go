package rdb

import "encoding/binary"

// A ziplist (Redis's ziplist.c, before 7.0) is: total bytes (uint32 LE),
// offset of the last entry (uint32 LE), number of entries (uint16 LE, 65535
// when unknown), the entries, and 0xFF. An entry is the previous entry's
// length (one byte below 254, else 0xFE and a uint32 LE), an encoding and
// the data.
const (
	zlHeaderSize = 10
	zlEnd        = 0xff
	zlBigPrevLen = 0xfe

	zlStr06 = 0x00 // 00xxxxxx
	zlStr14 = 0x40 // 01xxxxxx xxxxxxxx, big endian
	zlStr32 = 0x80 // then uint32 big endian
	zlInt16 = 0xc0
	zlInt32 = 0xd0
	zlInt64 = 0xe0
	zlInt24 = 0xf0
	zlInt8  = 0xfe
	zlImmLo = 0xf1 // 1111xxxx: xxxx-1, 0 to 12
	zlImmHi = 0xfd
)

// decodeZiplist returns the entries of a ziplist, integers in decimal, after
// checking all of its structure (ziplistValidateIntegrity with deep).
func decodeZiplist(b []byte) ([][]byte, error) {
	if len(b) < zlHeaderSize+1 || int64(binary.LittleEndian.Uint32(b)) != int64(len(b)) || b[len(b)-1] != zlEnd {
		return nil, badData("ziplist header")
	}
	tail := int64(binary.LittleEndian.Uint32(b[4:]))
	if tail > int64(len(b)-1) {
		return nil, badData("ziplist tail")
	}
	numele, out, err := entries(binary.LittleEndian.Uint16(b[8:]), len(b)-zlHeaderSize-1)
	if err != nil {
		return nil, err
	}
	end := len(b) - 1
	prev, last := 0, zlHeaderSize
	dec := decimals{blobLen: len(b)}
	for p := zlHeaderSize; p < end; {
		start := p
		var prevlen int
		if b[p] < zlBigPrevLen {
			prevlen = int(b[p])
			p++
		} else {
			if b[p] != zlBigPrevLen || end-p < 5 {
				return nil, badData("ziplist prevlen")
			}
			prevlen = int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
		}
		if prevlen != prev {
			return nil, badData("ziplist prevlen %d, previous entry %d", prevlen, prev)
		}
		if p >= end {
			return nil, badData("ziplist entry overruns")
		}
		c := b[p]
		var str []byte
		var v int64
		var isInt bool
		w := 0 // width of an integer
		switch {
		case c < zlStr14:
			l := int(c & 0x3f)
			if end-p-1 < l {
				return nil, badData("ziplist entry overruns")
			}
			str = b[p+1 : p+1+l]
			p += 1 + l
		case c < zlStr32:
			if end-p < 2 {
				return nil, badData("ziplist entry overruns")
			}
			l := int(c&0x3f)<<8 | int(b[p+1])
			if end-p-2 < l {
				return nil, badData("ziplist entry overruns")
			}
			str = b[p+2 : p+2+l]
			p += 2 + l
		case c < zlInt16: // 10xxxxxx: Redis masks the low bits away
			if end-p < 5 {
				return nil, badData("ziplist entry overruns")
			}
			l := uint64(binary.BigEndian.Uint32(b[p+1:]))
			if uint64(end-p-5) < l {
				return nil, badData("ziplist entry overruns")
			}
			str = b[p+5 : p+5+int(l)]
			p += 5 + int(l)
		case c == zlInt8:
			w = 1
		case c == zlInt16:
			w = 2
		case c == zlInt24:
			w = 3
		case c == zlInt32:
			w = 4
		case c == zlInt64:
			w = 8
		case c >= zlImmLo && c <= zlImmHi:
			v, isInt = int64(c&0x0f)-1, true
			p++
		default:
			return nil, badData("ziplist encoding 0x%02x", c)
		}
		if w > 0 {
			if end-p-1 < w {
				return nil, badData("ziplist entry overruns")
			}
			v, isInt = leInt(b[p+1:p+1+w]), true
			p += 1 + w
		}
		if isInt {
			str = dec.add(v)
		}
		out = append(out, str)
		prev, last = p-start, start
	}
	if int64(last) != tail {
		return nil, badData("ziplist tail offset")
	}
	if numele >= 0 && numele != len(out) {
		return nil, badData("ziplist count %d, %d entries", numele, len(out))
	}
	return out, nil
}
