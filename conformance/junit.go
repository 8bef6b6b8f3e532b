package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML the runner writes: one testsuite per feature, one testcase
// per scenario, <skipped> with the reason for a scenario whose capability
// the server lacks, <failure> with the step that failed.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	seconds  float64
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Failure   *junitMessage `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

func writeJUnit(w io.Writer, r Result) error {
	out := junitSuites{Name: "herald-conformance"}
	index := map[string]int{}
	var total float64
	for _, s := range r.Scenarios {
		i, ok := index[s.File]
		if !ok {
			i = len(out.Suites)
			index[s.File] = i
			name := s.Feature
			if name == "" {
				name = s.File
			}
			out.Suites = append(out.Suites, junitSuite{Name: name})
		}
		suite := &out.Suites[i]
		c := junitCase{Name: s.Name, Classname: s.File, Time: seconds(s.Seconds), SystemOut: "tags: " + strings.Join(s.Tags, " ")}
		switch s.Status {
		case "skipped":
			c.Skipped = &junitMessage{Message: s.Detail}
			suite.Skipped++
			out.Skipped++
		case "failed":
			first, _, _ := strings.Cut(s.Detail, "\n")
			c.Failure = &junitMessage{Message: first, Text: s.Detail}
			suite.Failures++
			out.Failures++
		}
		suite.Tests++
		out.Tests++
		suite.seconds += s.Seconds
		total += s.Seconds
		suite.Cases = append(suite.Cases, c)
	}
	for i := range out.Suites {
		out.Suites[i].Time = seconds(out.Suites[i].seconds)
	}
	out.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
