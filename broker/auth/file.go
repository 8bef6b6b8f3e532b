package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// File is the content of an auth file (see the package documentation).
type File struct {
	// Users are the users allowed to connect, each named once.
	Users []User `json:"users" yaml:"users"`
}

// User is one user of an auth file.
type User struct {
	// Name is what HELLO's user field must say. Required.
	Name string `json:"user" yaml:"user"`
	// Token is the user's token in clear. Exactly one of Token and
	// TokenBcrypt is set.
	Token string `json:"token,omitempty" yaml:"token,omitempty"`
	// TokenBcrypt is a bcrypt hash of the user's token, which must then be
	// at most 72 bytes long (all that bcrypt reads).
	TokenBcrypt string `json:"token_bcrypt,omitempty" yaml:"token_bcrypt,omitempty"`
	// Publish limits the channels the user may publish to. Nil allows all.
	Publish *Rules `json:"publish,omitempty" yaml:"publish,omitempty"`
	// Subscribe limits the patterns the user may subscribe to. Nil allows
	// all.
	Subscribe *Rules `json:"subscribe,omitempty" yaml:"subscribe,omitempty"`
}

// Rules are an allow list and a deny list of patterns (PROTOCOL.md 5.2).
// Deny wins over allow.
type Rules struct {
	// Allow lists what is permitted. Nil permits every channel ("/>"); an
	// empty, non-nil list permits nothing.
	Allow []string `json:"allow" yaml:"allow"`
	// Deny lists what is refused even when Allow permits it.
	Deny []string `json:"deny,omitempty" yaml:"deny,omitempty"`
}

// Parse reads an auth file's content: JSON when its first non-blank byte is
// '{', YAML otherwise. Unknown fields, a second document and trailing data
// are errors. Parse checks only the syntax; New checks the content.
func Parse(data []byte) (*File, error) {
	var f File
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("auth file (JSON): %w", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("auth file (JSON): data after the top-level object")
		}
		return &f, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			return nil, errors.New("auth file (YAML): empty")
		}
		return nil, fmt.Errorf("auth file (YAML): %s", redact(err))
	}
	var more any
	if err := dec.Decode(&more); err != io.EOF {
		return nil, errors.New("auth file (YAML): more than one document")
	}
	return &f, nil
}

// Load reads, parses and checks the auth file at path, and returns an
// Authenticator for its users.
func Load(path string) (*Auth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a, err := New(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// quoted matches the values YAML errors quote, e.g. "cannot unmarshal !!str
// `s3cret` into ...".
var quoted = regexp.MustCompile("`[^`]*`")

// redact returns err's text without the values it quotes, which may be
// tokens from a misplaced line.
func redact(err error) string {
	return quoted.ReplaceAllString(err.Error(), "(value hidden)")
}
