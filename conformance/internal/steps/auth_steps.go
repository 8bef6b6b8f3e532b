package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/cucumber/godog"
)

// RestrictedUserTag marks scenarios that need Settings.RestrictedUser: a
// user the server refuses every channel whose second segment is "forbidden"
// (publish and subscribe), and permits everything else.
const RestrictedUserTag = "@restricted-user"

func (w *world) registerAuthSteps(sc *godog.ScenarioContext) {
	sc.Before(w.needRestrictedUser)
	sc.Step(`^client "([^"]+)" is connected as the restricted user$`, w.connectedRestricted)
	sc.Step(`^"([^"]+)" sends HELLO as the runner's user with a wrong token$`, w.sendsWrongToken)
}

// needRestrictedUser skips, with the reason, a scenario that needs the
// restricted user when the runner was given none.
func (w *world) needRestrictedUser(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	if w.skip != "" || w.env.s.RestrictedUser != "" {
		return ctx, nil
	}
	for _, t := range sc.Tags {
		if t.Name == RestrictedUserTag {
			w.skip = "the runner has no --restricted-user: a user refused every channel whose second segment is \"forbidden\""
			w.env.Notef("SKIP %q: %s", sc.Name, w.skip)
			return ctx, fmt.Errorf("%w: %s", godog.ErrSkip, w.skip)
		}
	}
	return ctx, nil
}

func (w *world) connectedRestricted(name string) error {
	h := w.env.hello(name)
	h.User, h.Token = w.env.s.RestrictedUser, w.env.s.RestrictedToken
	_, err := w.connect(name, h)
	return err
}

func (w *world) sendsWrongToken(name string) error {
	if w.env.s.User == "" {
		return errors.New("the runner has no --user, which a server announcing auth needs")
	}
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	h := w.env.hello(name)
	h.Token = wrongToken(w.env.s.Token)
	return c.Send(h.Append(nil))
}

// wrongToken returns a token of the same length as token that differs from
// it in every byte.
func wrongToken(token string) string {
	if token == "" {
		return "not-the-token"
	}
	b := []byte(token)
	for i := range b {
		if b[i] == 'x' {
			b[i] = 'y'
		} else {
			b[i] = 'x'
		}
	}
	return string(b)
}
