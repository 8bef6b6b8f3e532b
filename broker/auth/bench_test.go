package auth

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkCanPublish checks a channel against 20 allow and 5 deny
// patterns: the cost of a PUB whose channel differs from the connection's
// previous one (the broker caches the last answer).
func BenchmarkCanPublish(b *testing.B) {
	r := &Rules{Deny: []string{"/orders/admin/>", "/a/*/secret", "/x", "/y/>", "/z/*"}}
	for i := range 20 {
		r.Allow = append(r.Allow, fmt.Sprintf("/svc%d/*/events/>", i))
	}
	p, err := NewPermissions(r, nil)
	if err != nil {
		b.Fatal(err)
	}
	ch := []byte("/svc19/eu/events/new")
	for b.Loop() {
		if !p.CanPublish(ch) {
			b.Fatal("refused")
		}
	}
}

// BenchmarkCanSubscribe checks a wildcard pattern against the same lists.
func BenchmarkCanSubscribe(b *testing.B) {
	r := &Rules{Deny: []string{"/orders/admin/>", "/a/*/secret", "/x", "/y/>", "/z/*"}}
	for i := range 20 {
		r.Allow = append(r.Allow, fmt.Sprintf("/svc%d/*/events/>", i))
	}
	p, err := NewPermissions(nil, r)
	if err != nil {
		b.Fatal(err)
	}
	pat := []byte("/svc19/*/events/>")
	for b.Loop() {
		if !p.CanSubscribe(pat) {
			b.Fatal("refused")
		}
	}
}

// BenchmarkAuthenticate is one HELLO of a token user, and of a bcrypt user
// at cost 10 (what every HELLO of such a user, or of an unknown user in a
// file with bcrypt users, costs).
func BenchmarkAuthenticate(b *testing.B) {
	h, err := bcrypt.GenerateFromPassword([]byte("tok"), 10)
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(&File{Users: []User{{Name: "t", Token: "tok"}, {Name: "b", TokenBcrypt: string(h)}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, user := range []string{"t", "b"} {
		b.Run(user, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Authenticate(user, "tok"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
