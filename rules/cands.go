package rules

import (
	"math/bits"
	"slices"
)

// Deciding which rules match an article reads the posting list of each
// index key the article has. A key's entries are, in this order (see
// compiler.finish):
//
//	atomFloor ≤ v < 0    the atom ^v, to look for
//	runFloor < v < runTop
//	                     the key's run: runTop-v rules, which follow, each
//	                     the key alone (a word or a phrase, in the title
//	                     and the text) or an OR of such keys: they match
//	                     when the key is in the title or the text
//	runTop < v < pairTop
//	                     the key's pairs: pairTop-v of them, which follow,
//	                     two values each (see pairOf)
//	nearTag ≤ v < nearTag+maxInlineRule
//	                     the key's NEARs of two words: v-nearTag of them,
//	                     two values each (see nearOf); nearTag is an
//	                     inline plan's tag with an empty table, which no
//	                     inline plan has
//	v ≥ 0                rule v, to evaluate
//	v < atomFloor        an inline plan: four values, the rule with the
//	                     plan's form (see inlinePlan), then its three
//	                     operands
//
// A rule that is one plain word looked for in the title and the text is
// in no list: the word's slot in the dictionary holds it, and looking the
// word up decides it; the same is true of a plain phrase and its slot in
// the phrase trie. A key's other rules of that kind (people write "the"
// and "interest rates" as rules, many of them) are its run, with the ORs of
// plain words and phrases keyed by it: deciding them reads four bytes each
// and no operand, in a loop that tests nothing but the end of the run. A rule that is one other atom is
// kept with the atom, and decided once the atom is looked for. Most other rules have
// an inline plan: they are decided from their key's list, with no look at
// the rule itself. At 100,000 rules an article has hundreds of candidates,
// and fetching each one's plan from megabytes of them would cost more than
// deciding it. The other rules are collected once each, a bit per rule
// saying which already are, then evaluated.
// Every inline plan is decided the same way, without branches that depend
// on the rule: which rules match is not predictable, and a mispredicted
// branch costs as much as deciding a rule. Atoms and rules to evaluate are
// rare, and the loops that read them end at once on most lists.
//
// The rules that match are bits of m.matched, so that they are listed in
// order, each once, without sorting. Setting a bit is one read and one
// write; listing them reads the whole bitset, a word per 64 rules, which
// costs less than keeping a summary of its words that are not 0 once an
// article matches more than a rule per few hundred (see takeMatched).
//
// Inline plans are for the first maxInlineRule rules.
const (
	atomFloor     = -1 << 29
	pairTop       = atomFloor
	maxInlineRule = 1 << inlineTableShift
	runTop        = -1 << 30
	runFloor      = runTop - maxRunRule
	maxRunRule    = 1 << 29
)

// The kinds of index entries of rules, in the order of a posting list.
const (
	entryGeneral = iota // evaluated
	entrySlot           // decided by its word's slot or its phrase's trie node (see wslot.wrule, phraseNode.rule)
	entryAtom           // decided by its atom (see atom.rule0)
	entryInline         // decided by its inline plan
	entryRun            // decided by its key's presence, in the key's run
	entryPair           // decided by its key's presence and one operand (see pairOf)
	entryAlike          // decided as the first rule written alike is (see Set.sameOff)
	entryNear           // a NEAR of its key and one other word, decided by their tokens (see nearOf)
)

// pairOf returns the two values of the pair entry of rule r under dense key
// key, and whether it has one: its plan is an AND of two operands looked for
// in the title and the text, one of them the key itself, plain (a word or a
// phrase, whose presence in the title or the text is the key's) and not
// negated. The rule holds when the key is in the title or the text and the
// other operand is true, or false when it is negated: the entry is the rule,
// with bit 31 set when it is, and the other operand.
func (s *Set) pairOf(key, r int32) ([2]int32, bool) {
	p := &s.plans[r]
	if p.op != planAnd || p.n != 2 || !p.tt || r >= maxInlineRule {
		return [2]int32{}, false
	}
	d, nw := s.dict, int32(s.dict.words.len())
	isKey := func(x int32) bool {
		if x < nw {
			return x == key
		}
		at := &d.atoms[x-nw]
		return at.kind == atomPhrase && !at.exact && s.denseKey(at.key) == key
	}
	for k := range 2 {
		if p.neg>>k&1 == 0 && isKey(p.x[k]) {
			other := 1 - k
			head := uint32(r) | uint32(p.neg>>other&1)<<31
			return [2]int32{int32(head), p.x[other]}, true
		}
	}
	return [2]int32{}, false
}

