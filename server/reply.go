package server

import (
	"io"
	"net"

	"github.com/tidwall/redcon"

	"github.com/remoted/remoted/resp"
)

// discardConn is a redcon.Conn whose writes go nowhere: the target of
// replies under CLIENT REPLY OFF and SKIP.
type discardConn struct{ redcon.Conn }

func (discardConn) WriteError(string)              {}
func (discardConn) WriteString(string)             {}
func (discardConn) WriteBulk([]byte)               {}
func (discardConn) WriteBulkString(string)         {}
func (discardConn) WriteInt(int)                   {}
func (discardConn) WriteInt64(int64)               {}
func (discardConn) WriteUint64(uint64)             {}
func (discardConn) WriteArray(int)                 {}
func (discardConn) WriteNull()                     {}
func (discardConn) WriteRaw([]byte)                {}
func (discardConn) WriteAny(any)                   {}
func (discardConn) WriteBulkFrom(int64, io.Reader) {}
func (discardConn) NetConn() net.Conn              { return nil }

// discardWriter returns a reply writer that drops everything, in proto.
func discardWriter(proto int) *resp.Writer {
	w := resp.NewWriter(discardConn{})
	w.SetProto(proto)
	return w
}
