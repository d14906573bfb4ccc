package rules

import (
	"cmp"
	"slices"
	"strings"
)

// eop is the operation of a compiled node.
type eop uint8

const (
	eAtom eop = iota // a term with one atom
	eTerm            // a term with several atoms: an entity
	eAnd
	eOr
	eNot
	eNear
	eRule // a rule's header: its query follows it
)

// enode is one node of a compiled query. Every query of a Set lives in one
// slice of nodes, each node followed by its operands' subtrees in order, so
// a Set of 100,000 rules is a few large allocations rather than a million
// small ones.
type enode struct {
	op         eop
	mask       uint8 // eAtom, eTerm: the streams (kindTitle, …) the term is looked for in
	plain      bool  // eAtom: the atom is the word cnt, case-insensitive
	size       int32 // the nodes of this subtree, itself included
	arg        int32 // eAtom: the atom; eTerm: atomList[arg:arg+cnt]; eNear: the distance; eRule: the exclude's node, or -1
	cnt        int32 // eAtom: a word the atom needs, or -1; eTerm: the number of atoms; eRule: the rule's index in Set.feeds, or -1
	raw0, raw1 int32 // eAtom, eTerm: the term as written, as a range of the query
}

// compiler turns parsed queries into a Set's nodes and index.
type compiler struct {
	s        *Set
	p        *parser
	entities map[int32][2]int32 // entity*2+cased → range of atomList
	ids      []int32
	cased    []string
	buf      []byte
	keys     []int32   // scratch for required
	pairs    []keyRule // every rule's index keys
	seen     []enode   // the terms of the query being compiled, for rawOf
}

// keyRule says that rule needs key.
type keyRule struct {
	key, rule int32
}

// emit compiles node i of the parser's tree, appending it to the Set's
// nodes, and returns its index.
func (c *compiler) emit(i int32) int32 {
	if i == c.p.root {
		c.seen = c.seen[:0]
	}
	n := c.p.nodes[i]
	at := int32(len(c.s.nodes))
	switch n.op {
	case pTerm:
		c.s.nodes = append(c.s.nodes, c.term(&c.p.terms[n.a]))
	case pAnd, pOr:
		op := eAnd
		if n.op == pOr {
			op = eOr
		}
		c.s.nodes = append(c.s.nodes, enode{op: op})
		for _, k := range c.p.kids[n.a:n.b] {
			c.emit(k)
		}
	case pNot:
		c.s.nodes = append(c.s.nodes, enode{op: eNot})
		c.emit(n.a)
	case pNear:
		c.s.nodes = append(c.s.nodes, enode{op: eNear, arg: n.n})
		c.emit(n.a)
		c.emit(n.b)
	}
	c.s.nodes[at].size = int32(len(c.s.nodes)) - at
	return at
}

// term compiles a term into a node, interning its atoms.
func (c *compiler) term(tm *pterm) enode {
	d := c.s.dict
	e := enode{op: eAtom, size: 1, mask: tm.field.mask(), cnt: -1}
	e.raw0, e.raw1 = c.rawOf(tm)
	words := c.p.words[tm.w0:tm.w1]
	switch {
	case tm.field == fieldFeed:
		c.buf = c.buf[:0]
		for k, w := range words {
			if k > 0 {
				c.buf = append(c.buf, ' ')
			}
			c.buf = append(c.buf, c.p.norm(w)...)
		}
		name, ok := d.feedName(c.buf)
		if !ok {
			name = string(c.buf)
		}
		e.arg = d.feed(name)
	case tm.kind == EntityTerm:
		e.arg, e.cnt = c.entity(tm.entity, tm.cased)
		if e.cnt == 1 {
			e.arg, e.cnt = c.s.atomList[e.arg], -1
		} else {
			e.op = eTerm
		}
	case tm.kind == PrefixTerm:
		cased := ""
		if tm.cased {
			c.buf = appendCased(c.buf[:0], c.p.q[words[0].s0:words[0].s1])
			cased = string(c.buf)
		}
		e.arg = d.prefix(c.p.norm(words[0]), cased)
	default:
		c.ids, c.cased = c.ids[:0], c.cased[:0]
		for _, w := range words {
			c.ids = append(c.ids, d.word(c.p.norm(w)))
			if tm.cased {
				c.buf = appendCased(c.buf[:0], c.p.q[w.s0:w.s1])
				c.cased = append(c.cased, string(c.buf))
			}
		}
		var cased []string
		if tm.cased {
			cased = c.cased
		}
		e.arg = d.sequence(c.ids, cased)
	}
	if e.op == eAtom {
		// Most terms are one word, and the others need one: the node holds
		// it, so that evaluating the term seldom needs a look at the atom.
		if at := &d.atoms[e.arg]; at.kind == atomWord || at.kind == atomPhrase {
			e.cnt = d.atomWords[at.w0]
			e.plain = at.kind == atomWord && !at.exact
		}
	}
	return e
}

