package server

import (
	"runtime/debug"
	"time"
)

// Giving memory back. Go's collector frees what a FLUSHALL or a mass
// DEL let go only at its next cycle, which an idle server never reaches,
// and returns pages to the OS over minutes: 1M keys flushed left remoted
// at 129 MiB of RSS ten seconds later, where redis-server (jemalloc) was
// back at 19 MiB at once. So when the keyspace shrinks to half of its
// size since the last reclaim, or is flushed, a goroutine collects and
// returns the freed pages (debug.FreeOSMemory), at most once a
// reclaimEvery and after reclaimDelay, so that a run of deletions costs
// one collection. A small keyspace is left to the collector.
const (
	reclaimDelay = 100 * time.Millisecond
	reclaimEvery = time.Second
	reclaimMin   = 64 << 20 // accounted bytes freed below which nothing is done
)

// noteSize follows the keyspace's accounted bytes after each change:
// it keeps their peak, and wakes the reclaimer once they have fallen to
// half of it (and by reclaimMin at least). db.mu is held; it costs two
// comparisons.
func (db *keyspace) noteSize(used int64) {
	switch {
	case used > db.peakMem:
		db.peakMem = used
	case db.peakMem-used >= reclaimMin && used <= db.peakMem/2:
		db.peakMem = used
		select {
		case db.shrunk <- struct{}{}:
		default: // one is pending already
		}
	}
}

// reclaim gives memory back to the OS each time the keyspace shrank
// (noteSize), until the server stops.
func (s *Server) reclaim() {
	var last time.Time
	for {
		select {
		case <-s.done:
			return
		case <-s.db.shrunk:
		}
		wait := max(reclaimDelay, reclaimEvery-time.Since(last))
		select {
		case <-s.done:
			return
		case <-time.After(wait):
		}
		debug.FreeOSMemory()
		last = time.Now()
	}
}
