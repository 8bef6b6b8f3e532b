package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
	"github.com/heraldmq/herald/examples/internal/testbroker"
)

func TestWorkqueue(t *testing.T) {
	url := testbroker.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := lines.New()
	cfg := config{url: url, workers: 4, jobs: 400, work: 2 * time.Millisecond}
	if err := run(ctx, cfg, out); err != nil {
		t.Fatal(err)
	}
	got := out.Lines()
	t.Log("\n" + out.String())
	want := []string{
		"rotation: 4 workers, prefetch off, 400 jobs published at once",
		"  worker 1: 100 jobs", "  worker 2: 100 jobs", "  worker 3: 100 jobs", "  worker 4: 100 jobs",
	}
	if len(got) != 10 {
		t.Fatalf("got %d lines", len(got))
	}
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("line %d: %q, want %q", i, got[i], w)
		}
	}
	if !regexp.MustCompile(`^prefetch: 4 workers, prefetch 1, worker 4 is 10x slower, 400 jobs in \S+$`).MatchString(got[5]) {
		t.Fatalf("line 5: %q", got[5])
	}
	share := regexp.MustCompile(`^  worker (\d): (\d+) jobs( \(slow\))?$`)
	var fast, slow, total int
	for i, l := range got[6:] {
		m := share.FindStringSubmatch(l)
		if m == nil || m[1] != strconv.Itoa(i+1) || (m[3] != "") != (i == 3) {
			t.Fatalf("line %d: %q", 6+i, l)
		}
		n, _ := strconv.Atoi(m[2])
		total += n
		if i == 3 {
			slow = n
		} else {
			fast += n
		}
	}
	if total != 400 {
		t.Fatalf("prefetch run handled %d jobs, want 400", total)
	}
	if ratio := float64(slow) / (float64(fast) / 3); ratio > 0.35 {
		t.Fatalf("the slow worker got %.2f of a fast worker's share", ratio)
	}
}
