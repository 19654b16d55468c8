package server

import "github.com/remoted/remoted/internal/cbortag"

// commandsInspect handles INSPECT, which shows a value as a person reads
// it.
func (s *Server) commandsInspect(r *registry) {
	r.key("inspect", s.cmdInspect)
}

// cmdInspect is INSPECT key: a value the stub stored as CBOR comes back in
// diagnostic notation (see cbortag.Inspect); anything else, as stored; a
// missing key, null.
func (s *Server) cmdInspect(c *client, args [][]byte) {
	e := s.db.getBytes(args[1])
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(cbortag.Inspect(e.val))
}
