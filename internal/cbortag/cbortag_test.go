package cbortag

import "testing"

func FuzzInspectValue(f *testing.F) {
	f.Add([]byte("\xd9\xd9\xf7\xa1\x61a\x01"))
	f.Add([]byte("text"))
	f.Add([]byte("\xd9\xd9\xf7\x9f\x9f\x9f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := Inspect(b)
		if !Tagged(b) && string(out) != string(b) {
			t.Errorf("untagged %q rendered as %q", b, out)
		}
	})
}
