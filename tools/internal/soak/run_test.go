package soak

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildHeraldd compiles the broker's command into a temporary directory.
func buildHeraldd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "heraldd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/heraldd")
	cmd.Dir = filepath.Join("..", "..", "..", "broker")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build heraldd: %s", out)
	return bin
}

// TestRunAgainstTheBinary runs a miniature soak, every phase, against heraldd
// as a separate process: the phases start it, drive it, read its metrics and
// /proc entries, stop it, and write results.
func TestRunAgainstTheBinary(t *testing.T) {
	chaos := DefaultChaos("drop", 2*time.Second)
	chaos.MaxConns, chaos.Rate, chaos.FireRate, chaos.MaxMessages = 200, 40, 500, 100
	chaos.PingInterval = 300 * time.Millisecond
	// The total is out of reach here: this test is about the soak's
	// plumbing, and the full soak is what judges the bound.
	chaos.PendingTotal = 256 << 20
	cfg := Config{
		Heraldd: buildHeraldd(t),
		Dir:     t.TempDir(),
		Chaos:   []ChaosConfig{chaos},
		Memory: MemoryConfig{Subs: 50, Total: 1 << 20, PendingBytes: 128 << 10, Payload: 4096, MaxPayload: 4096,
			Duration: time.Second, RcvBuf: 4 << 10, Readers: 2, Rate: 2000},
		Headroom: 64 << 20,
	}
	var log bytes.Buffer
	cfg.Log = &log
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err, log.String())

	require.Len(t, res.Chaos, 1)
	for _, c := range res.Chaos[0].Checks {
		assert.True(t, c.Pass, "%s: %s", c.Name, c.Detail)
	}
	assert.Positive(t, res.Chaos[0].Started)
	assert.Positive(t, res.Chaos[0].Baseline.FDs)
	assert.Positive(t, res.Chaos[0].Baseline.Goroutines)
	assert.Positive(t, res.Chaos[0].Account.Delivered)

	m := res.Memory
	require.NotNil(t, m)
	assert.Positive(t, m.RSSConnected)
	assert.GreaterOrEqual(t, m.RSSPeak, m.RSSConnected)
	assert.Positive(t, m.HeldPeak)
	assert.Positive(t, m.Published)
	byName := map[string]Check{}
	for _, c := range m.Checks {
		byName[c.Name] = c
	}
	for _, name := range []string{"the bound was reached: messages were shed",
		"subscribers that keep up got every message or were told what they lost",
		"heraldd exits 0 on SIGTERM", "no panic, fatal error or race report in heraldd's stderr"} {
		assert.True(t, byName[name].Pass, "%s: %s", name, byName[name].Detail)
	}

	var md bytes.Buffer
	require.NoError(t, WriteMarkdown(&md, res, "herald-soak --test"))
	for _, want := range []string{"# Herald soak and chaos results", "herald-soak --test", "## Chaos, `--overflow drop`",
		"## Memory bound: 50 subscribers that never read", "| chaos, drop: goroutines back to baseline | PASS |"} {
		assert.Contains(t, md.String(), want)
	}
	logs, err := os.ReadDir(cfg.Dir)
	require.NoError(t, err)
	assert.Len(t, logs, 2, "one log per heraldd")
}

func TestRunNeedsAPhase(t *testing.T) {
	_, err := Run(context.Background(), Config{Heraldd: "heraldd"})
	assert.Error(t, err)
}

func TestMarkdownSaysFail(t *testing.T) {
	r := &Results{Memory: &MemoryResult{Checks: []Check{{Name: "a | b", Pass: false, Detail: "x|y"}}}}
	var md bytes.Buffer
	require.NoError(t, WriteMarkdown(&md, r, "herald-soak"))
	assert.Contains(t, md.String(), "Verdict: **FAIL**")
	assert.Contains(t, md.String(), `| memory: a \| b | FAIL | x\|y |`)
	assert.False(t, r.Pass())
	assert.True(t, strings.Contains(md.String(), "## Memory bound"))
}
