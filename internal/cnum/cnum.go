// Package cnum reads numbers as the C library does where Redis relies on
// it and Go's strconv differs: strtod's longest numeric prefix,
// hexadecimal floats, inf and nan, and its range errors. The sorted sets'
// scores and SORT's weights (server) and the scores of a DUMP payload
// (internal/rdb) read through it.
package cnum

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// IsSpace is C's isspace in the C locale.
func IsSpace(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' }

// Strtod parses, as C's strtod, the longest prefix of b (after leading
// white space) that is a number: decimal or hexadecimal with an optional
// sign, fraction and exponent, inf, infinity or nan. It returns the
// value, the bytes consumed (0 if no number starts b), and whether a
// finite number overflowed to infinity or underflowed to zero (errno's
// ERANGE in the cases Redis checks).
func Strtod(b []byte) (f float64, n int, erange bool) {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isLetter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	isHex := func(c byte, hex bool) bool { return hex && c|0x20 >= 'a' && c|0x20 <= 'f' }
	i := 0
	for i < len(b) && IsSpace(b[i]) {
		i++
	}
	start := i
	sign := 1.0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		if b[i] == '-' {
			sign = -1
		}
		i++
	}
	word := func(w string) bool {
		return len(b)-i >= len(w) && bytes.EqualFold(b[i:i+len(w)], []byte(w))
	}
	switch {
	case word("infinity"):
		return math.Inf(int(sign)), i + 8, false
	case word("inf"):
		return math.Inf(int(sign)), i + 3, false
	case word("nan"):
		i += 3
		if j := i; j < len(b) && b[j] == '(' {
			for j++; j < len(b) && (isDigit(b[j]) || isLetter(b[j]) || b[j] == '_'); j++ {
			}
			if j < len(b) && b[j] == ')' {
				i = j + 1
			}
		}
		return math.Copysign(math.NaN(), sign), i, false // -nan has its sign, as in C
	}
	digits := func(j int, hex bool) (int, bool) {
		nonzero := false
		for ; j < len(b) && (isDigit(b[j]) || isHex(b[j], hex)); j++ {
			nonzero = nonzero || b[j] != '0'
		}
		return j, nonzero
	}
	hex := len(b)-i > 1 && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X')
	mant := i
	if hex {
		mant = i + 2
	}
	j, nz1 := digits(mant, hex)
	intDigits := j - mant
	var nz2 bool
	fracDigits := 0
	if j < len(b) && b[j] == '.' {
		var k int
		k, nz2 = digits(j+1, hex)
		fracDigits = k - j - 1
		if intDigits+fracDigits > 0 {
			j = k
		}
	}
	if intDigits+fracDigits == 0 {
		if hex { // "0x" with no digits: strtod reads the 0
			return math.Copysign(0, sign), i + 1, false
		}
		return 0, 0, false
	}
	end := j
	expChar := byte('e')
	if hex {
		expChar = 'p'
	}
	if j < len(b) && (b[j]|0x20) == expChar {
		k := j + 1
		if k < len(b) && (b[k] == '+' || b[k] == '-') {
			k++
		}
		if e, _ := digits(k, false); e > k {
			end = e
		}
	}
	text := string(b[start:end])
	if hex && end == j {
		text += "p0"
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, 0, false // not expected: the prefix is well formed
	}
	return f, end, math.IsInf(f, 0) || f == 0 && (nz1 || nz2)
}

// Underflows reports whether glibc's strtod sets ERANGE for num, a
// number it reads whole as f, beyond the zero Strtod reports: when f is
// not exactly num and num, rounded to a double's 53 bits with no bound
// on the exponent, is below the normal range (IEEE 754's underflow with
// tininess detected after rounding). So 0x1.fffffffffffffp-1023 (and
// 1e-310) underflow though the first rounds up to the normal 0x1p-1022,
// and 0x1p-1074, exact, does not. Redis's SORT checks errno alone, where
// its other commands check for an infinite or zero result.
func Underflows(num []byte, f float64) bool {
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 0x1p-1022 {
		return false
	}
	text := string(bytes.TrimLeft(num, " \t\n\v\f\r"))
	digits := strings.TrimLeft(text, "+-")
	if len(digits) > 1 && digits[0] == '0' && digits[1]|0x20 == 'x' && !strings.ContainsAny(digits, "pP") {
		text += "p0" // strtod's hexadecimal exponent is optional
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return true // not expected: strtod read it whole
	}
	r.Abs(r)
	if r.Cmp(new(big.Rat).SetFloat64(math.Abs(f))) == 0 {
		return false
	}
	rounded := new(big.Float).SetPrec(53).SetMode(big.ToNearestEven).SetRat(r)
	return rounded.Cmp(big.NewFloat(0x1p-1022)) < 0
}
