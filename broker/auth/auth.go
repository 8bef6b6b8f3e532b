package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/crypto/bcrypt"

	"github.com/heraldmq/herald/broker"
)

// ErrAuthFailed is what Authenticate returns for an unknown user or a wrong
// token; it says no more, on purpose.
var ErrAuthFailed = errors.New("herald: authentication failed")

// Bounds on the bcrypt cost of token_bcrypt: at cost 16 a check takes
// seconds, and every HELLO of that user (or of an unknown user) pays it.
const (
	MinBcryptCost = bcrypt.MinCost
	MaxBcryptCost = 16
)

// Auth is a broker.Authenticator and broker.Reauthorizer for the users of
// one auth file. It is immutable and safe for concurrent use; to change the
// users, make a new Auth and pass it to broker.Server.SetAuthenticator.
type Auth struct {
	users map[string]*user
	// unknown is checked instead of a user that does not exist, so that
	// refusing it costs as much as refusing a known user.
	unknown user
}

// user is one user's credential and permissions.
type user struct {
	sum   [sha256.Size]byte  // SHA-256 of the token, for a token user
	hash  []byte             // bcrypt hash of the token, for a bcrypt user
	perms broker.Permissions // nil: everything
}

var (
	_ broker.Authenticator = (*Auth)(nil)
	_ broker.Reauthorizer  = (*Auth)(nil)
)

// New checks f's users (a non-empty, unique name; exactly one of a
// non-empty token or a bcrypt hash of cost MinBcryptCost to MaxBcryptCost;
// valid patterns) and returns an Auth for them. Errors name the user, never
// the token.
func New(f *File) (*Auth, error) {
	a := &Auth{users: make(map[string]*user, len(f.Users))}
	maxCost := -1
	for i, fu := range f.Users {
		where := fmt.Sprintf("users[%d] %q", i, fu.Name)
		if fu.Name == "" {
			return nil, fmt.Errorf("users[%d]: user is empty", i)
		}
		if _, dup := a.users[fu.Name]; dup {
			return nil, fmt.Errorf("%s: user named twice", where)
		}
		u := &user{}
		switch {
		case fu.Token != "" && fu.TokenBcrypt != "":
			return nil, fmt.Errorf("%s: has both token and token_bcrypt; keep one", where)
		case fu.Token != "":
			u.sum = sha256.Sum256([]byte(fu.Token))
		case fu.TokenBcrypt != "":
			cost, err := bcrypt.Cost([]byte(fu.TokenBcrypt))
			if err != nil {
				return nil, fmt.Errorf("%s: token_bcrypt is not a bcrypt hash", where)
			}
			if cost < MinBcryptCost || cost > MaxBcryptCost {
				return nil, fmt.Errorf("%s: token_bcrypt has cost %d; want %d to %d", where, cost, MinBcryptCost, MaxBcryptCost)
			}
			u.hash = []byte(fu.TokenBcrypt)
			if cost > maxCost {
				maxCost, a.unknown.hash = cost, u.hash
			}
		default:
			return nil, fmt.Errorf("%s: needs a token or a token_bcrypt", where)
		}
		p, err := NewPermissions(fu.Publish, fu.Subscribe)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if !p.unrestricted() {
			u.perms = p
		}
		a.users[fu.Name] = u
	}
	if a.unknown.hash == nil {
		// A SHA-256 no token has: the comparison always fails.
		rand.Read(a.unknown.sum[:])
	}
	return a, nil
}

// Len returns the number of users.
func (a *Auth) Len() int { return len(a.users) }

// Authenticate checks a HELLO's user and token and returns the user's
// permissions (nil when the user may do everything), or ErrAuthFailed. It
// checks at most one bcrypt hash, and costs an unknown user what it costs a
// known one.
func (a *Auth) Authenticate(name, token string) (broker.Permissions, error) {
	u, known := a.users[name]
	if !known {
		u = &a.unknown
	}
	if !u.check(token) || !known {
		return nil, ErrAuthFailed
	}
	return u.perms, nil
}

// Permissions returns a user's permissions (nil when the user may do
// everything), and false if there is no such user.
func (a *Auth) Permissions(name string) (broker.Permissions, bool) {
	u, ok := a.users[name]
	if !ok {
		return nil, false
	}
	return u.perms, true
}

// maxBcryptToken is the longest token bcrypt reads whole.
const maxBcryptToken = 72

// bcryptSlots bounds the bcrypt checks running at once, across every Auth.
var bcryptSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// check reports whether token is u's, in time that does not depend on the
// token's content or length (bcrypt: on its cost alone).
func (u *user) check(token string) bool {
	if u.hash != nil {
		bcryptSlots <- struct{}{}
		defer func() { <-bcryptSlots }()
		// bcrypt reads only the first 72 bytes; a longer token cannot be the
		// one hashed (GenerateFromPassword refuses it), so it fails, after the
		// same work.
		ok := bcrypt.CompareHashAndPassword(u.hash, []byte(token)) == nil
		return ok && len(token) <= maxBcryptToken
	}
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], u.sum[:]) == 1
}
