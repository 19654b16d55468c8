package server

// globMatch reports whether str matches the Redis glob pattern, with the
// semantics of Redis's stringmatchlen (KEYS, SCAN MATCH, CONFIG GET):
//
//   - any run of bytes, ? any one byte
//     [abc]  one of the bytes, [^abc] none of them, [a-z] a range (ends may
//     come in either order), \x inside brackets the byte x
//     \x     the byte x
//
// An unterminated '[' class ends at the end of the pattern. Matching works
// on bytes, not runes, and gives up on patterns nested too deeply, as
// Redis does. github.com/tidwall/match, the usual Go choice, has no
// bracket classes and matches runes, so it would answer differently.
func globMatch(pattern, str []byte) bool {
	stop := false
	return globAt(pattern, str, 0, &stop)
}

const maxGlobNesting = 1000

func globAt(p, s []byte, nesting int, stop *bool) bool {
	if nesting > maxGlobNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globAt(p[1:], s, nesting+1, stop) {
					return true
				}
				if *stop {
					return false
				}
				s = s[1:]
			}
			// Nothing after this star matches anywhere in the rest of the
			// string, so no earlier star can help either.
			*stop = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			if p, ok = globClass(p[1:], s[0]); !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
		}
	}
	return len(p) == 0 && len(s) == 0
}

// globClass matches c against the class that p starts just after '['. It
// returns the pattern positioned on the class's closing ']' (or its last
// byte if unterminated) and whether c matched.
func globClass(p []byte, c byte) ([]byte, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	matched := false
	for {
		switch {
		case len(p) >= 2 && p[0] == '\\':
			p = p[1:]
			if p[0] == c {
				matched = true
			}
		case len(p) > 0 && p[0] == ']':
			return p, matched != not
		case len(p) == 0:
			// unterminated: step back so the caller's advance ends it
			return []byte{0}, matched != not
		case len(p) >= 3 && p[1] == '-':
			lo, hi := int8(p[0]), int8(p[2]) // C compares signed chars
			if lo > hi {
				lo, hi = hi, lo
			}
			if v := int8(c); v >= lo && v <= hi {
				matched = true
			}
			p = p[2:]
		default:
			if p[0] == c {
				matched = true
			}
		}
		p = p[1:]
	}
}
