package soak

import (
	"fmt"
	"sort"
	"sync"
)

// tally counts what the scenarios of a phase did and keeps the first
// failures of each kind for the report.
type tally struct {
	mu       sync.Mutex
	runs     map[string]int      // scenario runs by kind
	fails    map[string]int      // failed runs by kind
	samples  map[string][]string // first failure messages by kind
	outcomes map[string]int      // what the broker answered, e.g. "garbage zero-length: ERR bad_frame"
	acct     account             // well-behaved subscribers, summed
	dialErrs int
	dialErr  string
}

func newTally() *tally {
	return &tally{runs: map[string]int{}, fails: map[string]int{}, samples: map[string][]string{}, outcomes: map[string]int{}}
}

// run records one run of kind; err nil means it behaved as the spec says.
func (t *tally) run(kind string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs[kind]++
	if err != nil {
		t.fails[kind]++
		if len(t.samples[kind]) < 5 {
			t.samples[kind] = append(t.samples[kind], err.Error())
		}
	}
}

// outcome counts one observed answer of the broker.
func (t *tally) outcome(what string) {
	t.mu.Lock()
	t.outcomes[what]++
	t.mu.Unlock()
}

// dialFailed counts a connection that could not be made.
func (t *tally) dialFailed(err error) {
	t.mu.Lock()
	t.dialErrs++
	if t.dialErr == "" {
		t.dialErr = err.Error()
	}
	t.mu.Unlock()
}

// account adds a well-behaved subscriber group's figures.
func (t *tally) account(a account) {
	t.mu.Lock()
	t.acct.add(a)
	t.mu.Unlock()
}

// failures returns the number of failed runs of every kind.
func (t *tally) failures() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, f := range t.fails {
		n += f
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// summary lists runs and failures by kind, one line each.
func (t *tally) summary() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, k := range sortedKeys(t.runs) {
		out = append(out, fmt.Sprintf("%s: %d runs, %d failed", k, t.runs[k], t.fails[k]))
	}
	return out
}
