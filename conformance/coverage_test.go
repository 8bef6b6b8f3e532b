package conformance_test

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/conformance"
	"github.com/heraldmq/herald/conformance/internal/steps"
	"github.com/heraldmq/herald/spec"
)

var (
	requirementMark = regexp.MustCompile(`\*\*\[(\d+\.\d+)\]\*\*`)
	specTag         = regexp.MustCompile(`@spec-(\d+\.\d+)\b`)
)

// requirements maps each numbered requirement of PROTOCOL.md to its text:
// from its marker to the next marker or heading.
func requirements(t *testing.T) map[string]string {
	t.Helper()
	doc := spec.Protocol()
	marks := requirementMark.FindAllStringSubmatchIndex(doc, -1)
	require.NotEmpty(t, marks)
	out := map[string]string{}
	for i, m := range marks {
		end := len(doc)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		if h := strings.Index(doc[m[1]:end], "\n#"); h >= 0 {
			end = m[1] + h
		}
		out[doc[m[2]:m[3]]] = doc[m[1]:end]
	}
	return out
}

// featureText returns the text of every embedded feature file.
func featureText(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(conformance.Features(), "features", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(conformance.Features(), path)
		out[path] = string(b)
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

// pendingSections are sections of PROTOCOL.md whose scenarios are not
// written yet, with the issue that brings them. The exemption is checked: a
// section that becomes pinned must leave this list.
var pendingSections = map[string]string{}

// TestEveryMustIsPinned fails if a requirement of PROTOCOL.md that says MUST
// is pinned by neither a scenario tag (@spec-N.M) nor a vector's "spec" list,
// or if a tag names a requirement the spec does not define.
func TestEveryMustIsPinned(t *testing.T) {
	reqs := requirements(t)
	pinned := map[string][]string{}
	for path, text := range featureText(t) {
		for _, m := range specTag.FindAllStringSubmatch(text, -1) {
			assert.Contains(t, reqs, m[1], "%s tags @spec-%s, which PROTOCOL.md does not define", path, m[1])
			pinned[m[1]] = append(pinned[m[1]], path)
		}
	}
	for _, v := range spec.Ops().Vectors {
		for _, r := range v.Spec {
			pinned[r] = append(pinned[r], "vector "+v.Name)
		}
	}
	for _, v := range spec.Invalid().Vectors {
		for _, r := range v.Spec {
			pinned[r] = append(pinned[r], "vector "+v.Name)
		}
	}
	for _, r := range spec.Channels().Spec {
		pinned[r] = append(pinned[r], "channels.json")
	}
	musts := 0
	pendingPinned := map[string]bool{}
	for n, text := range reqs {
		if !strings.Contains(text, "MUST") {
			continue
		}
		musts++
		section, _, _ := strings.Cut(n, ".")
		if why, ok := pendingSections[section]; ok {
			pendingPinned[section] = pendingPinned[section] || len(pinned[n]) > 0
			if len(pinned[n]) == 0 {
				t.Logf("requirement %s is not pinned yet: %s", n, why)
			}
			continue
		}
		assert.NotEmpty(t, pinned[n], "requirement %s says MUST but no scenario tag or vector pins it:%s", n, text)
	}
	assert.Greater(t, musts, 30, "the MUST requirements were not found")
	for section := range pendingSections {
		assert.False(t, pendingPinned[section], "section %s is pinned now: remove it from pendingSections", section)
	}
}

// TestEveryScenarioPinsARequirement fails if a scenario carries no @spec tag,
// or if two scenarios share a name (reports and subtests go by name).
func TestEveryScenarioPinsARequirement(t *testing.T) {
	all, err := conformance.List("")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, e := range all {
		assert.True(t, slices.ContainsFunc(e.Tags, func(tag string) bool { return specTag.MatchString(tag) }),
			"%s: %q pins no requirement", e.File, e.Name)
		assert.False(t, seen[e.Name], "two scenarios are named %q", e.Name)
		seen[e.Name] = true
	}
}

// TestEveryInvalidVectorIsSent fails if an invalid-frame vector appears in
// no feature, so a server is judged on every one of them.
func TestEveryInvalidVectorIsSent(t *testing.T) {
	var all strings.Builder
	for _, text := range featureText(t) {
		all.WriteString(text)
	}
	for _, v := range spec.Invalid().Vectors {
		used := regexp.MustCompile(`(vector "` + regexp.QuoteMeta(v.Name) + `"|\|\s*` + regexp.QuoteMeta(v.Name) + `\s*\|)`)
		assert.True(t, used.MatchString(all.String()), "no feature sends the invalid vector %q", v.Name)
	}
}

// TestEveryInvalidNameIsTried fails if an invalid channel, pattern or queue
// group of spec/vectors/channels.json is missing from the tables of
// channels.feature.
func TestEveryInvalidNameIsTried(t *testing.T) {
	text := featureText(t)["features/channels.feature"]
	require.NotEmpty(t, text)
	table := func(column string) []string {
		var out []string
		for _, block := range strings.Split(text, "Scenario Outline:")[1:] {
			lines := strings.Split(block, "\n")
			header := -1
			for _, l := range lines {
				cells := cellsOf(l)
				if cells == nil {
					continue
				}
				if header < 0 {
					header = slices.Index(cells, column)
					if header < 0 {
						break
					}
					continue
				}
				v, err := steps.DecodeName(cells[header])
				require.NoError(t, err)
				out = append(out, v)
			}
		}
		return out
	}
	channels, patterns, groups := table("channel"), table("pattern"), table("group")
	cv := spec.Channels()
	for _, c := range cv.InvalidChannels {
		assert.Contains(t, channels, c.Value, "invalid channel %q (%s) is not tried", c.Value, c.Name)
	}
	for _, c := range cv.InvalidPatterns {
		assert.Contains(t, patterns, c.Value, "invalid pattern %q (%s) is not tried", c.Value, c.Name)
	}
	for _, c := range cv.InvalidQueues {
		assert.Contains(t, groups, c.Value, "invalid queue group %q (%s) is not tried", c.Value, c.Name)
	}
}

// cellsOf splits a Gherkin table row into trimmed cells, or returns nil.
func cellsOf(line string) []string {
	l := strings.TrimSpace(line)
	if !strings.HasPrefix(l, "|") || !strings.HasSuffix(l, "|") {
		return nil
	}
	parts := strings.Split(l[1:len(l)-1], "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// TestReadmeExplainsEveryTag fails if a tag used in a feature, or a tag that
// can turn a scenario into a skip, is missing from README.md.
func TestReadmeExplainsEveryTag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	tagRe := regexp.MustCompile(`@[a-z_][a-z0-9_-]*`)
	tags := map[string]bool{steps.RestrictedUserTag: true}
	for _, r := range steps.Requirements {
		tags[r.Tag] = true
	}
	for _, text := range featureText(t) {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "@") {
				for _, tag := range tagRe.FindAllString(line, -1) {
					if !strings.HasPrefix(tag, "@spec-") {
						tags[tag] = true
					}
				}
			}
		}
	}
	for tag := range tags {
		assert.Contains(t, string(readme), "`"+tag+"`", "README.md does not explain %s", tag)
	}
}
