package auth

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func mustParse(t *testing.T, data string) *Auth {
	t.Helper()
	f, err := Parse([]byte(data))
	require.NoError(t, err)
	a, err := New(f)
	require.NoError(t, err)
	return a
}

func TestAuthenticate(t *testing.T) {
	a := mustParse(t, yamlFile)
	for _, tc := range []struct {
		user, token string
		ok          bool
	}{
		{"alice", "alice-token", true},
		{"alice", "alice-token ", false},
		{"alice", "alice-toke", false},
		{"alice", "", false},
		{"alice", "bob-token", false},
		{"bob", "bob-token", true},
		{"bob", "bob-token2", false},
		{"bob", "", false},
		{"carol", "carol-token", true},
		{"mallory", "alice-token", false},
		{"mallory", "bob-token", false}, // the hash checked for unknown users is bob's
		{"", "", false},
	} {
		perms, err := a.Authenticate(tc.user, tc.token)
		if !tc.ok {
			assert.ErrorIs(t, err, ErrAuthFailed, "%s/%s", tc.user, tc.token)
			assert.Nil(t, perms)
			continue
		}
		require.NoError(t, err, "%s/%s", tc.user, tc.token)
		if tc.user == "carol" {
			assert.Nil(t, perms, "an unrestricted user gets nil permissions (no per-PUB check)")
		} else {
			assert.NotNil(t, perms)
		}
	}
}

// bcrypt reads 72 bytes; a longer token must not pass on its first 72.
func TestBcryptTokenLongerThan72Fails(t *testing.T) {
	tok := strings.Repeat("k", 72)
	h, err := bcrypt.GenerateFromPassword([]byte(tok), MinBcryptCost)
	require.NoError(t, err)
	a, err := New(&File{Users: []User{{Name: "u", TokenBcrypt: string(h)}}})
	require.NoError(t, err)
	_, err = a.Authenticate("u", tok)
	require.NoError(t, err)
	_, err = a.Authenticate("u", tok+"extra")
	assert.ErrorIs(t, err, ErrAuthFailed)
}

// htpasswd writes $2y$ hashes; they must work.
func TestBcrypt2yPrefix(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("tok"), MinBcryptCost)
	require.NoError(t, err)
	y := "$2y$" + string(h[4:])
	a, err := New(&File{Users: []User{{Name: "u", TokenBcrypt: y}}})
	require.NoError(t, err)
	_, err = a.Authenticate("u", "tok")
	assert.NoError(t, err)
}

func medianDuration(n int, f func()) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		f()
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return ds[n/2]
}

// An unknown user must cost a bcrypt check when the file has bcrypt users,
// so that timing does not tell which names exist. A bcrypt check at cost 6
// takes milliseconds, a SHA-256 comparison microseconds: the bound below
// tolerates a loaded machine by a factor of 10 and still fails by a factor
// of 100 if the unknown user skipped bcrypt.
func TestUnknownUserCostsABcryptCheck(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("tok"), 6)
	require.NoError(t, err)
	a, err := New(&File{Users: []User{{Name: "cheap", Token: "x"}, {Name: "u", TokenBcrypt: string(h)}}})
	require.NoError(t, err)
	known := medianDuration(5, func() { a.Authenticate("u", "wrong") })
	unknown := medianDuration(5, func() { a.Authenticate("nobody", "wrong") })
	assert.Greater(t, unknown, known/10, "unknown user %v, known user %v", unknown, known)
}

func TestPermissionsOfAUser(t *testing.T) {
	a := mustParse(t, yamlFile)
	p, ok := a.Permissions("alice")
	require.True(t, ok)
	assert.True(t, p.CanPublish([]byte("/orders/eu/new")))
	assert.False(t, p.CanPublish([]byte("/orders/admin/x")), "deny wins")
	assert.False(t, p.CanPublish([]byte("/billing/x")))
	assert.True(t, p.CanSubscribe([]byte("/orders/eu")))
	assert.True(t, p.CanSubscribe([]byte("/orders/*")))
	assert.False(t, p.CanSubscribe([]byte("/orders/>")), "wider than the allow list")
	assert.False(t, p.CanSubscribe([]byte("/orders/eu/new")))

	p, ok = a.Permissions("bob")
	require.True(t, ok)
	assert.False(t, p.CanPublish([]byte("/orders/eu/new")), "allow: [] allows nothing")
	assert.True(t, p.CanSubscribe([]byte("/>")), "no subscribe section allows everything")

	p, ok = a.Permissions("carol")
	assert.True(t, ok)
	assert.Nil(t, p)
	_, ok = a.Permissions("mallory")
	assert.False(t, ok)
}

// The examples of the package documentation.
func TestDocumentedSubscribeRules(t *testing.T) {
	p, err := NewPermissions(nil, &Rules{Deny: []string{"/orders/eu/secret"}})
	require.NoError(t, err)
	assert.False(t, p.CanSubscribe([]byte("/orders/*/secret")))
	assert.False(t, p.CanSubscribe([]byte("/>")))
	assert.True(t, p.CanSubscribe([]byte("/orders/us/secret")))
	assert.True(t, p.CanSubscribe([]byte("/orders/*/public")))
	assert.True(t, p.CanPublish([]byte("/orders/eu/secret")), "subscribe rules do not limit publishing")

	p, err = NewPermissions(&Rules{Allow: []string{}}, &Rules{Allow: []string{"/a/*", "/a/*/>"}})
	require.NoError(t, err)
	assert.True(t, p.CanSubscribe([]byte("/a/>")), "two allow patterns together cover /a/>")
	assert.False(t, p.CanSubscribe([]byte("/>")))
	assert.False(t, p.CanPublish([]byte("/a/b")))
}
