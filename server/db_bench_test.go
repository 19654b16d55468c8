package server

import (
	"strconv"
	"testing"
)

// benchKeys fills a keyspace with n keys of 100 bytes and returns them.
func benchKeys(b *testing.B, n int) (*keyspace, [][]byte) {
	db := newDB()
	keys := make([][]byte, n)
	val := make([]byte, 100)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(100000000000+i))
		db.set(keys[i], val, 0, false)
	}
	return db, keys
}

// BenchmarkKeyspaceGet is the keyspace's lookup alone, on 1M keys.
func BenchmarkKeyspaceGet(b *testing.B) {
	db, keys := benchKeys(b, 1<<20)
	b.ResetTimer()
	for i := range b.N {
		if db.getBytes(keys[i&(1<<20-1)]) == nil {
			b.Fatal("missing")
		}
	}
}

// BenchmarkKeyspaceSet overwrites 1M keys of 100 bytes.
func BenchmarkKeyspaceSet(b *testing.B) {
	db, keys := benchKeys(b, 1<<20)
	val := make([]byte, 100)
	b.ResetTimer()
	for i := range b.N {
		db.set(keys[i&(1<<20-1)], val, 0, false)
	}
}

// BenchmarkKeyspaceInsert adds new keys of 100 bytes.
func BenchmarkKeyspaceInsert(b *testing.B) {
	db := newDB()
	val := make([]byte, 100)
	key := []byte("key:000000000000")
	b.ResetTimer()
	for i := range b.N {
		strconv.AppendInt(key[:4], int64(100000000000+i), 10)
		db.set(key, val, 0, false)
	}
}
