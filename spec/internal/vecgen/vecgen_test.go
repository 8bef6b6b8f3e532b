package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVectorsAreFresh fails when spec/vectors/*.json differ from what this
// generator writes: regenerate with `go generate ./...` in spec/.
func TestVectorsAreFresh(t *testing.T) {
	for name, v := range Files() {
		want, err := Marshal(v)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("..", "..", "vectors", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s is stale: run go generate ./... in spec/", name)
	}
}
