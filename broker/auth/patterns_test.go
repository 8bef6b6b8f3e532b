package auth

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/heraldmq/herald/spec/wire"
)

func segs(ps ...string) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = segments(p)
	}
	return out
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		p     string
		allow []string
		want  bool
	}{
		{"/a/b", []string{"/a/b"}, true},
		{"/a/b", []string{"/a/c"}, false},
		{"/a/b", []string{"/a/*"}, true},
		{"/a/b", []string{"/>"}, true},
		{"/a/b", []string{"/a/>"}, true},
		{"/a", []string{"/a/>"}, false},
		{"/a/*", []string{"/a/b"}, false},
		{"/a/*", []string{"/a/b", "/a/c"}, false},
		{"/a/*", []string{"/a/*"}, true},
		{"/a/*", []string{"/*/*"}, true},
		{"/a/*", []string{"/a/>"}, true},
		{"/a/*/c", []string{"/a/*/>"}, true},
		{"/a/>", []string{"/a/*"}, false},
		{"/a/>", []string{"/a/*/>"}, false},
		{"/a/>", []string{"/a/*", "/a/*/>"}, true},
		{"/a/>", []string{"/a/*", "/a/*/*", "/a/*/*/>"}, true},
		{"/a/>", []string{"/a/*", "/a/*/*"}, false},
		{"/a/>", []string{"/a/*", "/a/b/>"}, false},
		{"/a/>", []string{"/*/>"}, true},
		{"/>", []string{"/a/>"}, false},
		{"/*/b", []string{"/a/b", "/*/c"}, false},
		{"/*/b", []string{"/a/b", "/*/b"}, true},
		{"/a/b/c", nil, false},
	} {
		assert.Equal(t, tc.want, covers(segments(tc.p), segs(tc.allow...)), "%s covered by %v", tc.p, tc.allow)
	}
}

func TestOverlaps(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"/a/b", "/a/b", true},
		{"/a/b", "/a/c", false},
		{"/a/*", "/a/c", true},
		{"/a/*", "/a/c/d", false},
		{"/a/>", "/a", false},
		{"/a/>", "/a/b/c", true},
		{"/>", "/x/*/z", true},
		{"/*/b", "/a/*", true},
		{"/*/b", "/a/c", false},
		{"/a/*/c", "/a/>", true},
	} {
		assert.Equal(t, tc.want, overlaps(segments(tc.a), segments(tc.b)), "%s and %s", tc.a, tc.b)
		assert.Equal(t, tc.want, overlaps(segments(tc.b), segments(tc.a)), "%s and %s", tc.b, tc.a)
	}
}

// The brute-force oracle: patterns over the literals a and b, judged
// against every channel of 1 to 5 segments over a, b and c (c is a segment
// no pattern names). A counterexample to covering or overlapping, if one
// exists, exists among them: it needs at most one segment more than the
// longest pattern (3 segments).
var oracleChannels = func() [][]byte {
	var out [][]byte
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		if depth > 0 {
			out = append(out, []byte(prefix))
		}
		if depth == 5 {
			return
		}
		for _, s := range []string{"a", "b", "c"} {
			walk(prefix+"/"+s, depth+1)
		}
	}
	walk("", 0)
	return out
}()

func bruteCovers(p string, allow []string) bool {
	for _, ch := range oracleChannels {
		if !wire.Match([]byte(p), ch) {
			continue
		}
		ok := false
		for _, a := range allow {
			ok = ok || wire.Match([]byte(a), ch)
		}
		if !ok {
			return false
		}
	}
	return true
}

func bruteOverlaps(a, b string) bool {
	for _, ch := range oracleChannels {
		if wire.Match([]byte(a), ch) && wire.Match([]byte(b), ch) {
			return true
		}
	}
	return false
}

// patternFrom turns bytes into a pattern of 1 to 3 segments over a, b, *
// and > (> only last), and returns the bytes left.
func patternFrom(data []byte) (string, []byte) {
	if len(data) == 0 {
		return "/a", nil
	}
	n := 1 + int(data[0]%3)
	data = data[1:]
	var b strings.Builder
	for i := 0; i < n; i++ {
		var c byte
		if len(data) > 0 {
			c, data = data[0], data[1:]
		}
		seg := []string{"a", "b", "*", ">"}[c%4]
		if seg == ">" && i < n-1 {
			seg = "*"
		}
		b.WriteString("/" + seg)
	}
	return b.String(), data
}

// checkAgainstOracle compares covers and overlaps with the oracle for the
// patterns data describes: one pattern, then one to three allow patterns.
func checkAgainstOracle(t *testing.T, data []byte) {
	p, data := patternFrom(data)
	var allow []string
	n := 1
	if len(data) > 0 {
		n, data = 1+int(data[0]%3), data[1:]
	}
	for range n {
		var a string
		a, data = patternFrom(data)
		allow = append(allow, a)
	}
	if got, want := covers(segments(p), segs(allow...)), bruteCovers(p, allow); got != want {
		t.Fatalf("covers(%s, %v) = %v, oracle says %v", p, allow, got, want)
	}
	if got, want := overlaps(segments(p), segments(allow[0])), bruteOverlaps(p, allow[0]); got != want {
		t.Fatalf("overlaps(%s, %s) = %v, oracle says %v", p, allow[0], got, want)
	}
}

func TestCoversAgreesWithOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		data := make([]byte, 16)
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		checkAgainstOracle(t, data)
	}
}

func FuzzCovers(f *testing.F) {
	f.Add([]byte{2, 0, 3, 1, 0, 2, 1, 3})
	f.Add([]byte{1, 2, 3, 2, 0, 2, 2, 2, 3})
	f.Fuzz(checkAgainstOracle)
}
