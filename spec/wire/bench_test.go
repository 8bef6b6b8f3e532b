package wire_test

import (
	"bytes"
	"testing"

	"github.com/heraldmq/herald/spec/wire"
)

// BenchmarkDecodePub measures the per-message decode a server does for every
// PUB: 0 allocations.
func BenchmarkDecodePub(b *testing.B) {
	frame := pubFrame("/orders/eu/new", bytes.Repeat([]byte("p"), 128))
	body := frame[wire.HeaderLen:]
	var p wire.Pub
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := p.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeMsg measures building a MSG template and patching it for
// one subscriber: 0 allocations into a reused buffer.
func BenchmarkEncodeMsg(b *testing.B) {
	ch, payload := []byte("/orders/eu/new"), bytes.Repeat([]byte("p"), 128)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = wire.AppendMsgTemplate(buf[:0], ch, nil, nil, payload)
		wire.PatchMsg(buf, 1, uint64(i))
	}
}

// BenchmarkReaderPub measures the reader plus PUB decode over a stream of
// frames.
func BenchmarkReaderPub(b *testing.B) {
	frame := pubFrame("/orders/eu/new", bytes.Repeat([]byte("p"), 128))
	stream := bytes.Repeat(frame, 4096)
	src := bytes.NewReader(stream)
	r := wire.NewReader(src, 1<<20)
	var p wire.Pub
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		body, err := r.Next()
		if err != nil {
			src.Reset(stream)
			continue
		}
		if err := p.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
