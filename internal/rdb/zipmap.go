package rdb

import "encoding/binary"

// A zipmap (Redis 2.4's hashes) is: a count (one byte, 254 or more when
// unknown), then for each pair the field's length, the field, the value's
// length, a byte of free space f, the value and f bytes, and 0xFF. A length
// is one byte below 254, else 0xFE and a uint32 LE.
const (
	zmBigLen = 254
	zmEnd    = 0xff
)

// decodeZipmap returns the fields and values of a zipmap, alternating,
// checked as zipmapValidateIntegrity with deep.
func decodeZipmap(b []byte) ([][]byte, error) {
	if len(b) < 2 || b[len(b)-1] != zmEnd {
		return nil, badData("zipmap header")
	}
	end := len(b) - 1
	p := 1
	length := func() (int, bool) {
		if p >= end {
			return 0, false
		}
		if b[p] < zmBigLen {
			p++
			return int(b[p-1]), true
		}
		if end-p < 5 {
			return 0, false
		}
		l := binary.LittleEndian.Uint32(b[p+1:])
		p += 5
		return int(l), uint64(l) <= uint64(end-p)
	}
	var out [][]byte
	for p < end && b[p] != zmEnd {
		fl, ok := length()
		if !ok || fl > end-p {
			return nil, badData("zipmap entry overruns")
		}
		field := b[p : p+fl]
		p += fl
		vl, ok := length()
		if !ok || p >= end {
			return nil, badData("zipmap entry overruns")
		}
		free := int(b[p])
		p++
		if vl > end-p || free > end-p-vl {
			return nil, badData("zipmap entry overruns")
		}
		out = append(out, field, b[p:p+vl])
		p += vl + free
	}
	if p != end {
		return nil, badData("zipmap ends early")
	}
	if len(out) == 0 {
		return nil, badData("empty zipmap")
	}
	if b[0] < zmBigLen && int(b[0]) != len(out)/2 {
		return nil, badData("zipmap count")
	}
	return out, nil
}
