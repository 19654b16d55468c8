package server

// commandsString handles the string commands.
func (s *Server) commandsString(r *registry) {}
