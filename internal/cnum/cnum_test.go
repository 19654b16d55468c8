package cnum

import (
	"math"
	"strconv"
	"testing"
)

func TestStrtod(t *testing.T) {
	for _, c := range []struct {
		in     string
		f      float64
		n      int
		erange bool
	}{
		{"1", 1, 1, false},
		{" 1.5x", 1.5, 4, false},
		{"-inf", math.Inf(-1), 4, false},
		{"+Infinity", math.Inf(1), 9, false},
		{"infinit", math.Inf(1), 3, false},
		{"0x10", 16, 4, false},
		{"0x1p-2", 0.25, 6, false},
		{"0x", 0, 1, false},
		{"0xg", 0, 1, false},
		{"1e", 1, 1, false},
		{"1e+", 1, 1, false},
		{"1e5", 1e5, 3, false},
		{".5", 0.5, 2, false},
		{"5.", 5, 2, false},
		{".", 0, 0, false},
		{"", 0, 0, false},
		{"abc", 0, 0, false},
		{"1e400", math.Inf(1), 5, true},
		{"1e-400", 0, 6, true},
		{"0e-400", 0, 6, false},
		{"1e-310", 1e-310, 6, false},
	} {
		f, n, erange := Strtod([]byte(c.in))
		if f != c.f || n != c.n || erange != c.erange {
			t.Errorf("Strtod(%q) = %v, %d, %v; want %v, %d, %v", c.in, f, n, erange, c.f, c.n, c.erange)
		}
	}
	if f, n, _ := Strtod([]byte("nan(abc)x")); !math.IsNaN(f) || n != 8 {
		t.Errorf("Strtod(nan(abc)x) = %v, %d", f, n)
	}
}

// TestUnderflows: glibc's ERANGE below the normal range, each case
// checked against redis-server 7.0.15's SORT, which reports it.
func TestUnderflows(t *testing.T) {
	for in, want := range map[string]bool{
		"1e-310":                   true,
		"4.9406564584124654e-324":  true,
		"2.2250738585072011e-308":  true,
		"2.2250738585072012e-308":  true,
		"2.2250738585072014e-308":  false, // the smallest normal double
		"0x1p-1074":                false, // exact
		"0x1.8p-1070":              false,
		" -0x1p-1074":              false,
		"0x1.fffffffffffffp-1023":  true, // tiny before it rounds up
		"0x0.fffffffffffff8p-1022": true,
		"0x1.ffffffffffffffp-1023": false, // rounds up at 53 bits
		"0x0.fffffffffffffcp-1022": false,
		"1e-300":                   false,
		"1e-400":                   false, // zero: Strtod's own erange
	} {
		f, n, _ := Strtod([]byte(in))
		if got := Underflows([]byte(in[:n]), f); got != want {
			t.Errorf("Underflows(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestStrtodPrefix: the prefix read, and what is not a number.
func TestStrtodPrefix(t *testing.T) {
	for s, want := range map[string]float64{
		"1.5": 1.5, " \t-2A5": -2, "2E3x": 2000, "00012": 12, "-0": 0, "INFINITY": math.Inf(1), "+Inf": math.Inf(1),
	} {
		if got, n, _ := Strtod([]byte(s)); n == 0 || got != want {
			t.Errorf("Strtod(%q) = %v, %d; want %v", s, got, n, want)
		}
	}
	for _, s := range []string{"", "-", ".", "e5", "abc", "\xde.1", "+-1"} {
		if got, n, _ := Strtod([]byte(s)); n != 0 {
			t.Errorf("Strtod(%q) = %v, %d; want no number", s, got, n)
		}
	}
}

// FuzzStrtod: Strtod never reads past its input, and where the prefix it
// reads is one Go's ParseFloat also reads, the two agree.
func FuzzStrtod(f *testing.F) {
	for _, s := range []string{"1", " -2.5e3x", "0x1p-2", "inf", "nan(x)", "1e400", ".5", "0x", "1e-400"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, erange := Strtod(b)
		if n < 0 || n > len(b) {
			t.Fatalf("Strtod(%q) read %d bytes", b, n)
		}
		if n == 0 {
			return
		}
		i := 0
		for i < n && IsSpace(b[i]) {
			i++
		}
		g, err := strconv.ParseFloat(string(b[i:n]), 64)
		if err == nil && g != v && !(math.IsNaN(g) && math.IsNaN(v)) {
			t.Fatalf("Strtod(%q) = %v, ParseFloat(%q) = %v", b, v, b[i:n], g)
		}
		// ParseFloat sees overflow but not underflow to zero, which is a
		// range error to C.
		if err == nil && g != 0 && erange {
			t.Fatalf("Strtod(%q) = %v with a range error ParseFloat does not see", b, v)
		}
	})
}
