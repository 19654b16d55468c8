package server

// commandsKeyspace handles the keyspace commands.
func (s *Server) commandsKeyspace(r *registry) {}
