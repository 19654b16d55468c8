package server

import (
	"math/bits"
	"sync/atomic"
)

// latencyHist is a command's latency histogram with the buckets of the
// HdrHistogram Redis keeps per command (hdr_init(1, 1e9, 2): 1 ns to 1 s,
// two significant digits), so that INFO latencystats reports the values
// Redis would for the same durations: the highest value equivalent to the
// percentile's bucket. It records with one atomic add, from any number of
// goroutines, and allocates its counts a group of 128 at a time on first
// use (a command's latencies fill a few groups of the 24): 1 KiB per group
// instead of the 24 KiB of the whole array.
type latencyHist struct {
	groups [histGroups]atomic.Pointer[[histSubHalf]atomic.Int64]
}

// The HdrHistogram layout for lowest 1, highest 1e9, 2 significant
// digits: sub-buckets of 256 values, of which each bucket past the first
// uses the upper half (128); 23 buckets reach past 1e9.
const (
	histSubHalfMag = 7
	histSubHalf    = 1 << histSubHalfMag // 128
	histSubMask    = 2*histSubHalf - 1   // 255
	histBuckets    = 23                  // to cover 1e9
	histLen        = (histBuckets + 1) * histSubHalf
	histGroups     = histLen / histSubHalf // 24
	histMax        = 1_000_000_000         // ns; longer is recorded as 1 s
)

// histCounts is a histogram's counts read out, for percentiles.
type histCounts [histLen]int64

// histIndex is HdrHistogram's counts_index for v (1 <= v <= histMax).
func histIndex(v int64) int {
	bucket := 64 - bits.LeadingZeros64(uint64(v)|histSubMask) - (histSubHalfMag + 1)
	sub := int(v >> bucket)
	return (bucket+1)<<histSubHalfMag + sub - histSubHalf
}

// histValueAt is the lowest value counted at index i.
func histValueAt(i int) int64 {
	bucket := i>>histSubHalfMag - 1
	sub := int64(i&(histSubHalf-1) + histSubHalf)
	if bucket < 0 {
		sub -= histSubHalf
		bucket = 0
	}
	return sub << bucket
}

// histHighest is the highest value equivalent to v, a value histValueAt
// returned.
func histHighest(v int64) int64 {
	bucket := 64 - bits.LeadingZeros64(uint64(v)|histSubMask) - (histSubHalfMag + 1)
	return v + 1<<bucket - 1
}

// record counts one latency of ns nanoseconds, clamped to 1 ns .. 1 s as
// Redis clamps it.
func (h *latencyHist) record(ns int64) {
	ns = min(max(ns, 1), histMax)
	i := histIndex(ns)
	g := h.groups[i>>histSubHalfMag].Load()
	if g == nil {
		g = new([histSubHalf]atomic.Int64)
		if !h.groups[i>>histSubHalfMag].CompareAndSwap(nil, g) {
			g = h.groups[i>>histSubHalfMag].Load()
		}
	}
	g[i&(histSubHalf-1)].Add(1)
}

// addTo adds h's counts to into, allocating into if h has counts and into
// is nil, and returns into.
func (h *latencyHist) addTo(into *histCounts) *histCounts {
	for gi := range h.groups {
		g := h.groups[gi].Load()
		if g == nil {
			continue
		}
		if into == nil {
			into = new(histCounts)
		}
		for j := range g {
			into[gi<<histSubHalfMag+j] += g[j].Load()
		}
	}
	return into
}

// reset drops every count.
func (h *latencyHist) reset() {
	for gi := range h.groups {
		h.groups[gi].Store(nil)
	}
}

// percentile is HdrHistogram's hdr_value_at_percentile (p in 0..100).
func (hc *histCounts) percentile(p float64) int64 {
	var total int64
	for _, n := range hc {
		total += n
	}
	want := max(int64(min(p, 100)/100*float64(total)+0.5), 1)
	var seen int64
	for i, n := range hc {
		seen += n
		if seen >= want {
			v := histValueAt(i)
			if p == 0 {
				return v
			}
			return histHighest(v)
		}
	}
	return 0
}
