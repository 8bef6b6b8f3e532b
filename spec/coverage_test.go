package spec_test

import (
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

var (
	opRow   = regexp.MustCompile("(?m)^\\|\\s*(\\d+)\\s*\\|\\s*([A-Z]+)\\s*\\|")
	codeRow = regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (yes|no) \\|")
)

// TestEveryOpHasAVector fails if an op in PROTOCOL.md's op table has no
// valid-frame vector, or if the codec disagrees with the table.
func TestEveryOpHasAVector(t *testing.T) {
	rows := opRow.FindAllStringSubmatch(spec.Protocol(), -1)
	require.Len(t, rows, 11)
	have := map[string]bool{}
	for _, v := range spec.Ops().Vectors {
		have[v.Op] = true
	}
	for _, r := range rows {
		assert.True(t, have[r[2]], "op %s has no vector in vectors/ops.json", r[2])
		var found bool
		for o := wire.Op(1); o.Known(); o++ {
			if o.String() == r[2] {
				found = true
				assert.Equal(t, r[1], strconv.Itoa(int(o)), "op %s code", r[2])
			}
		}
		assert.True(t, found, "op %s unknown to package wire", r[2])
	}
}

// TestEveryErrorCodeHasAVector fails if an error code in PROTOCOL.md's table
// has no ERR vector, or if the codec's codes or fatality differ from it.
func TestEveryErrorCodeHasAVector(t *testing.T) {
	rows := codeRow.FindAllStringSubmatch(spec.Protocol(), -1)
	require.NotEmpty(t, rows)
	have := map[string]bool{}
	for _, v := range spec.Ops().Vectors {
		if v.Op == "ERR" {
			have[v.Fields["code"].(string)] = true
		}
	}
	var codes []string
	for _, r := range rows {
		codes = append(codes, r[1])
		assert.True(t, have[r[1]], "error code %s has no ERR vector", r[1])
		assert.Equal(t, r[2] == "yes", wire.Code(r[1]).Fatal(), "fatality of %s", r[1])
	}
	var wc []string
	for _, c := range wire.Codes {
		wc = append(wc, string(c))
	}
	slices.Sort(codes)
	slices.Sort(wc)
	assert.Equal(t, codes, wc, "wire.Codes and PROTOCOL.md's error table differ")
}

// TestVectorsCiteRealRequirements fails if a vector names a requirement that
// PROTOCOL.md does not define.
func TestVectorsCiteRealRequirements(t *testing.T) {
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`\*\*\[(\d+\.\d+)\]\*\*`).FindAllStringSubmatch(spec.Protocol(), -1) {
		defined[m[1]] = true
	}
	check := func(name string, reqs []string) {
		for _, r := range reqs {
			assert.True(t, defined[r], "vector %s cites undefined requirement %s", name, r)
		}
	}
	for _, v := range spec.Ops().Vectors {
		check(v.Name, v.Spec)
	}
	for _, v := range spec.Invalid().Vectors {
		check(v.Name, v.Spec)
	}
	check("channels.json", spec.Channels().Spec)
}
