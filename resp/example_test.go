package resp_test

import (
	"bytes"
	"fmt"

	"github.com/tidwall/redcon"

	"github.com/remoted/remoted/resp"
)

// A connection's loop: frame what arrived (here an inline PING, a GET
// and the start of a SET still arriving), run each whole command, reply.
func ExampleFramer() {
	fr := resp.NewFramer(resp.Limits{})
	var sent bytes.Buffer
	out := redcon.NewWriter(&sent)
	w := resp.NewWriter(out)

	framed, whole, _, err := fr.Frame(nil, []byte("PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n"))
	for b := framed[:whole]; len(b) > 0; {
		args, n := resp.SplitCommand(b, nil)
		switch string(bytes.ToLower(args[0])) {
		case "ping":
			w.Simple("PONG")
		case "get":
			w.Null()
		default:
			w.Error(resp.MsgUnknownCommand(args))
		}
		b = b[n:]
	}
	out.Flush()
	fmt.Printf("%q err=%v pending=%q\n", sent.String(), err, framed[whole:])
	// Output: "+PONG\r\n$-1\r\n" err=<nil> pending="*3\r\n$3\r\nSET\r\n"
}

func ExampleMsgWrongArgs() {
	fmt.Println(resp.MsgWrongArgs("get"))
	fmt.Println(resp.MsgExecAbortBecause(resp.MsgNoAuth))
	// Output:
	// ERR wrong number of arguments for 'get' command
	// EXECABORT Transaction discarded because of: NOAUTH Authentication required.
}