// entryKind returns the kind of index entry of rule r, whose plan is p, in
// dictionary d of nw words.
func entryKind(r int32, p *plan, d *dictionary, nw int32) uint8 {
	if p.op == planAnd && p.n == 1 && p.neg == 0 && p.tt {
		if p.x[0] < nw {
			return entrySlot
		}
		return entryAtom
	}
	if p.op == planOr && p.neg == 0 && p.tt && r < maxRunRule {
		// An OR of plain words and phrases is true exactly when one of
		// its keys is in the title or the text: it is in the run of each
		// of them, as a rule that is one of them is.
		plain := true
		for _, x := range p.x[:p.n] {
			plain = plain && (x < nw || d.atoms[x-nw].kind == atomPhrase && !d.atoms[x-nw].exact)
		}
		if plain {
			return entryRun
		}
	}
	if _, ok := inlinePlan(r, p); ok {
		return entryInline
	}
	if p.op == planGeneral && p.need == needNear && r < maxInlineRule && p.raw[0] <= maxNearEntry {
		return entryNear
	}
	return entryGeneral
}

// nearOf returns the two values of the entry of rule r, a NEAR of two
// plain words (see entryNear), under the word key: the rule with the
// distance in the bits from inlineTableShift, and the other word, which
// may be the key itself. Deciding it then reads nothing of the rule.
func (s *Set) nearOf(key, r int32) [2]int32 {
	p := &s.plans[r]
	head := r | int32(p.raw[0])<<inlineTableShift
	if p.x[1] == key {
		return [2]int32{head, p.x[2]}
	}
	return [2]int32{head, p.x[1]}
}

// maxNearEntry is the greatest distance of a NEAR entry; a NEAR of two
// words farther apart is evaluated as other rules are.
const maxNearEntry = 1<<(31-inlineTableShift) - 1

// An inline plan's first value is the rule, with inlineTag set (which
// makes it less than atomFloor) and the plan as a truth table in the eight
// bits from inlineTableShift: bit t is set when the rule holds with t's
// bits 0, 1 and 2 saying which operands are true. Its operands are what a
// plan's are, as bits of m.tt (see plan); a plan with fewer than three
// repeats a positive one.
const (
	inlineTag        = 1 << 31
	inlineTableShift = 21
	nearTag          = -inlineTag // as an int32
)

// inlinePlan returns the four values of rule r's inline plan, and whether
// the rule has one: its plan is not general and every operand is looked
// for in the title and the text.
func inlinePlan(r int32, p *plan) ([4]int32, bool) {
	if p.op == planGeneral || !p.tt || r >= maxInlineRule {
		return [4]int32{}, false
	}
	pad := 0
	for pad < int(p.n) && p.neg>>pad&1 != 0 {
		pad++
	}
	if pad == int(p.n) {
		return [4]int32{}, false // no positive operand: not a rule that parses
	}
	// An AND holds when its operands are true and its negated ones false,
	// the repeats of the positive one true with it: at one t. An OR holds
	// when any is.
	table := uint32(1) << (7 ^ uint32(p.neg))
	if p.op == planOr {
		table = 0xfe
	}
	v := [4]int32{int32(uint32(r) | inlineTag | table<<inlineTableShift), p.x[pad], p.x[pad], p.x[pad]}
	copy(v[1:], p.x[:p.n])
	return v, true
}

