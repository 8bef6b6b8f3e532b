package router

// node is one pattern segment in the subscription trie.
type node struct {
	parent   *node
	key      string // segment under parent ("*" and ">" for wildcard children)
	children map[string]*node
	star     *node // child for "*"
	full     *node // child for ">"
	subs     []*Sub
	sets     map[string]*rotSet // rotation sets ending here, by group
}

func (n *node) empty() bool {
	return len(n.children) == 0 && n.star == nil && n.full == nil && len(n.subs) == 0 && len(n.sets) == 0
}

// nextSeg returns the segment of p starting at i (just after a '/') and the
// index after it.
func nextSeg(p string, i int) (string, int) {
	j := i
	for j < len(p) && p[j] != '/' {
		j++
	}
	return p[i:j], j + 1
}

// insert returns the node for pattern p, creating nodes as needed.
func (n *node) insert(p string) *node {
	for i := 1; i <= len(p); {
		var seg string
		seg, i = nextSeg(p, i)
		var child *node
		switch seg {
		case "*":
			if n.star == nil {
				n.star = &node{parent: n, key: seg}
			}
			child = n.star
		case ">":
			if n.full == nil {
				n.full = &node{parent: n, key: seg}
			}
			child = n.full
		default:
			child = n.children[seg]
			if child == nil {
				if n.children == nil {
					n.children = make(map[string]*node)
				}
				child = &node{parent: n, key: seg}
				n.children[seg] = child
			}
		}
		n = child
	}
	return n
}

// prune removes n and its empty ancestors from the trie.
func (n *node) prune() {
	for n.parent != nil && n.empty() {
		p := n.parent
		switch {
		case p.star == n:
			p.star = nil
		case p.full == n:
			p.full = nil
		default:
			delete(p.children, n.key)
		}
		n = p
	}
}

// collect appends to p the subscriptions and rotation sets of every node
// whose pattern matches channel ch, starting at segment index i. It does not
// allocate beyond growing p's scratch slices.
func (n *node) collect(ch []byte, i int, p *Publisher) {
	if i > len(ch) {
		// All segments consumed: subscriptions ending here match.
		p.take(n)
		return
	}
	if n.full != nil {
		p.take(n.full)
	}
	j := i
	for j < len(ch) && ch[j] != '/' {
		j++
	}
	if n.children != nil {
		if c := n.children[string(ch[i:j])]; c != nil {
			c.collect(ch, j+1, p)
		}
	}
	if n.star != nil {
		n.star.collect(ch, j+1, p)
	}
}
