package server

import "testing"

// TestReclaimSignal checks when the keyspace wakes the reclaimer: once
// its accounted bytes fall to half of their peak and by reclaimMin at
// least, once per fall, and never for a small keyspace.
func TestReclaimSignal(t *testing.T) {
	db := newDB()
	woken := func() bool {
		select {
		case <-db.shrunk:
			return true
		default:
			return false
		}
	}
	set := func(valMem int64) {
		db.valMem = valMem
		db.updateUsed()
	}
	set(reclaimMin / 2)
	set(0)
	if woken() {
		t.Error("a keyspace of less than reclaimMin woke the reclaimer")
	}
	set(3 * reclaimMin)
	set(2 * reclaimMin)
	if woken() {
		t.Error("woken at two thirds of the peak")
	}
	set(reclaimMin)
	if !woken() {
		t.Fatal("not woken at a third of the peak, 2*reclaimMin freed")
	}
	set(reclaimMin / 2)
	if woken() {
		t.Error("woken again without a new peak: the fall from the last reclaim is below reclaimMin")
	}
	set(4 * reclaimMin)
	db.flush()
	if !woken() {
		t.Error("a flush of 4*reclaimMin did not wake the reclaimer")
	}
}
