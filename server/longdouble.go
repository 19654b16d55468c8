package server

import (
	"math/big"
	"strings"
)

// Long doubles. INCRBYFLOAT reads both operands with strtold, adds them in
// C's long double and prints the sum with "%.17Lf" before trimming
// trailing zeros. Go has no long double, so these functions emulate the
// x86-64 one (the x87 80-bit format: a 64-bit significand, normal numbers
// from 2^-16382, subnormals down to 2^-16445, the largest finite
// (2-2^-63)*2^16383) exactly, with math/big: parsing rounds the exact
// decimal or hexadecimal value once, adding rounds the exact sum once, and
// printing renders the exact binary value with round-half-even, as glibc
// does. Platforms whose long double is IEEE quad (aarch64) or plain double
// would print other digits; remoted follows x86-64 Linux.

const (
	ldPrec      = 64     // significand bits
	ldMinExp    = -16381 // big.Float exponent of the least normal, 2^-16382
	ldMaxExp    = 16384  // big.Float exponent of the largest finite
	ldQuantum   = -16445 // the least subnormal is 2^ldQuantum
	ldMaxChars  = 5 * 1024
	ldMaxDigits = 4933 // no finite long double has more integer digits
)

func newLD() *big.Float { return new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven) }

// parseLongDouble parses b as Redis's string2ld: the whole of b must be a
// number for strtold (decimal or hexadecimal, with an optional sign and
// exponent, or inf/infinity; no spaces) and shorter than 5120 bytes; nan
// and values that overflow or underflow to zero are refused. It returns
// the value rounded to a long double, possibly infinite.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	neg := b[0] == '-'
	if b[0] == '+' || b[0] == '-' {
		b = b[1:]
	}
	if asciiEqualFold(b, "inf") || asciiEqualFold(b, "infinity") {
		return newLD().SetInf(neg), true
	}
	var (
		mant *big.Int
		exp  int64
		ok   bool
		base = int64(10)
	)
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		mant, exp, ok = scanFloat(b[2:], hexFloat)
		base = 2
	} else {
		mant, exp, ok = scanFloat(b, decFloat)
	}
	if !ok {
		return nil, false
	}
	if mant.Sign() == 0 {
		f := newLD()
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	f, ok := roundLD(mant, exp, base)
	if !ok {
		return nil, false
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// floatSyntax is the shape of a decimal or a hex float literal.
type floatSyntax struct {
	base     int
	digit    func(byte) bool
	expMarks string // the exponent letters
	fracStep int64  // exponent change per fraction digit
}

var (
	decFloat = floatSyntax{10, isDigit, "eE", -1}
	hexFloat = floatSyntax{16, isHexDigit, "pP", -4}
)

// scanFloat scans digits[.digits][mark[sign]digits], all of b, into
// mant*base^exp for decimals (e: powers of ten) or mant*2^exp for hex (p:
// powers of two, four per hex fraction digit).
func scanFloat(b []byte, syn floatSyntax) (*big.Int, int64, bool) {
	digits := make([]byte, 0, len(b))
	var exp int64
	i, seen := 0, false
	for ; i < len(b) && syn.digit(b[i]); i++ {
		digits, seen = append(digits, b[i]), true
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && syn.digit(b[i]); i++ {
			digits, seen = append(digits, b[i]), true
			exp += syn.fracStep
		}
	}
	if !seen {
		return nil, 0, false
	}
	if i < len(b) && strings.IndexByte(syn.expMarks, b[i]) >= 0 {
		e, ok := scanExponent(b[i+1:])
		if !ok {
			return nil, 0, false
		}
		exp += e
	} else if i != len(b) {
		return nil, 0, false
	}
	mant, _ := new(big.Int).SetString(string(digits), syn.base)
	return mant, exp, true
}

// scanExponent scans [sign]digits, all of b, saturating far beyond any
// exponent a long double can reach.
func scanExponent(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var e int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		if e < 1<<40 {
			e = e*10 + int64(c-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

// roundLD rounds mant*base^exp (mant > 0, base 2 or 10) to a long double
// as strtold does; false if it overflows or underflows to zero.
func roundLD(mant *big.Int, exp, base int64) (*big.Float, bool) {
	// Settle far-out exponents before building big numbers for them.
	mag := exp // base-10 (or base-2) exponent of the leading digit
	if base == 10 {
		mag += int64(len(mant.String())) - 1
		if mag >= ldMaxDigits {
			return nil, false
		}
		if mag < -4952 { // below half the least subnormal (~3.6e-4951)
			return nil, false
		}
	} else {
		mag += int64(mant.BitLen()) - 1
		if mag >= ldMaxExp {
			return nil, false
		}
		if mag < ldQuantum-1 {
			return nil, false
		}
	}
	num, den := mant, big.NewInt(1)
	switch {
	case base == 2 && exp >= 0:
		num = new(big.Int).Lsh(mant, uint(exp))
	case base == 2:
		den = new(big.Int).Lsh(den, uint(-exp))
	case exp >= 0:
		num = new(big.Int).Mul(mant, pow10(exp))
	default:
		den = pow10(-exp)
	}
	return quoLD(num, den)
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }

// quoLD rounds num/den (both positive) to a long double; false if that
// overflows or underflows to zero.
func quoLD(num, den *big.Int) (*big.Float, bool) {
	f := newLD().Quo(new(big.Float).SetInt(num), new(big.Float).SetInt(den))
	e := f.MantExp(nil)
	if e > ldMaxExp {
		return nil, false
	}
	if e >= ldMinExp {
		return f, true
	}
	// Subnormal: round to a multiple of the least subnormal.
	n := roundHalfEven(new(big.Int).Lsh(num, -ldQuantum), den)
	if n.Sign() == 0 {
		return nil, false
	}
	f.SetInt(n)
	return f.SetMantExp(f, ldQuantum), true
}

// roundHalfEven returns num/den (num >= 0, den > 0) rounded to the
// nearest integer, ties to even.
func roundHalfEven(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Lsh(r, 1)
	switch r.Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// addLongDouble returns a+b in long double, or false if the sum is
// infinite or not a number. The sum of two long doubles is a multiple of
// the least subnormal, so when it is subnormal it has fewer than 64
// significant bits and rounding it to 64 bits is exact.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := newLD().Add(a, b)
	if sum.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return sum, true
}

// appendLongDouble appends f as Redis's ld2string in human mode: "%.17Lf",
// then trailing zeros and a trailing dot removed; "-0" becomes "0".
func appendLongDouble(dst []byte, f *big.Float) []byte {
	if f.MantExp(nil) <= -58 { // |f| < 2^-58 < 5e-18: the digits are all 0
		return append(dst, '0')
	}
	start := len(dst)
	dst = f.Append(dst, 'f', 17)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// incrFloat adds two INCRBYFLOAT operands given as text and returns the
// sum as Redis stores it. errText is set when either operand is not a
// float or the sum is not finite. Integer operands whose sum fits an
// int64 take a fast path: the sum is exact in a long double.
