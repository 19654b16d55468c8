package resp

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
	// MsgZsetWeight: a WEIGHTS value that is not a float.
	MsgZsetWeight = "ERR weight value is not a float"
)

// MsgZsetNoKeys is the reply of ZUNION, ZINTER, ZDIFF, their STORE forms
// and ZINTERCARD to a numkeys below 1; name is the command, lower-case.
func MsgZsetNoKeys(name string) string {
	return "ERR at least 1 input key is needed for '" + name + "' command"
}
