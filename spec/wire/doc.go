// Package wire is the reference codec for the Herald wire protocol, version 1
// (spec/PROTOCOL.md): the length-prefixed frame reader, and the encoding and
// decoding of every op.
//
// Every op has a Go type (Hello, Welcome, Pub, Sub, Unsub, Msg, Ping, Pong,
// Error, Notice, Ack). Each type's Append method appends one whole frame,
// length prefix included, to a byte slice; its Decode method fills the value
// from a frame body. Decoding is hand-written and never allocates for the
// per-message ops: byte-slice fields of Pub and Msg are sub-slices of the body
// and stay valid only as long as the body does.
//
// A sketch of a client that subscribes and prints what arrives:
//
//	conn, _ := net.Dial("tcp", "127.0.0.1:7420")
//	var out []byte
//	out = (&wire.Hello{Version: wire.Version, Name: "demo", Echo: true, Headers: true}).Append(out)
//	out = (&wire.Sub{Sid: 1, Pattern: []byte("/news/>")}).Append(out)
//	conn.Write(out)
//	r := wire.NewReader(conn, wire.MaxHelloFrame)
//	for {
//		body, err := r.Next()
//		if err != nil {
//			return err
//		}
//		op, _ := wire.PeekOp(body)
//		switch op {
//		case wire.OpWelcome:
//			var w wire.Welcome
//			_ = w.Decode(body)
//			r.SetMaxFrame(int(w.MaxFrame))
//		case wire.OpMsg:
//			var m wire.Msg
//			_ = m.Decode(body)
//			fmt.Printf("%s #%d: %s\n", m.Channel, m.Seq, m.Payload)
//		case wire.OpPing:
//			conn.Write(wire.AppendPong(nil))
//		}
//	}
package wire
