package server

import (
	"math"
	"sync/atomic"
)

// encodingLimits are the sizes up to which a collection keeps its compact
// representation, Redis 7.0's settings of the same names and defaults
// (CONFIG SET changes them; a collection converts on its next write past
// them, never back, as in Redis). Types read them from the keyspace. The
// defaults are those of a redis-server started without a configuration
// file (hash-max-listpack-entries 512), which is what the differential
// tests compare with; the redis.conf Redis ships sets 128.
type encodingLimits struct {
	hashEntries atomic.Int64 // hash-max-listpack-entries
	hashValue   atomic.Int64 // hash-max-listpack-value: bytes of a field or value
	setIntset   atomic.Int64 // set-max-intset-entries
	zsetEntries atomic.Int64 // zset-max-listpack-entries
	zsetValue   atomic.Int64 // zset-max-listpack-value: bytes of a member
	listSize    atomic.Int64 // list-max-listpack-size: entries (> 0) or a size class (-1..-5) per quicklist node
	listDepth   atomic.Int64 // list-compress-depth
}

func (l *encodingLimits) init() {
	l.hashEntries.Store(512)
	l.hashValue.Store(64)
	l.setIntset.Store(512)
	l.zsetEntries.Store(128)
	l.zsetValue.Store(64)
	l.listSize.Store(-2)
	l.listDepth.Store(0)
}

// encodingParams are the CONFIG parameters of encodingLimits, under
// Redis 7.0's names and the ziplist names it still accepts as aliases.
func encodingParams() []configParam {
	lim := func(f func(*encodingLimits) *atomic.Int64) func(*Server) *atomic.Int64 {
		return func(s *Server) *atomic.Int64 { return f(&s.db.enc) }
	}
	hashEntries := lim(func(l *encodingLimits) *atomic.Int64 { return &l.hashEntries })
	hashValue := lim(func(l *encodingLimits) *atomic.Int64 { return &l.hashValue })
	zsetEntries := lim(func(l *encodingLimits) *atomic.Int64 { return &l.zsetEntries })
	zsetValue := lim(func(l *encodingLimits) *atomic.Int64 { return &l.zsetValue })
	listSize := lim(func(l *encodingLimits) *atomic.Int64 { return &l.listSize })
	return []configParam{
		intParam("hash-max-listpack-entries", 0, math.MaxInt64, hashEntries),
		intParam("hash-max-ziplist-entries", 0, math.MaxInt64, hashEntries),
		memoryParam("hash-max-listpack-value", 0, math.MaxInt64, hashValue),
		memoryParam("hash-max-ziplist-value", 0, math.MaxInt64, hashValue),
		intParam("set-max-intset-entries", 0, math.MaxInt64, lim(func(l *encodingLimits) *atomic.Int64 { return &l.setIntset })),
		intParam("zset-max-listpack-entries", 0, math.MaxInt64, zsetEntries),
		intParam("zset-max-ziplist-entries", 0, math.MaxInt64, zsetEntries),
		memoryParam("zset-max-listpack-value", 0, math.MaxInt64, zsetValue),
		memoryParam("zset-max-ziplist-value", 0, math.MaxInt64, zsetValue),
		intParam("list-max-listpack-size", math.MinInt32, math.MaxInt32, listSize),
		intParam("list-max-ziplist-size", math.MinInt32, math.MaxInt32, listSize),
		intParam("list-compress-depth", 0, math.MaxInt32, lim(func(l *encodingLimits) *atomic.Int64 { return &l.listDepth })),
	}
}