// markCandidates finds the rules that match the article, without their
// hits, and leaves them in m.matched with those that load found: it reads
// the posting lists of the article's words, prefixes and feed, finds the
// occurrences of the atoms keyed by them (deciding the rules that are one
// atom), decides the rules with inline plans, then evaluates the others
// that a key made candidates, and those that have no index key.
func (m *matcher) markCandidates() {
	s := m.s
	m.cands = m.cands[:0]
	m.planQ = m.planQ[:0]
	m.pairQ = m.pairQ[:0]
	// Touch the posting lists first, both ends, for the processor to fetch
	// them all at once rather than one after the other (as in
	// tryCandidates). Most lists fit in one or two cache lines, so this
	// fetches the inline plans that decideInline reads too.
	sink := int32(0)
	for _, k := range m.keys {
		dw := &m.dws[k]
		sink += s.post[dw.post0] + s.post[dw.post1-1]
	}
	for _, k := range m.keys {
		dw := &m.dws[k]
		m.markKey(dw.post0, dw.post1, k, dw.mask&(kindTitle|kindText) != 0)
	}
	// The phrases found: their keys' lists, and the rules that are the
	// phrase alone, which match when it is in the title or the text.
	for _, h := range m.phits {
		if h.post0 < h.post1 {
			sink += s.post[h.post0] + s.post[h.post1-1]
		}
	}
	for _, h := range m.phits {
		if h.post0 < h.post1 {
			m.markKey(h.post0, h.post1, -1, h.mask&(kindTitle|kindText) != 0)
		}
		if h.rule >= 0 && h.mask&(kindTitle|kindText) != 0 {
			m.setMatched(h.rule)
		}
	}
	if len(m.prefHits) > 0 {
		m.prefs.each(func(p, _ int32) {
			k := s.prefixBase + p
			m.markKey(s.offs[k], s.offs[k+1], -1, false)
		})
	}
	if m.feedID >= 0 {
		k := s.feedBase + m.feedID
		m.markKey(s.offs[k], s.offs[k+1], -1, false)
	}
	m.markRules(s.always, 0)
	// The atoms' occurrences are found once their data is fetched, in
	// loops of their own for the loads to overlap: an atom, then its words.
	d := s.dict
	for _, q := range m.atomQ {
		sink += d.atoms[q.atom].w0
	}
	for _, q := range m.atomQ {
		sink += d.atomWords[d.atoms[q.atom].w0]
	}
	m.sink += sink
	for _, q := range m.atomQ {
		// The rules that are the atom alone match when it occurs in the
		// title or the text.
		if m.occurrencesAt(q.atom, q.key).mask&(kindTitle|kindText) != 0 {
			at := &d.atoms[q.atom]
			for _, r := range s.arules[at.rule0:at.rule1] {
				m.setMatched(r)
			}
		}
	}
	m.atomQ = m.atomQ[:0]
	m.decideInline()
	m.decidePairs()
	m.tryCandidates()
}

// markKey reads the posting list of a key the article has, Set.post[lo:hi],
// whose key is distinct word dw, or -1 for a phrase, a prefix or a feed
// name; tt says whether the key is in the title or the text.
func (m *matcher) markKey(lo, hi, dw int32, tt bool) {
	post := m.s.post[:hi]
	i := int(lo)
	for ; i < len(post) && post[i] < 0 && post[i] >= atomFloor; i++ {
		m.atomQ = append(m.atomQ, atomAt{^post[i], dw})
	}
	// The key's run: a count n (runTop-n), then n rules.
	if i < len(post) && uint32(runTop-post[i]) < maxRunRule {
		n := int(runTop - post[i])
		run := post[i+1 : i+1+n]
		i += 1 + n
		if tt {
			setRun(m.matched, run)
		}
	}
	// Its pairs, decided with the inline plans.
	if i < len(post) && uint32(pairTop-post[i]-1) < maxRunRule-1 {
		n := int(pairTop - post[i])
		if tt {
			m.pairQ = append(m.pairQ, int32(i+1), int32(i+1+2*n))
		}
		i += 1 + 2*n
	}
	// Its NEARs of two words: decided now, from the other word's bit
	// and, when it is there, the two words' tokens.
	if i < len(post) && uint32(post[i])-inlineTag < maxInlineRule {
		n := int(uint32(post[i]) - inlineTag)
		if tt {
			m.decideNears(post[i+1:i+1+2*n], dw)
		}
		i += 1 + 2*n
	}
	if i < len(post) && post[i] >= 0 {
		i = m.markRules(post, i)
	}
	if i < len(post) {
		m.planQ = append(m.planQ, int32(i), hi)
	}
}

