package auth

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse feeds arbitrary bytes to the auth-file parser. Whatever it
// accepts must survive New, permission checks, and a JSON round trip
// unchanged. Crashers found are kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(yamlFile))
	f.Add([]byte(jsonFile))
	f.Add([]byte("users: []\n"))
	f.Add([]byte("users:\n  - user: a\n    token: t\n    subscribe: {allow: [\"/a/*\", \"/a/*/>\"], deny: [\"/a/x\"]}\n"))
	f.Add([]byte(`{"users": [{"user": "a", "token": "t", "publish": {"allow": null, "deny": ["/>"]}}]}`))
	f.Add([]byte("users: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(file)
		require.NoError(t, err)
		again, err := Parse(out)
		require.NoError(t, err, "%s", out)
		require.Equal(t, normalize(file), normalize(again))

		a, err := New(file)
		if err != nil {
			return
		}
		for _, u := range file.Users {
			p, ok := a.Permissions(u.Name)
			require.True(t, ok)
			if p == nil {
				continue
			}
			for _, ch := range []string{"/a", "/a/b", "/orders/eu/new"} {
				p.CanPublish([]byte(ch))
				p.CanSubscribe([]byte(ch))
			}
			for _, pat := range []string{"/>", "/*", "/a/*/>", "/*/*/*/*"} {
				p.CanSubscribe([]byte(pat))
			}
		}
	})
}

// normalize makes empty deny lists nil, since JSON omits both alike.
func normalize(f *File) *File {
	g := *f
	g.Users = append([]User(nil), f.Users...)
	for i := range g.Users {
		for _, r := range []**Rules{&g.Users[i].Publish, &g.Users[i].Subscribe} {
			if *r != nil && len((*r).Deny) == 0 {
				c := **r
				c.Deny = nil
				*r = &c
			}
		}
	}
	if len(g.Users) == 0 {
		g.Users = nil
	}
	return &g
}
