// Package resp is remoted's wire: what a Redis client sends and what it
// reads back, with Redis 7.0's limits, reply shapes and error texts. It
// knows nothing of the keyspace; package server builds on it.
//
// It holds four things:
//
//   - Framer turns the bytes a connection sends into canonical multibulk
//     commands, inline commands included, checking Redis's limits
//     (proto-max-bulk-len, the query buffer limit, the tighter limits
//     before AUTH) and failing with Redis's protocol error texts
//     (*ProtocolError). SplitCommand then reads one command's arguments
//     without copying.
//   - Writer writes replies in the connection's protocol, RESP2 or RESP3
//     (after HELLO 3), over a redcon.Writer, which itself writes RESP2
//     only: maps, sets, nulls and verbatim strings take their RESP3 form
//     or fall back to RESP2's.
//   - The command table (Commands, Table, Command): name, arity, flags, key
//     positions, key specs and docs of every command remoted serves, which
//     COMMAND reports and the server's dispatch checks (Command.ArityOK,
//     Command.Has).
//   - Every error text a client can read, named once (MsgSyntax,
//     MsgWrongArgs(name), ...): strings named Msg..., apart from Go errors
//     named Err...; see errors.go.
//
// Usage, for one connection (see the Framer example):
//
//	fr := resp.NewFramer(resp.Limits{})
//	w := resp.NewWriter(redcon.NewWriter(conn))
//	var in []byte
//	for {
//		n, _ := conn.Read(buf)
//		out, whole, _, err := fr.Frame(in, buf[:n])
//		for b := out[:whole]; len(b) > 0; {
//			args, m := resp.SplitCommand(b, nil)
//			// ...run args, replying through w: w.OK(), w.Bulk(v),
//			// w.Error(resp.MsgWrongArgs("get")), ...
//			b = b[m:]
//		}
//		in = append(in[:0], out[whole:]...)
//		if err != nil { /* reply the *ProtocolError's Text, close */ }
//	}
package resp
