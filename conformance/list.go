package conformance

import (
	"github.com/cucumber/godog"
)

// Entry describes one scenario of the suite, as --list prints it.
type Entry struct {
	Name    string
	Feature string
	File    string
	Tags    []string
}

// List returns the scenarios a tag expression selects, in the order Run runs
// them. A Scenario Outline contributes one entry per example row.
func List(tags string) ([]Entry, error) {
	ts := godog.TestSuite{Options: &godog.Options{Format: "progress", Tags: tags, FS: featureFS, Paths: []string{"features"}}}
	features, err := ts.RetrieveFeatures()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, f := range features {
		for _, p := range f.Pickles {
			e := Entry{Name: p.Name, Feature: f.Feature.Name, File: p.Uri}
			for _, t := range p.Tags {
				e.Tags = append(e.Tags, t.Name)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// featureTitles maps each feature file to its title.
func featureTitles(tags string) (map[string]string, error) {
	ts := godog.TestSuite{Options: &godog.Options{Format: "progress", Tags: tags, FS: featureFS, Paths: []string{"features"}}}
	features, err := ts.RetrieveFeatures()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, f := range features {
		m[f.Uri] = f.Feature.Name
	}
	return m, nil
}
