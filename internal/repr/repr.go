// Package repr quotes bytes as Redis's sdscatrepr does, the form
// redis-cli prints replies in and MONITOR prints arguments in: in double
// quotes, \\ \" \n \r \t \a \b escaped, other printable ASCII as it is,
// every other byte as \xHH. The server's MONITOR and the remoted command
// share it.
//
//	repr.Append(nil, []byte("caf\xc3\xa9\n")) // "caf\xc3\xa9\n", quotes included
package repr

// Append appends s to b quoted as sdscatrepr quotes it.
func Append(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if Printable(c) {
				b = append(b, c)
			} else {
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(b, '"')
}

// Printable reports whether c is printable as C's isprint says in the C
// locale, which Redis runs in: ASCII from space to tilde.
func Printable(c byte) bool { return c >= 0x20 && c < 0x7f }

// IfNeeded returns s as it is when every byte is Printable, else quoted
// (Append): text stays readable and pipeable, and bytes a terminal would
// act on or garble are shown as redis-cli shows them.
func IfNeeded(s []byte) []byte {
	for _, c := range s {
		if !Printable(c) {
			return Append(nil, s)
		}
	}
	return s
}
