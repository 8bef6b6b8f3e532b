package conformance

import (
	"embed"
	"io/fs"
)

//go:embed features/*.feature
var featureFS embed.FS

// Features returns the embedded feature files, under the directory
// "features".
func Features() fs.FS { return featureFS }
