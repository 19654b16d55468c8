package resp

import "strconv"

// Reply texts of the hash commands (HINCRBY, HINCRBYFLOAT, HRANDFIELD).
const (
	// MsgHashNotInteger is HINCRBY's reply when the field's value is not
	// an integer.
	MsgHashNotInteger = "ERR hash value is not an integer"
	// MsgHashNotFloat is HINCRBYFLOAT's reply when the field's value is
	// not a number.
	MsgHashNotFloat = "ERR hash value is not a float"
	// MsgNaNOrInfinityArg is HINCRBYFLOAT's reply to an increment that is
	// infinite.
	MsgNaNOrInfinityArg = "ERR value is NaN or Infinity"
	// MsgOutOfRange is HRANDFIELD's reply to a count WITHVALUES whose
	// doubled reply length could overflow.
	MsgOutOfRange = "ERR value is out of range"
)

// MsgLongRange is the reply to an integer argument outside [lo, hi]
// (HRANDFIELD's count), in Redis's words.
func MsgLongRange(lo, hi int64) string {
	return "ERR value is out of range, value must between " +
		strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)
}
