package resp

// Reply texts of the list commands. The LMPOP texts are named for LMPOP
// (and BLMPOP); ZMPOP's are the same words.
const (
	// MsgIndexOutOfRange is LSET's reply to an index past either end.
	MsgIndexOutOfRange = "ERR index out of range"
	// MsgLposRankZero is LPOS's reply to RANK 0.
	MsgLposRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	// MsgLposCountNegative is LPOS's reply to a negative COUNT.
	MsgLposCountNegative = "ERR COUNT can't be negative"
	// MsgLposMaxlenNegative is LPOS's reply to a negative MAXLEN.
	MsgLposMaxlenNegative = "ERR MAXLEN can't be negative"
)
