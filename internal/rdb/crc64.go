package rdb

import "hash/crc64"

// Redis's CRC64 (crc64.c) is the Jones polynomial 0xad93d23594c935a9,
// reflected, with an initial value of 0 and no final xor. hash/crc64 takes
// the polynomial bit-reversed and complements before and after, which the
// complements around the call undo.
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

func crc(b []byte) uint64 {
	return ^crc64.Update(^uint64(0), crcTable, b)
}
