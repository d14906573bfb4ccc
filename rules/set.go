package rules

import (
	"slices"
	"strings"

	"herald/news"
)

// Rule is one topic as configured: a name, a query and optionally the feeds
// it is limited to.
type Rule struct {
	// Name identifies the rule in matches, alerts and subscriptions.
	Name string
	// Query is the rule in the query language.
	Query string
	// Feeds, when not empty, limits the rule to items of these feeds (compared case-insensitively).
	Feeds []string
}

// Set is a compiled, immutable set of rules. It is safe for concurrent use,
// so a configuration reload can swap in a new Set atomically while the old one
// still serves.
type Set struct {
	rules []compiledRule
	dict  *dictionary
}

// compiledRule is a rule ready to evaluate against the Set's dictionary.
type compiledRule struct {
	name  string
	feeds []string
	expr  *expr
}

// Compile parses every rule's query against the entities and builds a Set.
// It reports every rule that does not compile, as Errors, rather than only the
// first; each *Error carries the rule name and the byte offset in its query.
// Checking rule names for duplicates is left to the configuration.
func Compile(rules []Rule, entities []Entity) (*Set, error) {
	ents := newEntityTable(entities)
	s := &Set{dict: newDictionary()}
	var errs Errors
	for _, r := range rules {
		root, err := parse(r.Query, ents)
		if err != nil {
			err.Rule = r.Name
			errs = append(errs, err)
			continue
		}
		s.rules = append(s.rules, compiledRule{
			name:  r.Name,
			feeds: slices.Clone(r.Feeds),
			expr:  s.dict.compile(root),
		})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// Len returns the number of rules in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// Match returns the rules that match d, in configuration order, each with
// the hits that explain it: every occurrence of every term outside a NOT that
// helped make the rule true, in field order (title, then text) and text
// order. A nil Set matches nothing.
func (s *Set) Match(d Doc) []news.Match {
	if s == nil {
		return nil
	}
	m := newMatcher(d, s.dict)
	var out []news.Match
	for i := range s.rules {
		r := &s.rules[i]
		if !r.appliesTo(d.Feed) || !m.eval(r.expr) {
			continue
		}
		out = append(out, news.Match{Rule: r.name, Hits: m.hits(r.expr)})
	}
	return out
}

// appliesTo reports whether the rule covers items of the feed.
func (r *compiledRule) appliesTo(feed string) bool {
	if len(r.feeds) == 0 {
		return true
	}
	for _, f := range r.feeds {
		if strings.EqualFold(f, feed) {
			return true
		}
	}
	return false
}

// Query is one parsed query, such as a chat user's search.
type Query struct {
	text string
	root Node
	expr *expr
	dict *dictionary
}

// ParseQuery parses a single query against the entities. Its error is an
// *Error with an empty Rule.
func ParseQuery(q string, entities []Entity) (*Query, error) {
	root, err := parse(q, newEntityTable(entities))
	if err != nil {
		return nil, err
	}
	d := newDictionary()
	return &Query{text: q, root: root, expr: d.compile(root), dict: d}, nil
}

// Text returns the query as written.
func (q *Query) Text() string { return q.text }

// Root returns the query's tree, for callers that translate it.
func (q *Query) Root() Node { return q.root }

// String writes the query back with its grouping made explicit:
// "a OR b c" is "a OR (b AND c)".
func (q *Query) String() string { return q.root.String() }

// Match reports whether the query is true of d and, when it is, the hits
// that explain it, as Set.Match does for a rule.
func (q *Query) Match(d Doc) ([]news.Hit, bool) {
	m := newMatcher(d, q.dict)
	if !m.eval(q.expr) {
		return nil, false
	}
	return m.hits(q.expr), true
}

// dictionary interns the word sequences of every term in a Set, so that a
// sequence shared by many rules is looked for once per document. Its atom IDs
// are what a later index of rules by word keys on.
type dictionary struct {
	ids   map[string]int
	atoms []atom
}

// atom is one word sequence to find in a field; when prefix is set, the last
// word only has to begin the text's word.
type atom struct {
	words  []string
	prefix bool
}

func newDictionary() *dictionary {
	return &dictionary{ids: make(map[string]int)}
}

// intern returns the ID of the atom, adding it when new.
func (d *dictionary) intern(words []string, prefix bool) int {
	key := strings.Join(words, "\x00")
	if prefix {
		key += "\x00*"
	}
	if id, ok := d.ids[key]; ok {
		return id
	}
	id := len(d.atoms)
	d.ids[key] = id
	d.atoms = append(d.atoms, atom{words: words, prefix: prefix})
	return id
}

// exprOp is the operation of an expr node.
type exprOp uint8

const (
	opTerm exprOp = iota
	opAnd
	opOr
	opNot
)

// expr is a query tree compiled against a dictionary: each term refers to
// the atoms that make it true.
type expr struct {
	op    exprOp
	kids  []*expr
	term  *Term
	atoms []int
}

// compile turns a query tree into an expr, interning its terms.
func (d *dictionary) compile(n Node) *expr {
	switch n := n.(type) {
	case *Term:
		e := &expr{op: opTerm, term: n}
		for _, words := range n.Phrases {
			id := d.intern(words, n.Kind == PrefixTerm)
			if !slices.Contains(e.atoms, id) {
				e.atoms = append(e.atoms, id)
			}
		}
		return e
	case *Not:
		return &expr{op: opNot, kids: []*expr{d.compile(n.Node)}}
	case *And:
		return &expr{op: opAnd, kids: d.compileAll(n.Nodes)}
	case *Or:
		return &expr{op: opOr, kids: d.compileAll(n.Nodes)}
	}
	panic("rules: unknown query node")
}

func (d *dictionary) compileAll(ns []Node) []*expr {
	es := make([]*expr, len(ns))
	for i, n := range ns {
		es[i] = d.compile(n)
	}
	return es
}
