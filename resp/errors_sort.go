package resp

// Reply texts of SORT and SORT_RO.
const (
	// MsgSortNotDouble is SORT's reply when an element, or the value its
	// BY pattern names, is not a number and ALPHA was not given.
	MsgSortNotDouble = "ERR One or more scores can't be converted into double"
)
