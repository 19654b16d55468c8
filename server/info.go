package server

func (s *Server) cmdInfo(c *Client, args [][]byte) {}
