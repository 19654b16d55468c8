package resp

// Double writes a double reply (a sorted set's score): ,f in RESP3, a
// bulk string in RESP2, in Redis 7.0's text (see appendDouble).
func (w *Writer) Double(f float64) { w.double(f) }

// AppendDouble appends f in the text of a double reply, as ZSCAN writes a
// score as a bulk string.
func AppendDouble(b []byte, f float64) []byte { return appendDouble(b, f) }
