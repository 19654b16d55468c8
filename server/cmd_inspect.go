package server

import "github.com/remoted/remoted/internal/cbortag"

// commandsInspect handles INSPECT, which shows a value as a person reads
// it.
func (s *Server) commandsInspect(r *registry) {
	r.key("inspect", s.cmdInspect)
}

// cmdInspect is INSPECT key: a string the stub stored as CBOR comes back
// in diagnostic notation (see cbortag.Inspect); any other string, as
// stored; a missing key, null; a key of another type, WRONGTYPE, as GET.
func (s *Server) cmdInspect(c *client, args [][]byte) {
	e, errText := s.db.getString(args[1])
	switch {
	case errText != "":
		c.w.Error(errText)
	case e == nil:
		c.w.Null()
	default:
		c.w.Bulk(cbortag.Inspect(e.val))
	}
}
