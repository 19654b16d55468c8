package rdb

// lzfMaxRatio bounds how much LZF can expand: its longest back reference,
// three bytes, copies 264.
const lzfMaxRatio = 88

// lzfDecompress decompresses in, which must decompress to exactly n bytes,
// as liblzf's lzf_decompress does for Redis's RDB_ENC_LZF strings.
func lzfDecompress(in []byte, n int) ([]byte, error) {
	if n > lzfMaxRatio*len(in) {
		return nil, badData("LZF string of %d bytes claims %d", len(in), n)
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // literal run of ctrl+1 bytes
			l := ctrl + 1
			if i+l > len(in) || len(out)+l > n {
				return nil, badData("LZF literal overruns")
			}
			out = append(out, in[i:i+l]...)
			i += l
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(in) {
				return nil, badData("LZF reference truncated")
			}
			l += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, badData("LZF reference truncated")
		}
		back := (ctrl&0x1f)<<8 + int(in[i]) + 1
		i++
		l += 2
		if back > len(out) || len(out)+l > n {
			return nil, badData("LZF reference out of range")
		}
		from := len(out) - back
		for j := 0; j < l; j++ { // may overlap what it writes
			out = append(out, out[from+j])
		}
	}
	if len(out) != n {
		return nil, badData("LZF string decompresses to %d bytes, not %d", len(out), n)
	}
	return out, nil
}
