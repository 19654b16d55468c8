package resp

// Reply texts of the set commands (SPOP, SRANDMEMBER, SINTERCARD). Named
// for sets, though the sorted sets and lists share some of the words, so
// that the types written side by side do not collide; merge them later.
const (
	// MsgSetPopCount is SPOP's reply to a count that is not an integer
	// from 0 to 2^63-1 (Redis's getPositiveLongFromObjectOrReply).
	MsgSetPopCount = "ERR value is out of range, must be positive"
	// MsgSetRandCount is SRANDMEMBER's reply to a count that is an integer
	// but -2^63, whose negation does not fit.
	MsgSetRandCount = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	// MsgSetNumkeys is SINTERCARD's reply to a numkeys that is not
	// an integer of at least 1.
	MsgSetNumkeys = "ERR numkeys should be greater than 0"
	// MsgSetNumkeysTooMany is SINTERCARD's reply to a numkeys larger than
	// the number of arguments after it.
	MsgSetNumkeysTooMany = "ERR Number of keys can't be greater than number of args"
	// MsgSetLimit is SINTERCARD's reply to a LIMIT that is not an
	// integer from 0 to 2^63-1.
	MsgSetLimit = "ERR LIMIT can't be negative"
)
