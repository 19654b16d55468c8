// Package remoted is a share server for multi-process programs: one process
// holds a dictionary and every other process reads and writes it over the
// Redis protocol (RESP2 and RESP3).
//
// The code lives in the sub-packages (resp, server, spawn, stub) and the
// command in cmd/remoted. This root package holds only the black-box
// compatibility tests (compat_test.go), which build cmd/remoted and drive it
// from the outside with go-redis, redis-cli, redis-py, node-redis and ioredis,
// and compare it reply for reply with a real redis-server.
package remoted
