package server

// SORT's access to lists, which are not there yet.

// sortIsList reports whether o is a list.
func sortIsList(o object) bool { return false }

// sortEachList calls fn with every element of the list o, head to tail.
func sortEachList(o object, fn func(v []byte) bool) {}

// sortListRange calls fn with n elements of the list o from position
// first, or from first counted from the tail towards the head with desc.
func sortListRange(o object, first, n int, desc bool, fn func(v []byte)) {}

// sortStore replies to STORE: lists are not there yet.
func (s *Server) sortStore(c *client, o sortOpts, items []sortItem) {
	c.w.Int(0)
}
