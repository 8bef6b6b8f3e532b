package broker

import (
	"bytes"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// Authenticator decides who may connect and what they may do (PROTOCOL.md
// 4.6, 6.6). Set Config.Auth to require credentials; the server then
// announces the capability "auth".
type Authenticator interface {
	// Authenticate checks the user and token a HELLO carries. It returns the
	// user's permissions, or an error to refuse the connection with ERR
	// auth_failed. It must take constant time in the token's content.
	Authenticate(user, token string) (Permissions, error)
}

// Permissions says what one authenticated user may do. A nil Permissions
// allows everything. Implementations must be safe for concurrent use and
// fast: CanPublish runs for every PUB whose channel differs from the
// connection's previous one.
type Permissions interface {
	// CanPublish reports whether the user may publish to channel.
	CanPublish(channel []byte) bool
	// CanSubscribe reports whether the user may subscribe to pattern.
	CanSubscribe(pattern []byte) bool
}

// Reauthorizer is implemented by an Authenticator that can give a connected
// user's current permissions without a token, so that SetAuthenticator can
// apply new permissions to live connections.
type Reauthorizer interface {
	// Permissions returns user's current permissions, and false if the user
	// no longer exists.
	Permissions(user string) (Permissions, bool)
}

// authState is a connection's identity and permissions.
type authState struct {
	user  string
	perms Permissions
}

// permCache remembers the last PUB channel checked, so that a stream of
// PUBs to one channel costs one check.
type permCache struct {
	state   *authState
	channel []byte
	ok      bool
}

// authenticate runs the server's Authenticator for a HELLO.
func (c *conn) authenticate(h *wire.Hello) *wire.Error {
	a := c.srv.authenticator()
	if a == nil {
		return nil
	}
	perms, err := a.Authenticate(h.User, h.Token)
	if err != nil {
		c.srv.stats.authFailures.Add(1)
		c.log.Warn("authentication failed", "user", h.User)
		return &wire.Error{Code: wire.CodeAuthFailed, Message: "authentication failed", RefOp: wire.OpHello}
	}
	c.auth.Store(&authState{user: h.User, perms: perms})
	// A reload that ran while Authenticate did (bcrypt takes a while) swept
	// the connections without this one: apply its permissions now.
	if cur := c.srv.authenticator(); cur != a {
		if re, ok := cur.(Reauthorizer); ok {
			p, ok := re.Permissions(h.User)
			if !ok {
				c.srv.stats.authFailures.Add(1)
				return &wire.Error{Code: wire.CodeAuthFailed, Message: "authentication failed", RefOp: wire.OpHello}
			}
			c.auth.Store(&authState{user: h.User, perms: p})
		}
	}
	return nil
}

// mayPublish checks a PUB's channel against the connection's permissions.
func (c *conn) mayPublish(channel []byte) bool {
	st := c.auth.Load()
	if st == nil || st.perms == nil {
		return true
	}
	pc := &c.permCache
	if pc.state == st && bytes.Equal(pc.channel, channel) {
		return pc.ok
	}
	pc.state, pc.channel, pc.ok = st, append(pc.channel[:0], channel...), st.perms.CanPublish(channel)
	return pc.ok
}

func (c *conn) maySubscribe(pattern []byte) bool {
	st := c.auth.Load()
	return st == nil || st.perms == nil || st.perms.CanSubscribe(pattern)
}

func (c *conn) denied(op wire.Op, sid uint32, channel []byte) {
	c.srv.stats.permissionDenied.Add(1)
	what := "publish to "
	if op == wire.OpSub {
		what = "subscribe to "
	}
	c.sendError(&wire.Error{Code: wire.CodePermissionDenied, Message: what + string(channel) + " not permitted",
		RefOp: op, RefSid: sid, RefChannel: string(channel)})
}

func (s *Server) authenticator() Authenticator {
	if p := s.auth.Load(); p != nil {
		return *p
	}
	return nil
}

// SetAuthenticator replaces the server's Authenticator, e.g. when heraldd
// reloads its auth file on SIGHUP, without dropping connections. When a is a
// Reauthorizer, every connected user gets its new permissions at once: a user
// that no longer exists is disconnected with ERR auth_failed, and a live
// subscription the new permissions forbid is ended with ERR
// permission_denied. Passing nil is refused while auth is in use, since the
// capability was announced.
func (s *Server) SetAuthenticator(a Authenticator) {
	if a == nil {
		return
	}
	s.auth.Store(&a)
	re, ok := a.(Reauthorizer)
	if !ok {
		return
	}
	for _, c := range s.snapshotConns() {
		st := c.auth.Load()
		if st == nil {
			continue
		}
		perms, ok := re.Permissions(st.user)
		if !ok {
			c.fail(&wire.Error{Code: wire.CodeAuthFailed, Message: "user " + st.user + " was removed"}, false)
			continue
		}
		c.auth.Store(&authState{user: st.user, perms: perms})
		c.enforceSubscriptions()
	}
}

// enforceSubscriptions ends every live subscription the connection's
// current permissions forbid.
func (c *conn) enforceSubscriptions() {
	c.subMu.Lock()
	var forbidden []*router.Sub
	for _, s := range c.subs {
		if !c.maySubscribe([]byte(s.Pattern)) {
			forbidden = append(forbidden, s)
		}
	}
	c.subMu.Unlock()
	for _, s := range forbidden {
		c.removeSub(s)
		c.sendError(&wire.Error{Code: wire.CodePermissionDenied, Message: "subscription to " + s.Pattern + " no longer permitted",
			RefOp: wire.OpSub, RefSid: s.Sid, RefChannel: s.Pattern})
	}
}
