package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Table is the figures laid out for reading: one row per (workload,
// parameters, metric), one column of medians per system, then one column per
// peer with the ratio herald/peer of the medians. Notes say why cells are
// n/a.
type Table struct {
	Header []string
	Rows   [][]string
	Notes  []string
}

// rowKey identifies a row.
type rowKey struct{ workload, params, metric, unit string }

// BuildTable lays out figures. Rows named "lost" whose every figure is zero
// are left out.
func BuildTable(figs []Figure) Table {
	var systems []string
	seen := map[string]bool{}
	for _, f := range figs {
		if !seen[f.System] {
			seen[f.System] = true
			systems = append(systems, f.System)
		}
	}
	cells := map[rowKey]map[string]Figure{}
	var keys []rowKey
	skipped := map[string]map[string]string{} // workload -> system -> reason
	var workloads []string
	for _, f := range figs {
		if _, ok := skipped[f.Workload]; !ok {
			skipped[f.Workload] = map[string]string{}
			workloads = append(workloads, f.Workload)
		}
		if f.Skipped != "" {
			skipped[f.Workload][f.System] = f.Skipped
			continue
		}
		k := rowKey{f.Workload, FormatParams(f.Params), f.Metric, f.Unit}
		if _, ok := cells[k]; !ok {
			cells[k] = map[string]Figure{}
			keys = append(keys, k)
		}
		cells[k][f.System] = f
	}
	var t Table
	t.Header = []string{"workload", "params", "metric", "unit"}
	t.Header = append(t.Header, systems...)
	var peers []string
	if seen["herald"] {
		for _, s := range systems {
			if s != "herald" {
				peers = append(peers, s)
				t.Header = append(t.Header, "herald/"+s)
			}
		}
	}
	for _, k := range keys {
		row := cells[k]
		if k.metric == "lost" && allZero(row) {
			continue
		}
		line := []string{k.workload, k.params, k.metric, k.unit}
		for _, s := range systems {
			if f, ok := row[s]; ok {
				line = append(line, formatValue(f.Median, f.Unit))
			} else {
				line = append(line, "n/a")
			}
		}
		h, hok := row["herald"]
		for _, s := range peers {
			p, ok := row[s]
			if !hok || !ok || p.Median == 0 {
				line = append(line, "")
				continue
			}
			line = append(line, fmt.Sprintf("%.2f", h.Median/p.Median))
		}
		t.Rows = append(t.Rows, line)
	}
	for _, w := range workloads {
		for _, s := range systems {
			if r := skipped[w][s]; r != "" {
				t.Notes = append(t.Notes, fmt.Sprintf("%s on %s: %s", w, s, r))
			}
		}
	}
	return t
}

func allZero(row map[string]Figure) bool {
	for _, f := range row {
		if f.Max != 0 {
			return false
		}
	}
	return true
}

// FormatParams renders a workload's parameters as "k=v k=v", keys sorted.
func FormatParams(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		if f, ok := p[k].(float64); ok { // parameters read back from JSON
			fmt.Fprintf(&b, "%s=%s", k, strconv.FormatFloat(f, 'f', -1, 64))
		} else {
			fmt.Fprintf(&b, "%s=%v", k, p[k])
		}
	}
	return b.String()
}

// formatValue prints a figure with a precision fit for its unit.
func formatValue(v float64, unit string) string {
	switch unit {
	case unitRate:
		return FormatRate(v)
	case unitRatio:
		return fmt.Sprintf("%.2f", v)
	case unitPercent:
		return fmt.Sprintf("%.2f", v)
	case unitMsgs:
		return fmt.Sprintf("%.0f", v)
	}
	return sig3(v)
}

// FormatRate prints a rate as 3.52M, 870k or 950.
func FormatRate(v float64) string {
	switch {
	case v >= 1e6:
		return sig3(v/1e6) + "M"
	case v >= 1e3:
		return sig3(v/1e3) + "k"
	}
	return sig3(v)
}

// sig3 prints v with three significant digits (more for large integers).
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// WriteText writes the table aligned in columns, then its notes.
func (t Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(upper(t.Header), "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintln(w, "n/a: "+n); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown writes the table as a Markdown table, then its notes as a
// list.
func (t Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.Header, " | ") + " |\n|")
	for range t.Header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString("- n/a: " + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		if strings.Contains(x, "/") {
			out[i] = x
		} else {
			out[i] = strings.ToUpper(x)
		}
	}
	return out
}

// WriteJSON writes one JSON object per figure, one per line.
func WriteJSON(w io.Writer, figs []Figure) error {
	enc := json.NewEncoder(w)
	for _, f := range figs {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// ReadJSON reads what WriteJSON wrote.
func ReadJSON(r io.Reader) ([]Figure, error) {
	dec := json.NewDecoder(r)
	var out []Figure
	for dec.More() {
		var f Figure
		if err := dec.Decode(&f); err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}
