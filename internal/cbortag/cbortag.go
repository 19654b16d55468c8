// Package cbortag is the one place that knows how the Go stub marks a
// value as CBOR: the self-describe tag 55799 (RFC 8949 §3.4.6) in front
// of one data item. The stub's codec writes and recognises it; the
// server's INSPECT and `remoted get` render what it marks.
package cbortag

import (
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Prefix is the self-describe tag's encoding, the bytes d9 d9 f7.
const Prefix = "\xd9\xd9\xf7"

// diagMode renders CBOR as RFC 8949 diagnostic notation, byte strings in
// hex (h'...'), with the library's default limits on nesting and size.
var diagMode, _ = cbor.DiagOptions{ByteStringEncoding: cbor.ByteStringBase16Encoding}.DiagMode()

// Tagged reports whether a stored value starts with Prefix.
func Tagged[T ~string | ~[]byte](v T) bool {
	return strings.HasPrefix(string(v), Prefix) // no copy: the compiler sees through the conversion
}

// Inspect renders a stored value as INSPECT shows it: a well-formed CBOR
// item behind Prefix in diagnostic notation (`{"name": "x", "n": 1}`),
// anything else as it is.
func Inspect(v []byte) []byte {
	if !Tagged(v) {
		return v
	}
	diag, err := diagMode.Diagnose(v[len(Prefix):])
	if err != nil {
		return v
	}
	return []byte(diag)
}
