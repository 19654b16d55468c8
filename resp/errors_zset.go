package resp

import "strconv"

// Reply texts of the sorted set commands (ZADD, ZRANGE, ZUNION, ZMPOP,
// ...), in Redis 7.0's words. Some have the same words as a list or set
// command's text; they are named apart here so that the types' files
// stay independent.
const (
	MsgZaddNXXX        = "ERR XX and NX options at the same time are not compatible"
	MsgZaddGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	MsgZaddIncrPair    = "ERR INCR option supports a single increment-element pair"
	MsgZsetNaN         = "ERR resulting score is not a number (NaN)"
	MsgZsetMinMaxFloat = "ERR min or max is not a float"
	MsgZsetMinMaxLex   = "ERR min or max not valid string range item"
	// MsgZrangeLimitRank: ZRANGE's LIMIT without BYSCORE or BYLEX.
	MsgZrangeLimitRank = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	// MsgZrangeLexScores: ZRANGE's WITHSCORES with BYLEX.
	MsgZrangeLexScores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	// MsgZsetPositive: ZPOPMIN's and ZPOPMAX's count is negative or not
	// an integer.
	MsgZsetPositive = "ERR value is out of range, must be positive"
	// MsgZsetNumkeys: ZMPOP's numkeys is not a positive integer.
	MsgZsetNumkeys = "ERR numkeys should be greater than 0"
	// MsgZsetCount: ZMPOP's COUNT is not a positive integer.
	MsgZsetCount = "ERR count should be greater than 0"
	// MsgZsetWeight: a WEIGHTS value that is not a float.
	MsgZsetWeight = "ERR weight value is not a float"
	// MsgZsetLimitNegative: ZINTERCARD's LIMIT is negative or not an
	// integer.
	MsgZsetLimitNegative = "ERR LIMIT can't be negative"
	// MsgZsetOutOfRange: ZRANDMEMBER's count with WITHSCORES is too large
	// for the reply's length to be computed.
	MsgZsetOutOfRange = "ERR value is out of range"
)

// MsgZsetNoKeys is the reply of ZUNION, ZINTER, ZDIFF, their STORE forms
// and ZINTERCARD to a numkeys below 1; name is the command, lower-case.
func MsgZsetNoKeys(name string) string {
	return "ERR at least 1 input key is needed for '" + name + "' command"
}

// MsgLongRange is the reply to an integer argument outside lo to hi
// (ZRANDMEMBER's count).
func MsgLongRange(lo, hi int64) string {
	return "ERR value is out of range, value must between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)
}
