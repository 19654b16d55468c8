package server

import (
	"bytes"

	"github.com/fxamacker/cbor/v2"
)

// commandsInspect handles INSPECT, which shows a value as a person reads
// it.
func (s *Server) commandsInspect(r *registry) {
	r.key("inspect", s.cmdInspect)
}

// cborSelfDescribe is the CBOR self-describe tag 55799 with which the Go
// stub marks the values it stores as CBOR.
var cborSelfDescribe = []byte{0xd9, 0xd9, 0xf7}

// diagMode renders CBOR as RFC 8949 diagnostic notation, byte strings in
// hex (h'...'), with the library's default limits on nesting and size.
var diagMode, _ = cbor.DiagOptions{ByteStringEncoding: cbor.ByteStringBase16Encoding}.DiagMode()

// cmdInspect is INSPECT key: a value that starts with the self-describe
// tag and is well-formed CBOR comes back as diagnostic notation of what
// the tag marks (`{"name": "x", "n": 1}`); anything else, as stored; a
// missing key, null.
func (s *Server) cmdInspect(c *Client, args [][]byte) {
	e := s.db.getBytes(args[1])
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(Inspect(e.val))
}

// Inspect renders a stored value as INSPECT shows it: CBOR behind the
// self-describe tag in diagnostic notation, anything else as it is.
func Inspect(v []byte) []byte {
	if !bytes.HasPrefix(v, cborSelfDescribe) {
		return v
	}
	diag, err := diagMode.Diagnose(v[len(cborSelfDescribe):])
	if err != nil {
		return v
	}
	return []byte(diag)
}