// rawOf returns the range of the query that writes the term. A term
// written twice in one query gets the range of its first writing, so that
// hits can compare terms by range rather than by text.
func (c *compiler) rawOf(tm *pterm) (int32, int32) {
	for _, e := range c.seen {
		if c.p.q[e.raw0:e.raw1] == tm.raw {
			return e.raw0, e.raw1
		}
	}
	e := enode{raw0: tm.pos, raw1: tm.pos + int32(len(tm.raw))}
	c.seen = append(c.seen, e)
	return e.raw0, e.raw1
}

// entity returns the range of atomList that holds the atoms of an entity's
// names, interning them the first time a Set uses the entity.
func (c *compiler) entity(e int32, cased bool) (int32, int32) {
	k := e * 2
	if cased {
		k++
	}
	if r, ok := c.entities[k]; ok {
		return r[0], r[1]
	}
	d := c.s.dict
	start := int32(len(c.s.atomList))
	for _, ph := range c.p.entities.list[e].phrases {
		c.ids = c.ids[:0]
		for _, w := range ph.words {
			c.ids = append(c.ids, d.wordString(w))
		}
		var exact []string
		if ph.exact || cased {
			exact = ph.cased
		}
		a := d.sequence(c.ids, exact)
		if !slices.Contains(c.s.atomList[start:], a) {
			c.s.atomList = append(c.s.atomList, a)
		}
	}
	r := [2]int32{start, int32(len(c.s.atomList)) - start}
	c.entities[k] = r
	return r[0], r[1]
}

// index records the keys of rule r, whose query is the subtree at root:
// an article without any of them cannot match it. A rule without such keys
// is checked on every article.
func (c *compiler) index(r int32, root int32) {
	c.keys = c.keys[:0]
	if _, ok := c.required(root); !ok {
		c.s.always = append(c.s.always, r)
		return
	}
	slices.Sort(c.keys)
	for k, key := range c.keys {
		if k == 0 || key != c.keys[k-1] {
			c.pairs = append(c.pairs, keyRule{key, r})
		}
	}
}

// required appends to c.keys a set of index keys such that node i can be
// true only in an article with at least one of them, and returns how
// selective the set is (see keyWeight); ok is false when there is no such
// set, as for a NOT. This is Lucene Monitor's term extraction: an OR needs
// one key of every branch, an AND only those of its most selective operand.
func (c *compiler) required(i int32) (weight int, ok bool) {
	e := &c.s.nodes[i]
	d := c.s.dict
	switch e.op {
	case eAtom:
		k := d.atoms[e.arg].key
		c.keys = append(c.keys, k)
		return d.keyWeight(k), true
	case eTerm:
		weight = 1 << 30
		for _, a := range c.s.atomList[e.arg : e.arg+e.cnt] {
			k := d.atoms[a].key
			c.keys = append(c.keys, k)
			weight = min(weight, d.keyWeight(k))
		}
		return weight, true
	case eOr:
		base := len(c.keys)
		weight = 1 << 30
		for j := i + 1; j < i+e.size; j += c.s.nodes[j].size {
			w, ok := c.required(j)
			if !ok {
				c.keys = c.keys[:base]
				return 0, false
			}
			weight = min(weight, w)
		}
		return weight, true
	case eAnd, eNear:
		base := len(c.keys)
		best0, best1, bestW := -1, -1, 0
		for j := i + 1; j < i+e.size; j += c.s.nodes[j].size {
			start := len(c.keys)
			w, ok := c.required(j)
			switch {
			case !ok:
				c.keys = c.keys[:start]
			case best0 < 0 || w > bestW || w == bestW && len(c.keys)-start < best1-best0:
				best0, best1, bestW = start, len(c.keys), w
			default:
				c.keys = c.keys[:start]
			}
		}
		if best0 < 0 {
			c.keys = c.keys[:base]
			return 0, false
		}
		n := copy(c.keys[base:], c.keys[best0:best1])
		c.keys = c.keys[:base+n]
		return bestW, true
	}
	return 0, false
}

