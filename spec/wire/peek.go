package wire

// PeekOp returns the op of a frame body without decoding the rest. It fails
// with a bad_frame *Error when the body does not start with a non-empty array
// whose first element is a non-negative integer, and with a non-fatal
// unknown_op *Error when that integer is above 255 (no version defines one).
func PeekOp(body []byte) (Op, error) {
	d := dec{b: body}
	n := d.arrayLen()
	if d.err != nil {
		return 0, d.err
	}
	if n == 0 {
		return 0, badFrame("empty array")
	}
	v := d.uint()
	if d.err != nil {
		return 0, badFrame("the op must be a non-negative integer")
	}
	if v > 255 {
		return 0, &Error{Code: CodeUnknownOp, Message: "unknown op " + uitoa(v)}
	}
	return Op(v), nil
}

// CheckBody reports whether body is one well-formed MessagePack array with
// nothing after it. A server uses it to tell an unknown op (non-fatal) from an
// undecodable body (fatal).
func CheckBody(body []byte) error {
	d := dec{b: body}
	d.skip(0)
	if d.err == nil && len(body) > 0 && (body[0] < 0x90 || body[0] > 0x9f) && body[0] != 0xdc && body[0] != 0xdd {
		d.fail("expected an array")
	}
	if d.err == nil && d.i != len(body) {
		d.fail("bytes after the array")
	}
	if d.err != nil {
		return d.err
	}
	return nil
}
