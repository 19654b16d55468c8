package resp

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
)
