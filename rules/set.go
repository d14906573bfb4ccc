package rules

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"herald/news"
)

// Rule is one topic as configured: a name, a query, and optionally an
// exclude query and the feeds it is limited to.
type Rule struct {
	// Name identifies the rule in matches, alerts and subscriptions.
	Name string
	// Query is the rule in the query language.
	Query string
	// Exclude, when not empty, is a query that stops the rule from firing
	// on an item it matches, as if the rule were "(Query) -(Exclude)".
	Exclude string
	// Feeds, when not empty, limits the rule to items of these feeds (compared case-insensitively).
	Feeds []string
}

// Set is a compiled, immutable set of rules. It is safe for concurrent use,
// so a configuration reload can swap in a new Set atomically while the old one
// still serves.
//
// All rules share one dictionary of words and phrases, and an index from
// each word, phrase, prefix and feed name to the rules that cannot match
// without it. Matching an article tokenizes it once, looks each distinct
// word up once, finds its phrases in one walk of the phrase trie, and
// decides only the rules that what it found may make true: a rule that is
// one word or one phrase when it is found, one that is one other atom when
// the atom is looked for, most others by an inline plan in
// the index (see markCandidates), the rest by walking their nodes. Hits
// are found afterwards, for the rules that match (see Match and Explain).
type Set struct {
	// The rules' names and queries, each back to back in one string, so
	// that the collector has two pointers to follow rather than two per
	// rule: text[2*r] and text[2*r+1] are where rule r's name and query
	// start in names and queries, and each ends where the next rule's
	// starts (text ends with the lengths).
	names, queries string
	text           []uint32
	plans          []plan     // by rule index: how each rule is decided
	feeds          [][]string // the feed lists of the rules limited to some, by their eRule node's cnt
	dict           *dictionary
	nodes          []enode
	atomList       []int32 // the atoms of eTerm nodes

	// The index: post[offs[k]:offs[k+1]] are the rules that need key k, where
	// a word's key is its ID, a prefix's is prefixBase plus its ID, a feed
	// name's feedBase plus its ID and a phrase's phraseBase plus its node in
	// the phrase trie, and the atoms keyed by it; see
	// markCandidates for how the entries are written.
	offs, post                       []int32
	prefixBase, feedBase, phraseBase int32
	always                           []int32 // rules that have no key, checked on every article
	arules                           []int32 // rules that are one atom, by atom (see atom.rule0)
	streams                          uint8   // the streams some term is looked for in
	eagerDw                          bool    // some NEAR entries: every article maps words to its own (see matcher.dwAt)

	// Rules written alike (the same query, exclude and feeds) are decided
	// once: only the first of them, its class's representative, is in the
	// index. sameOff[r]:sameOff[r+1] are the later rules like r, in
	// sameList, in order; hasSame has a bit per rule that has some. Both
	// are nil when no two rules are alike.
	sameOff, sameList []int32
	hasSame           []uint64

	pool sync.Pool // of *matcher
}

