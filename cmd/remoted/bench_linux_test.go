package main

import (
	"math"
	"testing"
)

// median takes the middle value, or the mean of the middle two: an upper
// middle value would lift every ratio from an even count of pairs.
func TestMedian(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{1.2, 0.9}, 1.05},
		{[]float64{5, 1, 4, 2, 3}, 3},
		{[]float64{1.10, 0.90, 1.00, 0.95, 1.20, 0.97}, 0.985},
	}
	for _, c := range cases {
		if got := median(c.xs); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}

// medianCI picks the order statistics a table of the sign test gives, with
// their confidence.
func TestMedianCI(t *testing.T) {
	seq := func(n int) []float64 { // n, n-1, ..., 1: unsorted on purpose
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(n - i)
		}
		return xs
	}
	cases := []struct {
		n        int
		lo, hi   float64 // 1-based order statistics of 1..n
		coverPct float64
	}{
		{1, 1, 1, 0},
		{2, 1, 2, 50},
		{5, 1, 5, 93.75},       // 1 - 2/32; nothing narrower, nothing reaches 95%
		{6, 1, 6, 96.875},      // 1 - 2/64
		{8, 1, 8, 99.21875},    // x(2)..x(7) would be 1 - 2*9/256 = 93.0%
		{9, 2, 8, 96.09375},    // 1 - 2*10/512
		{15, 4, 12, 96.484375}, // 1 - 2*576/32768
		{20, 6, 15, 95.861053}, // 1 - 2*P(B(20) <= 5)
	}
	for _, c := range cases {
		lo, hi, cover := medianCI(seq(c.n))
		if lo != c.lo || hi != c.hi || math.Abs(100*cover-c.coverPct) > 1e-4 {
			t.Errorf("n=%d: got x(%v)..x(%v) at %.6f%%, want x(%v)..x(%v) at %.6f%%", c.n, lo, hi, 100*cover, c.lo, c.hi, c.coverPct)
		}
	}
	if lo, hi, cover := medianCI(nil); lo != 0 || hi != 0 || cover != 0 {
		t.Errorf("no draws: got %v..%v at %v", lo, hi, cover)
	}
}
