package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/heraldmq/herald/tools/internal/bench"
)

// progressBar draws bench's progress on one terminal line. A nil bar draws
// nothing.
type progressBar struct {
	w     io.Writer
	drawn bool
}

// update redraws the bar for the run about to start.
func (b *progressBar) update(p bench.Progress) {
	if b == nil || p.Total == 0 {
		return
	}
	const width = 30
	fill := width * p.Done / p.Total
	label := ""
	if p.Workload != "" {
		label = fmt.Sprintf(" %s · %s · round %d/%d", p.Workload, p.System, p.Round, p.Rounds)
	}
	fmt.Fprintf(b.w, "\r\033[K[%s%s] %d/%d%s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.Done, p.Total, label)
	b.drawn = true
}

// clear erases the bar.
func (b *progressBar) clear() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
