// Package spec carries Herald's wire specification as data: the text of
// PROTOCOL.md and the golden test vectors in vectors/, embedded so that any Go
// implementation of the protocol, in any module, can test itself against
// them:
//
//	for _, v := range spec.Ops().Vectors {
//		frame := v.Bytes()
//		// decode frame with your codec and compare with v.Fields
//	}
//
// The reference codec lives in package wire (spec/wire); it does not import
// this package, so the vectors are never compiled into a broker or client.
package spec
