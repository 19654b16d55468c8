package repr

import "testing"

// TestAppend: the quoting redis-cli shows (its output for the same SET,
// checked by hand against redis-cli 7.0).
func TestAppend(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"caf\xc3\xa9", `"caf\xc3\xa9"`},
		{"\x00\xff\x7f\x1b", `"\x00\xff\x7f\x1b"`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"\n\r\t\a\b", `"\n\r\t\a\b"`},
	} {
		if got := string(Append(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("Append(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestIfNeeded(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{`{"Name": "Al"}`, `{"Name": "Al"}`},
		{"two\nlines", `"two\nlines"`},
		{"\x00", `"\x00"`},
	} {
		if got := string(IfNeeded([]byte(tc.in))); got != tc.want {
			t.Errorf("IfNeeded(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
