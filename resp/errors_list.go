package resp

// Reply texts of the list commands. The LMPOP texts are named for LMPOP
// (and BLMPOP); ZMPOP's are the same words.
const (
	// MsgIndexOutOfRange is LSET's reply to an index past either end.
	MsgIndexOutOfRange = "ERR index out of range"
	// MsgCountPositive is LPOP's and RPOP's reply to a count that is
	// negative or not an integer.
	MsgCountPositive = "ERR value is out of range, must be positive"
	// MsgLposRankZero is LPOS's reply to RANK 0.
	MsgLposRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	// MsgLposCountNegative is LPOS's reply to a negative COUNT.
	MsgLposCountNegative = "ERR COUNT can't be negative"
	// MsgLposMaxlenNegative is LPOS's reply to a negative MAXLEN.
	MsgLposMaxlenNegative = "ERR MAXLEN can't be negative"
	// MsgLMPopNumkeys is LMPOP's reply to a numkeys below 1 or not an
	// integer.
	MsgLMPopNumkeys = "ERR numkeys should be greater than 0"
	// MsgLMPopCount is LMPOP's reply to a COUNT below 1 or not an integer.
	MsgLMPopCount = "ERR count should be greater than 0"
)
