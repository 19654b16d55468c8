package rdb

import (
	"math"
	"strconv"
)

// strtod reads a double from the start of s as C's strtod (and sscanf's
// "%lg") do, ignoring what follows it: leading white space, a sign, then
// "inf", "infinity", "nan" or a decimal with an optional exponent. ok is
// false when s does not start with a number. Hexadecimal floats are read as
// far as their "0".
func strtod(s []byte) (f float64, ok bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	neg := i > start && s[start] == '-'
	word := func(w string) bool {
		if len(s)-i < len(w) {
			return false
		}
		for j := range len(w) {
			if s[i+j]|0x20 != w[j] {
				return false
			}
		}
		return true
	}
	switch {
	case word("inf"):
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case word("nan"):
		return math.NaN(), true
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return 0, false
	}
	end := i
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() > 0 {
			end = i
		}
	}
	f, err := strconv.ParseFloat(string(s[start:end]), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
