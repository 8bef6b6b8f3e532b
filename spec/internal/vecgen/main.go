// Command vecgen writes the protocol's golden vectors (spec/vectors/*.json).
//
// It encodes every frame with the msgpack library, independently of package
// wire, so that the codec's tests compare two implementations rather than
// checking the codec against its own output. Run it with `go generate ./...`
// from spec/; a test fails when the committed files differ from its output.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vmihailenco/msgpack/v5"
)

func main() {
	out := flag.String("out", "vectors", "directory to write the vector files into")
	flag.Parse()
	files := map[string]any{
		"ops.json":      opsFile(),
		"invalid.json":  invalidFile(),
		"channels.json": channelsFile(),
	}
	for name, v := range files {
		b, err := Marshal(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// Marshal renders a vector file as indented JSON with a trailing newline.
func Marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Files returns every vector file's name and content, for the freshness test.
func Files() map[string]any {
	return map[string]any{"ops.json": opsFile(), "invalid.json": invalidFile(), "channels.json": channelsFile()}
}

// enc builds one frame body element by element with the msgpack library.
type enc struct {
	buf bytes.Buffer
	e   *msgpack.Encoder
}

func newEnc() *enc {
	x := &enc{}
	x.e = msgpack.NewEncoder(&x.buf)
	return x
}

func (x *enc) arr(n int) *enc     { must(x.e.EncodeArrayLen(n)); return x }
func (x *enc) uint(v uint64) *enc { must(x.e.EncodeUint(v)); return x }
func (x *enc) u32(v uint32) *enc  { must(x.e.EncodeUint32(v)); return x }
func (x *enc) u64(v uint64) *enc  { must(x.e.EncodeUint64(v)); return x }
func (x *enc) str(s string) *enc  { must(x.e.EncodeString(s)); return x }
func (x *enc) bin(b []byte) *enc  { must(x.e.EncodeBytes(b)); return x }
func (x *enc) nil_() *enc         { must(x.e.EncodeNil()); return x }
func (x *enc) bool_(v bool) *enc  { must(x.e.EncodeBool(v)); return x }
func (x *enc) mapLen(n int) *enc  { must(x.e.EncodeMapLen(n)); return x }
func (x *enc) raw(b ...byte) *enc { x.buf.Write(b); return x }
func (x *enc) optStr(s *string) *enc {
	if s == nil {
		return x.nil_()
	}
	return x.str(*s)
}
func (x *enc) headers(h map[string]string) *enc {
	if h == nil {
		return x.nil_()
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	x.mapLen(len(h))
	for _, k := range keys {
		x.str(k).str(h[k])
	}
	return x
}

// frame returns the length-prefixed frame as hex.
func (x *enc) frame() string { return frameHex(x.buf.Bytes()) }

func frameHex(body []byte) string {
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(body)))
	return hex.EncodeToString(append(l[:], body...))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func sp(s string) *string { return &s }
