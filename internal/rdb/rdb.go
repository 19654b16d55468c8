// Package rdb encodes and decodes the payloads of Redis's DUMP and RESTORE
// commands: one object of Redis's RDB format, version 10 (Redis 7.0),
// followed by the RDB version and a CRC64.
//
// The package knows nothing of the server: it converts between a neutral
// [Value] and the bytes Redis 7.0.15 produces and accepts.
//
// # Value model
//
// A [Value] is one of five kinds; only the field of its kind is used:
//
//   - [String]: Str.
//   - [List]: List, head first.
//   - [Set]: Set, the members (no duplicates).
//   - [Hash]: Hash, field/value pairs (no duplicate fields).
//   - [ZSet]: ZSet, member/score pairs (no duplicate members, no NaN).
//
// [Restore] gives sets and hashes in payload order (an intset's members in
// ascending numeric order, written in decimal), and sorted sets ordered as
// Redis orders them: by score, then by member bytes. [Dump] writes sets and
// hashes in the order given; it expects a ZSet in that same ascending order
// (it writes a listpack ascending and a skiplist descending, as Redis does).
//
// # Encodings
//
// [Dump] writes what Redis 7.0 would DUMP for an object of the same encoding,
// except that it never LZF-compresses strings: strings as RDB strings (those
// that are the canonical decimal form of a 32-bit integer as INT8/16/32),
// lists as a quicklist of listpack nodes, sets as an intset or a plain set,
// hashes as a listpack or a plain hash, sorted sets as a listpack or a
// skiplist with binary scores (a listpack, like Redis's, turns a score of -0
// into 0). [Options] or [DumpEncoded] say which: either the caller names the
// encoding its object has ([Compact] or [Full]), or [Auto] picks it from the
// size limits as Redis does for an object built by adding its elements.
// Where Redis's own payload has no LZF string, Dump's is the same bytes,
// down to how a list is split into nodes (TestGolden checks it).
//
// [Restore] reads every object type Redis 7.0 can RESTORE, streams and module
// types excepted, and validates it fully: it accepts and rejects what Redis
// 7.0.15 does with sanitize-dump-payload yes (TestDifferential compares them
// on mutated payloads). Redis's default, no, validates listpacks, ziplists
// and intsets only shallowly, so Redis then accepts corrupt payloads
// (unsorted sets, odd hashes, bad entries; some crash it) that Restore
// rejects.
package rdb

import (
	"errors"
	"fmt"
)

// Kind is the type of a [Value].
type Kind uint8

// The kinds of value.
const (
	String Kind = iota + 1
	List
	Set
	Hash
	ZSet
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case List:
		return "list"
	case Set:
		return "set"
	case Hash:
		return "hash"
	case ZSet:
		return "zset"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Pair is one field of a hash.
type Pair struct {
	Field, Value []byte
}

// ScoredMember is one member of a sorted set.
type ScoredMember struct {
	Member []byte
	Score  float64
}

// Value is a Redis value of any kind but stream. See the package
// documentation for the meaning of each field.
type Value struct {
	Kind Kind
	Str  []byte
	List [][]byte
	Set  [][]byte
	Hash []Pair
	ZSet []ScoredMember
}

// Version is the RDB version this package writes, Redis 7.0's. [Restore]
// accepts payloads of this version and lower.
const Version = 10

// Errors returned by [Restore]. Errors that wrap ErrBadData say what is
// wrong; test for them with errors.Is.
var (
	// ErrPayload: the payload is shorter than its footer, or its RDB
	// version is higher than [Version], or its CRC64 is wrong. Redis
	// replies "DUMP payload version or checksum are wrong".
	ErrPayload = errors.New("rdb: DUMP payload version or checksum are wrong")
	// ErrBadData: the object does not decode. Redis replies
	// "Bad data format".
	ErrBadData = errors.New("rdb: bad data format")
	// ErrStream: the payload holds a stream, which this package does not
	// decode (Redis would restore it).
	ErrStream = errors.New("rdb: streams are not supported")
)

func badData(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadData}, args...)...)
}

// RDB object types (rdb.h).
const (
	typeString          = 0
	typeList            = 1
	typeSet             = 2
	typeZSet            = 3
	typeHash            = 4
	typeZSet2           = 5
	typeModule          = 6
	typeModule2         = 7
	typeHashZipmap      = 9
	typeListZiplist     = 10
	typeSetIntset       = 11
	typeZSetZiplist     = 12
	typeHashZiplist     = 13
	typeListQuicklist   = 14
	typeStreamListpacks = 15
	typeHashListpack    = 16
	typeZSetListpack    = 17
	typeListQuicklist2  = 18
	typeStreamListpack2 = 19
)

// Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2.
const (
	containerPlain  = 1
	containerPacked = 2
)