// markRules collects the rules to evaluate from post[i:] and returns where
// they end. Every rule is written to the end of cands, which grows by one
// only when the rule's bit was clear.
func (m *matcher) markRules(post []int32, i int) int {
	n := len(m.cands)
	if need := n + len(post) - i; need > cap(m.cands) {
		m.cands = append(m.cands[:n], make([]int32, need-n)...)
	}
	cands, marks := m.cands[:cap(m.cands)], m.bits
	for ; i < len(post) && post[i] >= 0; i++ {
		r := post[i]
		w, b := r>>6, uint(r&63)
		old := marks[w]
		marks[w] = old | 1<<b
		cands[n] = r
		n += int(old>>b&1 ^ 1)
	}
	m.cands = cands[:n]
	return i
}

// decideNears decides the NEAR entries ns, two values each (see nearOf),
// of distinct word dw, which is in the title or the text.
func (m *matcher) decideNears(ns []int32, dw int32) {
	tt := m.tt
	for k := 1; k < len(ns); k += 2 {
		x := ns[k]
		if tt[x>>6]>>(x&63)&1 == 0 {
			continue
		}
		other, _ := m.dwOf(x)
		head := ns[k-1]
		if m.nearTokens(m.dws[dw].head, m.dws[other].head, kindTitle|kindText, kindTitle|kindText, head>>inlineTableShift) {
			m.setMatched(head & (maxInlineRule - 1))
		}
	}
}

// decidePairs decides the rules of the pairs of the keys marked, once
// every atom keyed by them has been looked for.
func (m *matcher) decidePairs() {
	post, pq := m.s.post, m.pairQ
	for k := 0; k+1 < len(pq); k += 2 {
		decidePairList(post[pq[k]:pq[k+1]], m.tt, m.matched)
	}
}

// decidePairList decides the pairs ps, two values each: a rule holds when
// its operand's bit of tt differs from the rule's bit 31. It is not
// inlined, for its loop to keep everything in registers.
//
//go:noinline
func decidePairList(ps []int32, tt, matched []uint64) {
	for i := 1; i < len(ps); i += 2 {
		head, x := uint32(ps[i-1]), uint32(ps[i])
		ok := (tt[x>>6]>>(x&63) ^ uint64(head>>31)) & 1
		r := head &^ (1 << 31)
		matched[r>>6] |= ok << (r & 63)
	}
}

// setRun records that the rules of a run match. It is not inlined, for its
// loop to keep everything in registers.
//
//go:noinline
func setRun(matched []uint64, run []int32) {
	for _, r := range run {
		u := uint32(r)
		matched[u>>6] |= 1 << (u & 63)
	}
}

// decideInline decides the rules with inline plans of the keys marked,
// once every atom keyed by them has been looked for.
func (m *matcher) decideInline() {
	post, tt, matched, pq := m.s.post, m.tt, m.matched, m.planQ
	for k := 0; k+1 < len(pq); k += 2 {
		// A key's plans as a slice of their own, their operands
		// unsigned: the loop keeps what it needs in registers.
		for ps := post[pq[k]:pq[k+1]]; len(ps) >= 4; ps = ps[4:] {
			head, x0, x1, x2 := uint32(ps[0]), uint32(ps[1]), uint32(ps[2]), uint32(ps[3])
			t := tt[x0>>6]>>(x0&63)&1 | tt[x1>>6]>>(x1&63)&1<<1 | tt[x2>>6]>>(x2&63)&1<<2
			ok := uint64(head>>(inlineTableShift+t)) & 1
			r := head & (maxInlineRule - 1)
			matched[r>>6] |= ok << (r & 63)
		}
	}
}

