package auth

import (
	"fmt"

	"github.com/heraldmq/herald/spec/wire"
)

// Permissions is what one user may publish and subscribe to, compiled from
// two Rules. It implements broker.Permissions and is safe for concurrent
// use.
type Permissions struct {
	pub ruleSet
	sub ruleSet
}

// ruleSet is a compiled Rules.
type ruleSet struct {
	allowAll bool
	allow    [][]byte   // for matching channels
	deny     [][]byte   // for matching channels
	allowSeg [][]string // the same patterns as segments, for SUB checks
	denySeg  [][]string
}

// NewPermissions compiles publish and subscribe rules; a nil Rules allows
// everything. It reports the first invalid pattern, naming its list.
func NewPermissions(publish, subscribe *Rules) (*Permissions, error) {
	p := &Permissions{}
	var err error
	if p.pub, err = compile("publish", publish); err != nil {
		return nil, err
	}
	if p.sub, err = compile("subscribe", subscribe); err != nil {
		return nil, err
	}
	return p, nil
}

func compile(what string, r *Rules) (ruleSet, error) {
	rs := ruleSet{allowAll: r == nil || r.Allow == nil}
	if r == nil {
		return rs, nil
	}
	for i, p := range r.Allow {
		if !wire.ValidPattern([]byte(p)) {
			return rs, fmt.Errorf("%s.allow[%d] %q is not a valid pattern", what, i, p)
		}
		rs.allow = append(rs.allow, []byte(p))
		rs.allowSeg = append(rs.allowSeg, segments(p))
	}
	for i, p := range r.Deny {
		if !wire.ValidPattern([]byte(p)) {
			return rs, fmt.Errorf("%s.deny[%d] %q is not a valid pattern", what, i, p)
		}
		rs.deny = append(rs.deny, []byte(p))
		rs.denySeg = append(rs.denySeg, segments(p))
	}
	return rs, nil
}

// unrestricted reports whether p allows everything.
func (p *Permissions) unrestricted() bool {
	return p.pub.allowAll && len(p.pub.deny) == 0 && p.sub.allowAll && len(p.sub.deny) == 0
}

// CanPublish reports whether the user may publish to channel, a valid
// channel: some allow pattern matches it and no deny pattern does.
func (p *Permissions) CanPublish(channel []byte) bool {
	for _, d := range p.pub.deny {
		if wire.Match(d, channel) {
			return false
		}
	}
	if p.pub.allowAll {
		return true
	}
	for _, a := range p.pub.allow {
		if wire.Match(a, channel) {
			return true
		}
	}
	return false
}

// CanSubscribe reports whether the user may subscribe to pattern, a valid
// pattern: every channel it matches is permitted, that is, the allow
// patterns together cover it and no deny pattern matches any channel it
// matches.
func (p *Permissions) CanSubscribe(pattern []byte) bool {
	if p.sub.allowAll && len(p.sub.deny) == 0 {
		return true
	}
	segs := segments(string(pattern))
	for _, d := range p.sub.denySeg {
		if overlaps(segs, d) {
			return false
		}
	}
	return p.sub.allowAll || covers(segs, p.sub.allowSeg)
}