// Compile parses every rule's query and exclude against the entities and
// builds a Set. It reports every problem, as Errors, rather than only the
// first; each *Error carries the rule name, the field (query or exclude) and
// the byte offset in it. Checking rule names for duplicates is left to the
// configuration.
func Compile(rules []Rule, entities []Entity) (*Set, error) {
	s, errs := compile(rules, newEntityTable(entities))
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// compile builds a Set, or reports the rules that do not parse.
func compile(rules []Rule, ents *entityTable) (*Set, Errors) {
	s := &Set{
		dict:  newDictionary(len(rules)),
		text:  make([]uint32, 0, 2*len(rules)+2),
		plans: make([]plan, 0, len(rules)),
		nodes: make([]enode, 0, 3*len(rules)),
	}
	var names, queries strings.Builder
	nlen, qlen := 0, 0
	for _, r := range rules {
		nlen, qlen = nlen+len(r.Name), qlen+len(r.Query)
	}
	names.Grow(nlen)
	queries.Grow(qlen)
	p := &parser{entities: ents}
	c := &compiler{s: s, p: p, entities: make(map[int32][2]int32), pairs: make([]keyRule, 0, len(rules)+len(rules)/2)}
	var errs Errors
	alike := newAlikeTable(rules)
	var same []keyRule                      // (the first rule alike, a later one), in order
	roots := make([]keyRule, 0, len(rules)) // (query root, rule) of the rules to index
	for _, r := range rules {
		head := int32(len(s.nodes))
		first, seen := int32(-1), false
		if len(errs) == 0 {
			// Without errors so far, rule len(s.plans) is r.
			first, seen = alike.add(int32(len(s.plans)))
		}
		root, err := p.parse(r.Query)
		if err != nil {
			err.Rule, err.Field = r.Name, RuleQuery
			errs = append(errs, err)
		} else if len(errs) == 0 {
			s.nodes = append(s.nodes, enode{op: eRule, arg: -1, cnt: -1})
			root = c.emit(root)
		}
		if r.Exclude != "" {
			ex, xerr := p.parse(r.Exclude)
			if xerr != nil {
				xerr.Rule, xerr.Field = r.Name, RuleExclude
				errs = append(errs, xerr)
			} else if len(errs) == 0 {
				s.nodes[head].arg = c.emit(ex)
			}
		}
		if len(errs) > 0 {
			continue // keep parsing, to report every problem
		}
		if len(r.Feeds) > 0 {
			s.nodes[head].cnt = int32(len(s.feeds))
			s.feeds = append(s.feeds, slices.Clone(r.Feeds))
		}
		s.nodes[head].size = int32(len(s.nodes)) - head
		if seen {
			same = append(same, keyRule{first, int32(len(s.plans))})
		} else {
			roots = append(roots, keyRule{root, int32(len(s.plans))})
		}
		s.text = append(s.text, uint32(names.Len()), uint32(queries.Len()))
		names.WriteString(r.Name)
		queries.WriteString(r.Query)
		s.plans = append(s.plans, s.planOf(head))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	s.text = append(s.text, uint32(names.Len()), uint32(queries.Len()))
	s.names, s.queries = names.String(), queries.String()
	s.setAlike(same)
	// A rule's keys are chosen once every rule is known: the fewer rules
	// use a key, the better a key it is (see dictionary.keyWeight).
	s.dict.countUses(s.nodes, s.atomList, roots)
	for _, rr := range roots {
		c.index(rr.rule, rr.key)
	}
	s.dict.uses = nil
	c.finish()
	s.pool.New = func() any { return newMatcher(s) }
	return s, nil
}

// alikeTable finds the rules written alike: the same query, exclude and
// feeds, as written. It is an open-addressing table of rule indices, which
// costs 8 bytes a rule where a map of their texts would cost several
// times that.
type alikeTable struct {
	rules []Rule
	slots []int32 // one plus a rule's index; 0 when free
	seed  maphash.Seed
}

func newAlikeTable(rules []Rule) *alikeTable {
	size := 16
	for size < 2*len(rules) {
		size *= 2
	}
	return &alikeTable{rules: rules, slots: make([]int32, size), seed: maphash.MakeSeed()}
}

// add returns the first rule written as rule r is, and true, or adds r as
// the first of its kind.
func (t *alikeTable) add(r int32) (int32, bool) {
	rule := &t.rules[r]
	var h maphash.Hash
	h.SetSeed(t.seed)
	h.WriteString(rule.Query)
	h.WriteByte(0)
	h.WriteString(rule.Exclude)
	for _, f := range rule.Feeds {
		h.WriteByte(0)
		h.WriteString(f)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h.Sum64() & mask; ; i = (i + 1) & mask {
		k := t.slots[i]
		if k == 0 {
			t.slots[i] = r + 1
			return r, false
		}
		if o := &t.rules[k-1]; o.Query == rule.Query && o.Exclude == rule.Exclude && slices.Equal(o.Feeds, rule.Feeds) {
			return k - 1, true
		}
	}
}

// setAlike records the classes of rules written alike: same lists pairs
// (first rule of a class, a later one), the later ones in order.
func (s *Set) setAlike(same []keyRule) {
	if len(same) == 0 {
		return
	}
	n := len(s.plans)
	s.sameOff = make([]int32, n+1)
	s.hasSame = make([]uint64, (n+63)/64)
	for _, p := range same {
		s.sameOff[p.key+1]++
		s.hasSame[p.key>>6] |= 1 << (p.key & 63)
	}
	for r := 1; r <= n; r++ {
		s.sameOff[r] += s.sameOff[r-1]
	}
	s.sameList = make([]int32, len(same))
	fill := slices.Clone(s.sameOff[:n])
	for _, p := range same {
		s.sameList[fill[p.key]] = p.rule
		fill[p.key]++
	}
}

// Len returns the number of rules in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.plans)
}

// name returns the name of rule r.
func (s *Set) name(r int32) string { return s.names[s.text[2*r]:s.text[2*r+2]] }

// query returns the query of rule r.
func (s *Set) query(r int32) string { return s.queries[s.text[2*r+1]:s.text[2*r+3]] }

// Match returns the rules that match d, in configuration order, each with
// the hits that explain it: every occurrence of every term outside a NOT that
// helped make the rule true, in field order (title, text, tags, authors,
// feed) and text order. A nil Set matches nothing.
//
// Finding the hits costs more than deciding which rules match: a caller
// that needs the hits of only some of the rules that match should call
// Matching, then Explain.
func (s *Set) Match(d Doc) []news.Match {
	if s == nil || len(s.plans) == 0 {
		return nil
	}
	m := s.pool.Get().(*matcher)
	defer s.pool.Put(m)
	m.decide(&d)
	m.recordAll()
	return m.output()
}

// Matching appends to dst the indices of the rules that match d, in
// configuration order, and returns it: what Match finds, without the hits.
// Name gives a rule's name, Explain the hits. A nil Set matches nothing.
func (s *Set) Matching(d Doc, dst []int) []int { return s.matching(d, dst, true) }

// MatchingDistinct is Matching for a caller that handles rules written
// alike (the same query, exclude and feeds: many chats watching
// "ukraine") together: of each such class it appends only the first rule,
// when they match; Alike gives the others, which match exactly when it
// does. Its cost depends on the distinct queries that match, not on how
// many rules share them.
func (s *Set) MatchingDistinct(d Doc, dst []int) []int { return s.matching(d, dst, false) }

// matching is Matching, or with all false MatchingDistinct.
func (s *Set) matching(d Doc, dst []int, all bool) []int {
	if s == nil || len(s.plans) == 0 {
		return dst
	}
	m := s.pool.Get().(*matcher)
	defer s.pool.Put(m)
	dst = decideInto(m, &d, dst, all)
	m.release()
	return dst
}

// Alike returns the rules after rule r that are written as r is (the same
// query, exclude and feeds), in configuration order; they match exactly
// when r does, with the same hits. It is empty unless r is the first of
// such a class. The slice is the Set's: the caller must not change it.
func (s *Set) Alike(r int) []int32 {
	// The bit first: it is in a small bitset, where sameOff is 4 bytes a
	// rule, mostly not cached.
	if s == nil || s.hasSame == nil || s.hasSame[r>>6]>>(r&63)&1 == 0 {
		return nil
	}
	return s.sameList[s.sameOff[r]:s.sameOff[r+1]:s.sameOff[r+1]]
}

// Explain returns the matches of those of the rules, given by index in
// increasing order, that match d, with their hits, as Match gives them.
// It panics when an index is out of range.
func (s *Set) Explain(d Doc, rules []int) []news.Match {
	if s == nil || len(rules) == 0 {
		return nil
	}
	for k, r := range rules {
		if r < 0 || r >= len(s.plans) || k > 0 && r <= rules[k-1] {
			panic(fmt.Sprintf("rules: Explain: rule index %d out of range or out of order", r))
		}
	}
	m := s.pool.Get().(*matcher)
	defer s.pool.Put(m)
	m.decide(&d)
	for _, r := range rules {
		if _, ok := slices.BinarySearch(m.rules, int32(r)); ok {
			m.record(int32(r))
		}
	}
	return m.output()
}

// Name returns the name of rule i, an index that Matching gives.
func (s *Set) Name(i int) string { return s.name(int32(i)) }

// matchEach is Match without the index: it evaluates every rule, one by
// one, on the tokenized article. Tests compare the two.
func (s *Set) matchEach(d Doc) []news.Match {
	if s == nil || len(s.plans) == 0 {
		return nil
	}
	m := s.pool.Get().(*matcher)
	defer s.pool.Put(m)
	m.each(&d)
	m.recordAll()
	return m.output()
}

// matchingEach is Matching without the index, for benchmarks to compare.
func (s *Set) matchingEach(d Doc, dst []int) []int {
	m := s.pool.Get().(*matcher)
	defer s.pool.Put(m)
	m.each(&d)
	for _, r := range m.rules {
		dst = append(dst, int(r))
	}
	m.release()
	return dst
}

// decide loads d and leaves in m.rules the rules that match it, in order.
// It also finds the atoms that the rules' plans read, so that record can
// find any rule's hits.
func (m *matcher) decide(d *Doc) {
	m.rules = decideInto(m, d, m.rules[:0], true)
}

// decideInto is decide, appending the rules to dst; with all false, only
// the first of each class of rules written alike.
func decideInto[T int | int32](m *matcher, d *Doc, dst []T, all bool) []T {
	m.load(d)
	m.markCandidates()
	return takeMatched(m, dst, all)
}

// each leaves in m.rules the rules that hold of d, evaluating every one.
func (m *matcher) each(d *Doc) {
	// Deciding finds the atoms' occurrences, which the rules' plans need;
	// which rules it finds matching is dropped.
	m.decide(d)
	m.rules = m.rules[:0]
	for r := range m.s.plans {
		if m.holds(int32(r)) {
			m.rules = append(m.rules, int32(r))
		}
	}
}

// Query is one parsed query, such as a chat user's search.
type Query struct {
	text string
	root Node
	set  *Set
}

// ParseQuery parses a single query against the entities. Its error is an
// *Error with an empty Rule.
func ParseQuery(q string, entities []Entity) (*Query, error) {
	ents := newEntityTable(entities)
	p := &parser{entities: ents}
	root, err := p.parse(q)
	if err != nil {
		err.Field = RuleQuery
		return nil, err
	}
	set, errs := compile([]Rule{{Query: q}}, ents)
	if len(errs) > 0 {
		return nil, errs[0] // cannot happen: the query has just parsed
	}
	return &Query{text: q, root: p.toNode(root), set: set}, nil
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
	ms := q.set.Match(d)
	if len(ms) == 0 {
		return nil, false
	}
	return ms[0].Hits, true
}