// setMatched records that rule r matches.
func (m *matcher) setMatched(r int32) { setMatchedIf(m.matched, uint32(r), 1) }

// setMatchedIf records in matched that rule r matches
// when ok is 1, and nothing when it is 0: deciding a rule sets its bit
// without a branch.
func setMatchedIf(matched []uint64, r uint32, ok uint64) {
	matched[r>>6] |= ok << (r & 63)
}

// tryCandidates evaluates the collected candidates and clears their bits.
func (m *matcher) tryCandidates() {
	plans, marks := m.s.plans, m.bits
	// Reading each candidate's plan in a loop of its own lets the processor
	// fetch many of them from memory at once, where evaluating the rules one
	// after the other would wait for each in turn.
	sink := int32(0)
	for _, r := range m.cands {
		sink += plans[r].x[0]
		marks[r>>6] = 0
	}
	m.sink += sink
	tt := m.tt
	for _, r := range m.cands {
		if p := &plans[r]; p.need != needNone {
			// A NEAR of two words: both must be there.
			x1, x2 := p.x[1], p.x[2]
			if (tt[x1>>6]>>(x1&63))&(tt[x2>>6]>>(x2&63))&1 == 0 {
				continue
			}
		}
		if m.holds(r) {
			m.setMatched(r)
		}
	}
}

// takeMatched appends the rules that match, in order, to dst and clears
// them; with all, each with the rules written alike, which the index left
// to it (see Set.sameOff), else without them. It reads every word of
// m.matched, one per 64 rules: that costs a few instructions per 64 rules,
// where keeping a summary of the words that are not 0 cost a few per match
// (see markCandidates). dst grows before takeWords, never in its loop,
// which has the registers to itself.
func takeMatched[T int | int32](m *matcher, dst []T, all bool) []T {
	var alike *Set
	if all && m.s.hasSame != nil {
		alike = m.s
	}
	for j := 0; j < len(m.matched); {
		if cap(dst)-len(dst) < 64 {
			dst = slices.Grow(dst, 64)
		}
		var k int
		k, j = takeWords(dst[len(dst):cap(dst)], m.matched, j, alike)
		dst = dst[:len(dst)+k]
	}
	return dst
}

// takeWords writes to out, in order, the rules whose bits are set in
// matched from word j on, and clears them, until out has room for fewer
// than 64 more; it returns how many it wrote and the word it stopped at.
// When alike is not nil, a rule whose bit is set first sets the bits of
// the rules written as it is, which come after it (see Set.sameOff).
//
//go:noinline
func takeWords[T int | int32](out []T, matched []uint64, j int, alike *Set) (int, int) {
	k := 0
	for ; j < len(matched); j++ {
		word := matched[j]
		if word == 0 {
			continue
		}
		if len(out)-k < 64 {
			break
		}
		if alike != nil {
			if x := word & alike.hasSame[j]; x != 0 {
				addAlike(matched, alike, j, x)
				word = matched[j] // some may be in this word
			}
		}
		matched[j] = 0
		b := T(j << 6)
		for ; word != 0; word &= word - 1 {
			out[k] = b | T(bits.TrailingZeros64(word))
			k++
		}
	}
	return k, j
}

// addAlike sets in matched the bits of the rules written as the rules of
// word j whose bits x has are.
func addAlike(matched []uint64, s *Set, j int, x uint64) {
	for ; x != 0; x &= x - 1 {
		r := j<<6 | bits.TrailingZeros64(x)
		setRun(matched, s.sameList[s.sameOff[r]:s.sameOff[r+1]])
	}
}

// recordAll records the rules in m.rules, which hold, with their hits.
func (m *matcher) recordAll() {
	// Fetch their plans and names first, all at once.
	s, sink := m.s, int32(0)
	for _, r := range m.rules {
		sink += s.plans[r].x[0] + int32(s.text[2*r])
	}
	m.sink += sink
	for _, r := range m.rules {
		m.record(r)
	}
}

// atomAt is an atom to look for, and the distinct word that is its index
// key, or -1 for a prefix or feed name.
type atomAt struct {
	atom, key int32
}
