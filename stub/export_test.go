package stub

// MapError exposes mapError to the tests.
var MapError = mapError

// URL is the URL s connected with.
func URL(s *Share) string { return s.opts.URL }
