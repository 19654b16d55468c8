package server

import "sync/atomic"

// stats are the counters INFO stats reports.
type stats struct {
	connections atomic.Int64 // total_connections_received
	commands    atomic.Int64 // commands of clients gone; see commandsProcessed
	rejected    atomic.Int64 // rejected_connections
	errors      atomic.Int64 // total_error_replies
}
