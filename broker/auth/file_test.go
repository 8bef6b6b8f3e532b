package auth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bob's token_bcrypt is a bcrypt hash of "bob-token" at cost 4.
const yamlFile = `
users:
  - user: alice
    token: alice-token
    publish:
      allow: ["/orders/>"]
      deny: ["/orders/admin/>"]
    subscribe:
      allow: ["/orders/*"]
  - user: bob
    token_bcrypt: "$2a$04$2bWAidaUrnJ/SOmMrjQEdeBhzd98ppigLw2eVGzW12fEzluwsp5aq"
    publish:
      allow: []
  - user: carol
    token: carol-token
`

const jsonFile = `{"users": [
  {"user": "alice", "token": "alice-token",
   "publish": {"allow": ["/orders/>"], "deny": ["/orders/admin/>"]},
   "subscribe": {"allow": ["/orders/*"]}},
  {"user": "bob", "token_bcrypt": "$2a$04$2bWAidaUrnJ/SOmMrjQEdeBhzd98ppigLw2eVGzW12fEzluwsp5aq",
   "publish": {"allow": []}},
  {"user": "carol", "token": "carol-token"}
]}`

func TestParseYAMLAndJSONAgree(t *testing.T) {
	y, err := Parse([]byte(yamlFile))
	require.NoError(t, err)
	j, err := Parse([]byte(jsonFile))
	require.NoError(t, err)
	assert.Equal(t, y, j)
	require.Len(t, y.Users, 3)
	assert.Equal(t, "alice", y.Users[0].Name)
	assert.Equal(t, []string{"/orders/admin/>"}, y.Users[0].Publish.Deny)
	// "allow: []" is an empty list (nothing), not a missing one (everything).
	require.NotNil(t, y.Users[1].Publish.Allow)
	assert.Empty(t, y.Users[1].Publish.Allow)
	assert.Nil(t, y.Users[1].Subscribe)
	assert.Nil(t, y.Users[2].Publish)
}

func TestParseRefusesWhatItDoesNotKnow(t *testing.T) {
	for name, data := range map[string]string{
		"misspelt yaml field": "users:\n  - user: a\n    token: t\n    publish:\n      alow: [\"/a\"]\n",
		"misspelt json field": `{"users": [{"user": "a", "token": "t", "publsh": {}}]}`,
		"json trailing data":  `{"users": []} {"users": []}`,
		"yaml second doc":     "users: []\n---\nusers: []\n",
		"empty":               "  \n",
		"json syntax":         `{"users": [`,
		"yaml wrong type":     "users: {a: 1}\n",
	} {
		_, err := Parse([]byte(data))
		assert.Error(t, err, name)
	}
}

// A malformed file must not put a token into an error, which heraldd logs.
func TestParseErrorsHideValues(t *testing.T) {
	_, err := Parse([]byte("users: top-secret-token\n"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "top-secret-token")
	assert.Contains(t, err.Error(), "value hidden")
}

func TestNewChecksUsers(t *testing.T) {
	hash := "$2a$04$2bWAidaUrnJ/SOmMrjQEdeBhzd98ppigLw2eVGzW12fEzluwsp5aq"
	for want, f := range map[string]File{
		"users[0]: user is empty":                {Users: []User{{Token: "t"}}},
		`users[1] "a": user named twice`:         {Users: []User{{Name: "a", Token: "t"}, {Name: "a", Token: "u"}}},
		`"a": has both token and token_bcrypt`:   {Users: []User{{Name: "a", Token: "t", TokenBcrypt: hash}}},
		`"a": needs a token or a token_bcrypt`:   {Users: []User{{Name: "a"}}},
		`"a": token_bcrypt is not a bcrypt hash`: {Users: []User{{Name: "a", TokenBcrypt: "plain-secret"}}},
		`"a": token_bcrypt has cost 31`:          {Users: []User{{Name: "a", TokenBcrypt: "$2a$31$F3V/KNuCXhFIe8RKm/kGFeRQRZBqoOkWLYvjEr0gURQYq4qKt6i7u"}}},
		`"a": publish.allow[1] "/a*"`:            {Users: []User{{Name: "a", Token: "t", Publish: &Rules{Allow: []string{"/a", "/a*"}}}}},
		`"a": subscribe.deny[0] "/>/x"`:          {Users: []User{{Name: "a", Token: "t", Subscribe: &Rules{Deny: []string{"/>/x"}}}}},
	} {
		_, err := New(&f)
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "plain-secret")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"auth.yaml": yamlFile, "auth.json": jsonFile} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
		a, err := Load(path)
		require.NoError(t, err, name)
		assert.Equal(t, 3, a.Len())
	}
	_, err := Load(filepath.Join(dir, "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("users:\n  - user: x\n"), 0o600))
	_, err = Load(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad)
}