// finish builds the index from the keys of every rule: for each key, in
// one flat slice, the rules that need it. The slice of a key also holds,
// as ^atom, the atoms other than plain words and feed names that the key
// is the key of: an article with the key has their occurrences found while
// its candidates are marked, so that an atom found in no memo is known to
// be absent, without a look at it (see matcher.planTruth).
func (c *compiler) finish() {
	s, d := c.s, c.s.dict
	for a := range d.atoms {
		// Plain words and plain phrases are found while the article is
		// loaded.
		if at := &d.atoms[a]; at.kind != atomFeed && ((at.kind != atomWord && at.kind != atomPhrase) || at.exact) {
			c.pairs = append(c.pairs, keyRule{at.key, ^int32(a)})
		}
	}
	nw, np := int32(d.words.len()), int32(len(d.prefixStr))
	for k := range s.plans {
		p := &s.plans[k]
		for j := range int(p.n) {
			if p.op != planGeneral && p.x[j] < 0 {
				p.x[j] = nw + ^p.x[j]
			}
		}
	}
	s.prefixBase, s.feedBase = nw, nw+np
	s.phraseBase = s.feedBase + int32(len(d.feedStr))
	nkeys := s.phraseBase + d.phrases.n
	// A word's slot holds its first rule that is the word alone (see
	// wslot.wrule); others like it are the word's run.
	kinds := make([]uint8, len(s.plans))
	wrule := make([]int32, nw)
	for k := range wrule {
		wrule[k] = -1
	}
	// A phrase's trie node likewise holds its first rule that is the
	// plain phrase alone (see phraseNode.rule).
	prule := make([]int32, d.phrases.n)
	for k := range prule {
		prule[k] = -1
	}
	// another is the kind of a rule that is one word or phrase, when its
	// slot holds another.
	another := func(r int32) uint8 {
		if r < maxRunRule {
			return entryRun
		}
		return entryGeneral
	}
	for _, r := range s.sameList {
		kinds[r] = entryAlike
	}
	for r := range s.plans {
		if kinds[r] == entryAlike {
			continue
		}
		kinds[r] = entryKind(int32(r), &s.plans[r], d, nw)
		switch kinds[r] {
		case entrySlot:
			if w := s.plans[r].x[0]; wrule[w] < 0 {
				wrule[w] = int32(r)
			} else {
				kinds[r] = another(int32(r))
			}
		case entryAtom:
			if at := &d.atoms[s.plans[r].x[0]-nw]; at.kind == atomPhrase && !at.exact {
				if node := at.key & keyMask; prule[node] < 0 {
					prule[node], kinds[r] = int32(r), entrySlot
				} else {
					kinds[r] = another(int32(r))
				}
			}
		}
	}
	// An atom holds its rules that are the atom alone, in order.
	for r := range s.plans {
		if kinds[r] == entryAtom {
			d.atoms[s.plans[r].x[0]-nw].rule1++
		}
	}
	n := int32(0)
	for a := range d.atoms {
		at := &d.atoms[a]
		at.rule0, at.rule1, n = n, n, n+at.rule1
	}
	s.arules = make([]int32, n)
	for r := range s.plans {
		if kinds[r] == entryAtom {
			at := &d.atoms[s.plans[r].x[0]-nw]
			s.arules[at.rule1] = int32(r)
			at.rule1++
		}
	}
	c.pairs = slices.DeleteFunc(c.pairs, func(p keyRule) bool {
		return p.rule >= 0 && (kinds[p.rule] == entrySlot || kinds[p.rule] == entryAtom)
	})
	// Each key's entries, in the order markKey reads them: atoms, the
	// key's run, rules to evaluate, inline plans (four values each).
	rank := [...]int64{entryRun: 0, entryPair: 1, entryNear: 2, entryGeneral: 3, entryInline: 4}
	order := func(r int32) int64 {
		if r < 0 {
			return -1<<32 | int64(^r)
		}
		return rank[kinds[r]]<<32 | int64(r)
	}
	// A key's run is a count (runTop minus it), then the rules; its pairs
	// a count (pairTop minus it), then two values each (see pairOf).
	offs := make([]int32, nkeys+1)
	runs := make([]int32, nkeys)
	npairs := make([]int32, nkeys)
	nnears := make([]int32, nkeys)
	for k := range c.pairs {
		key := s.denseKey(c.pairs[k].key)
		c.pairs[k].key = key
		size := int32(1)
		r := c.pairs[k].rule
		if r >= 0 && kinds[r] == entryInline {
			if _, ok := s.pairOf(key, r); ok {
				kinds[r], size = entryPair, 2
				npairs[key]++
			} else {
				size = 4
			}
		} else if r >= 0 && kinds[r] == entryRun {
			runs[key]++
		} else if r >= 0 && kinds[r] == entryNear {
			size = 2
			nnears[key]++
			s.eagerDw = true
		}
		offs[key+1] += size
	}
	for k := int32(1); k <= nkeys; k++ {
		offs[k] += offs[k-1]
		if runs[k-1] > 0 {
			offs[k]++
		}
		if npairs[k-1] > 0 {
			offs[k]++
		}
		if nnears[k-1] > 0 {
			offs[k]++
		}
	}
	// Bucket the entries by key, then put each key's in order.
	byKey := make([]int32, len(c.pairs))
	fill := make([]int32, nkeys+1)
	for k := range c.pairs {
		fill[c.pairs[k].key+1]++
	}
	for k := int32(1); k <= nkeys; k++ {
		fill[k] += fill[k-1]
	}
	for k := range c.pairs {
		key := c.pairs[k].key
		byKey[fill[key]] = c.pairs[k].rule
		fill[key]++
	}
	c.pairs = nil
	post := make([]int32, offs[nkeys])
	at, from := 0, int32(0)
	for key := range nkeys {
		group := byKey[from:fill[key]]
		from = fill[key]
		if len(group) > 1 {
			slices.SortFunc(group, func(a, b int32) int { return cmp.Compare(order(a), order(b)) })
		}
		for _, r := range group {
			switch {
			case r >= 0 && kinds[r] == entryInline:
				v, _ := inlinePlan(r, &s.plans[r])
				at += copy(post[at:], v[:])
			case r >= 0 && kinds[r] == entryNear:
				if n := nnears[key]; n > 0 {
					post[at] = nearTag + n
					at++
					nnears[key] = 0
				}
				v := s.nearOf(key, r)
				at += copy(post[at:], v[:])
			case r >= 0 && kinds[r] == entryPair:
				if n := npairs[key]; n > 0 {
					post[at] = pairTop - n
					at++
					npairs[key] = 0
				}
				v, _ := s.pairOf(key, r)
				at += copy(post[at:], v[:])
			case r >= 0 && kinds[r] == entryRun:
				if n := runs[key]; n > 0 {
					post[at] = runTop - n
					at++
					runs[key] = 0
				}
				post[at] = r
				at++
			default:
				post[at] = r
				at++
			}
		}
	}
	s.offs, s.post = offs, post
	for k := range d.words.slots {
		if sl := &d.words.slots[k]; sl.hash != 0 {
			sl.post0, sl.npost = offs[sl.id], uint16(min(offs[sl.id+1]-offs[sl.id], maxNPost))
			sl.wrule = wrule[sl.id]
		}
	}
	d.trie = buildTrie(d.prefixStr)
	d.phrases.finish(prule, offs[s.phraseBase:])
	// The maps that intern atoms and prefixes are for compiling only; the
	// Set keeps what matching needs, and little for the collector to scan.
	d.atomIDs, d.prefixes = nil, nil
	for _, e := range s.nodes {
		if e.op == eAtom || e.op == eTerm {
			s.streams |= e.mask
		}
	}
}

// denseKey turns a compile-time key into an index of offs.
func (s *Set) denseKey(k int32) int32 {
	switch k &^ keyMask {
	case keyPrefix:
		return s.prefixBase + k&keyMask
	case keyFeed:
		return s.feedBase + k&keyMask
	case keyPhrase:
		return s.phraseBase + k&keyMask
	}
	return k
}

// feedName returns the interned feed name equal to b, if any, so that the
// same name is not allocated twice.
func (d *dictionary) feedName(b []byte) (string, bool) {
	if fid, ok := d.feeds[string(b)]; ok {
		return d.feedStr[fid], true
	}
	return "", false
}

// foldName folds a feed name for comparison: its words, folded, joined by
// single spaces, so that "BBC World", "bbc-world" and "BBC  world" agree.
func foldName(dst []byte, t *tokenizer, name string) []byte {
	t.reset()
	t.run(name, 0)
	for k, tk := range t.toks {
		if k > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, t.arena[tk.norm0:tk.norm1]...)
	}
	return dst
}

// appliesTo reports whether a rule limited to feeds covers items of feed.
func appliesTo(feeds []string, feed string) bool {
	for _, f := range feeds {
		if strings.EqualFold(f, feed) {
			return true
		}
	}
	return false
}
