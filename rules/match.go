package rules

import (
	"bytes"
	"cmp"
	"math"
	"slices"

	"herald/news"
)

// Doc is what rules are matched against: one article as plain text.
type Doc struct {
	// Feed is the name of the feed the article came from, as configured.
	Feed string
	// Title is the headline.
	Title string
	// Text is the body as plain text, paragraphs separated by blank lines.
	Text string
	// Tags are labels from the feed's configuration and the item's categories.
	Tags []string
	// Authors are the item's author names.
	Authors []string
}

// streamName names a stream in hits.
func streamName(kind uint8) string {
	switch kind {
	case kindTitle:
		return FieldTitle
	case kindText:
		return FieldText
	case kindTag:
		return FieldTag
	case kindAuthor:
		return FieldAuthor
	}
	return FieldFeed
}

// inst is one stream of words of an article: the title, the text, or one
// tag or author name. Phrases and NEAR never reach from one into another.
type inst struct {
	kind uint8
	src  string
}

// dword is one distinct word of an article.
type dword struct {
	a, b         int32 // the folded word: arena[a:b]
	hash         uint32
	id           int32 // in the Set's dictionary, or -1
	post0, post1 int32 // the rules that need the word: Set.post[post0:post1]
	head, tail   int32 // the first and last token of the word; tokens link by next
	mask         uint8 // the streams it occurs in
}

// span is an occurrence: tokens first through last of one stream.
type span struct {
	first, last int32
}

// memo is where an atom occurs, computed once per article.
type memo struct {
	off, n int32 // spans[off:off+n], in text order
	mask   uint8 // the streams of those spans
}

// hitRef is a hit before it is turned into a news.Hit: the term is a range
// of the rule's query, the same range wherever the query repeats the term.
type hitRef struct {
	span
	raw0, raw1 int32
}

// feedHit is the span of a feed: term's hit; it sorts after every word.
const feedHit = math.MaxInt32

// found is a matched rule and its hits, refs[r0:r1].
type found struct {
	rule, r0, r1 int32
}

// nearSpan is an occurrence of one operand of NEAR.
type nearSpan struct {
	span
	node int32 // the term's node, for its text; -1 once known to be near nothing
}

// matcher holds everything one Match needs. Matchers are pooled by their
// Set, so after warming up, matching an article allocates only its result.
type matcher struct {
	s    *Set
	feed string // the article's feed, as given

	tk    tokenizer
	insts []inst
	dws   []dword
	slots []int32 // open-addressing table of dws by hash: index+1, 0 when free
	// dwAt has, by dictionary word ID, one plus the word's index in dws,
	// once idsBuilt, and 0 for the words the article lacks. A Set with
	// NEAR entries (see Set.eagerDw) has it filled while the words are
	// looked up, as every article needs it; others on first use.
	dwAt     []int32
	idsBuilt bool
	feedID   int32 // the article's feed among the dictionary's names, or -1
	name     []byte
	nameTk   tokenizer

	prefHits []prefHit
	prefs    idMap // prefix ID → index+1 in prefHits of its last hit

	bits    []uint64 // candidate rules
	matched []uint64 // matching rules (see markCandidates)
	memo    idMap    // atom → index in memos
	memos   []memo
	spans   []span
	cased   []byte

	nearA, nearB []nearSpan
	refs         []hitRef
	found        []found
	keys         []int32  // the distinct words whose posting lists are not empty
	cands        []int32  // the rules to evaluate
	planQ        []int32  // the inline plans of the keys marked: Set.post[planQ[2k]:planQ[2k+1]]
	pairQ        []int32  // the pairs of the keys marked, likewise
	rules        []int32  // the rules that match, in order
	atomQ        []atomAt // the atoms to look for
	// tt has a bit per plan operand (see plan): set when it occurs in the
	// title or the text. It is a few kilobytes, where a byte or a map entry
	// per word would be hundreds, so that deciding a plan's operands finds
	// it cached; ttSet lists the operands set, to clear them.
	tt    []uint64
	ttSet []int32
	// The phrase keys the article has (see findPhrases): phits, their
	// occurrences in pspans; pat has, by trie node, one plus the index in
	// phits of the node's hit, 0 for the nodes the article lacks.
	phits   []phraseHit
	pspans  []pspan
	pat     []int32
	pstarts []int32 // where phrases may begin: token, slot of its first edge
	sink    int32   // keeps the prefetching loads of candidates from being optimised away
}

// prefHit says that distinct word dw begins with a prefix; the hits of one
// prefix are linked through prev.
type prefHit struct {
	dw, prev int32
}

func newMatcher(s *Set) *matcher {
	words := (len(s.plans) + 63) / 64
	m := &matcher{s: s, bits: make([]uint64, words), matched: make([]uint64, words)}
	m.tt = make([]uint64, (s.dict.words.len()+len(s.dict.atoms)+64)/64)
	m.pat = make([]int32, s.dict.phrases.n)
	if s.eagerDw {
		m.dwAt = make([]int32, s.dict.words.len())
	}
	return m
}

// load tokenizes the article and finds its distinct words in the
// dictionary, which decides the rules that are one word: they are set in
// m.matched, as markCandidates sets the others, and takeMatched takes them
// and leaves the matcher clean for the next article (see decide).
func (m *matcher) load(d *Doc) {
	s := m.s
	m.feed = d.Feed
	m.feedID = -1
	if len(s.dict.feedStr) > 0 {
		m.name = foldName(m.name[:0], &m.nameTk, d.Feed)
		if id, ok := s.dict.feeds[string(m.name)]; ok {
			m.feedID = id
		}
	}
	m.tk.reset()
	m.insts = m.insts[:0]
	m.add(kindTitle, d.Title)
	m.add(kindText, d.Text)
	if s.streams&kindTag != 0 {
		for _, t := range d.Tags {
			m.add(kindTag, t)
		}
	}
	if s.streams&kindAuthor != 0 {
		for _, a := range d.Authors {
			m.add(kindAuthor, a)
		}
	}
	for _, x := range m.ttSet {
		m.tt[x>>6] = 0
	}
	m.ttSet = m.ttSet[:0]
	m.distinct()
	m.memo.reset(64)
	m.memos, m.spans, m.refs, m.found = m.memos[:0], m.spans[:0], m.refs[:0], m.found[:0]
	m.findPhrases()
	m.prefHits = m.prefHits[:0]
	if len(s.dict.prefixStr) > 0 {
		m.prefs.reset(16)
		arena := m.tk.arena
		for k := range m.dws {
			dw := &m.dws[k]
			s.dict.trie.walk(arena[dw.a:dw.b], func(p int32) {
				prev, _ := m.prefs.get(p)
				m.prefHits = append(m.prefHits, prefHit{dw: int32(k), prev: prev - 1})
				m.prefs.put(p, int32(len(m.prefHits)))
			})
		}
	}
}

func (m *matcher) add(kind uint8, src string) {
	m.insts = append(m.insts, inst{kind: kind, src: src})
	m.tk.run(src, int32(len(m.insts)-1))
}

// distinct groups the tokens by word, chaining each word's tokens in text
// order, then looks every distinct word up in the dictionary once.
func (m *matcher) distinct() {
	toks, arena := m.tk.toks, m.tk.arena
	size := 64
	for size < 2*len(toks) {
		size *= 2
	}
	if cap(m.slots) < size {
		m.slots = make([]int32, size)
	}
	m.slots = m.slots[:size]
	clear(m.slots)
	mask := uint32(size - 1)
	if m.idsBuilt {
		for k := range m.dws { // the last article's
			if id := m.dws[k].id; id >= 0 {
				m.dwAt[id] = 0
			}
		}
		m.idsBuilt = false
	}
	m.dws = m.dws[:0]
	for i := range toks {
		t := &toks[i]
		w := arena[t.norm0:t.norm1]
		h := hashWord(w)
		kind := m.insts[t.inst].kind
		for slot := h & mask; ; slot = (slot + 1) & mask {
			k := m.slots[slot]
			if k == 0 {
				m.dws = append(m.dws, dword{a: t.norm0, b: t.norm1, hash: h, id: -1, head: int32(i), tail: int32(i), mask: kind})
				m.slots[slot] = int32(len(m.dws))
				t.dw = int32(len(m.dws) - 1)
				break
			}
			dw := &m.dws[k-1]
			if dw.hash == h && bytes.Equal(arena[dw.a:dw.b], w) {
				toks[dw.tail].next = int32(i)
				dw.tail = int32(i)
				dw.mask |= kind
				t.dw = k - 1
				break
			}
		}
	}
	// With many rules the dictionary is megabytes: a first loop touches the
	// slot of every word, loads independent of each other that the
	// processor overlaps, so that the lookups proper find them cached.
	words := &m.s.dict.words
	mask = uint32(len(words.slots) - 1)
	sink := uint32(0)
	for k := range m.dws {
		sink += words.slots[m.dws[k].hash&mask].hash
	}
	m.sink += int32(sink)
	eager := m.s.eagerDw
	// keys lists the distinct words whose posting lists are not empty:
	// each is written, and counted when its list is not.
	if cap(m.keys) < len(m.dws) {
		m.keys = make([]int32, len(m.dws))
	}
	keys, nkeys := m.keys[:len(m.dws)], 0
	for k := range m.dws {
		dw := &m.dws[k]
		if sl := findWord(words, arena[dw.a:dw.b], dw.hash); sl != nil {
			dw.id, dw.post0, dw.post1 = sl.id, sl.post0, sl.post0+int32(sl.npost)
			if sl.npost == maxNPost {
				dw.post1 = m.s.offs[sl.id+1]
			}
			keys[nkeys] = int32(k)
			nkeys += int(uint32(-int32(sl.npost)) >> 31) // 1 when npost > 0
			// The rule that is this word alone matches when the word is
			// in the title or the text: tt is 1 then, else 0 (kindTitle
			// is 1, kindText 2), and a word without such a rule sets
			// rule 0's bit to what it was.
			tt := uint64(dw.mask|dw.mask>>1) & 1
			r := sl.wrule &^ (sl.wrule >> 31) // max(wrule, 0), which would branch
			tt &= uint64(^sl.wrule) >> 63
			setMatchedIf(m.matched, uint32(r), tt)
			if dw.mask&(kindTitle|kindText) != 0 {
				m.setTT(sl.id)
			}
			if eager {
				m.dwAt[sl.id] = int32(k) + 1
			}
		}
	}
	m.idsBuilt = eager
	m.keys = keys[:nkeys]
	for i := range toks {
		toks[i].id = m.dws[toks[i].dw].id
	}
}

// holds reports whether rule r is true of the article. The atoms keyed by
// the article's keys must have been looked for (see markCandidates).
func (m *matcher) holds(r int32) bool {
	s := m.s
	p := &s.plans[r]
	if p.op != planGeneral {
		_, ok := m.planTruth(p)
		return ok
	}
	h := p.x[0]
	hd := &s.nodes[h]
	return (hd.cnt < 0 || appliesTo(s.feeds[hd.cnt], m.feed)) && m.eval(h+1) && !(hd.arg >= 0 && m.eval(hd.arg))
}

// record records rule r, which holds, with its hits.
func (m *matcher) record(r int32) {
	s := m.s
	p := &s.plans[r]
	if p.op != planGeneral {
		use, _ := m.planTruth(p)
		m.planHits(r, p, use)
		return
	}
	r0 := int32(len(m.refs))
	m.explain(p.x[0] + 1)
	if len(m.refs)-int(r0) > 1 {
		m.sortRefs(r0)
	}
	m.found = append(m.found, found{rule: r, r0: r0, r1: int32(len(m.refs))})
}

// release drops the matcher's references to the article, so that a pooled
// matcher does not keep it from the collector.
func (m *matcher) release() {
	m.feed = ""
	clear(m.insts)
}

// output builds the matches, all hits in one allocation.
func (m *matcher) output() []news.Match {
	defer m.release()
	if len(m.found) == 0 {
		return nil
	}
	hits := make([]news.Hit, len(m.refs))
	out := make([]news.Match, len(m.found))
	toks := m.tk.toks
	s := m.s
	sink := uint32(0)
	for _, f := range m.found {
		sink += s.text[2*f.rule] // fetch ahead, as in tryCandidates
	}
	m.sink += int32(sink)
	for k, f := range m.found {
		query := s.query(f.rule)
		for j := f.r0; j < f.r1; j++ {
			r := &m.refs[j]
			h := &hits[j]
			h.Term = query[r.raw0:r.raw1]
			if r.first == feedHit {
				h.Field, h.Text = FieldFeed, m.feed
				continue
			}
			in := &m.insts[toks[r.first].inst]
			h.Field, h.Text = streamName(in.kind), in.src[toks[r.first].start:toks[r.last].end]
		}
		out[k] = news.Match{Rule: s.name(f.rule), Hits: hits[f.r0:f.r1:f.r1]}
	}
	return out
}

// eval reports whether node i is true of the article.
func (m *matcher) eval(i int32) bool {
	nodes := m.s.nodes
	e := &nodes[i]
	switch e.op {
	case eAtom:
		if e.cnt >= 0 {
			dw, ok := m.dwOf(e.cnt)
			if !ok || m.dws[dw].mask&e.mask == 0 {
				return false
			}
			if e.plain {
				return true
			}
		}
		return m.atomMask(e.arg)&e.mask != 0
	case eTerm:
		for _, a := range m.s.atomList[e.arg : e.arg+e.cnt] {
			if m.atomMask(a)&e.mask != 0 {
				return true
			}
		}
		return false
	case eAnd:
		for j := i + 1; j < i+e.size; j += nodes[j].size {
			if !m.eval(j) {
				return false
			}
		}
		return true
	case eOr:
		for j := i + 1; j < i+e.size; j += nodes[j].size {
			if m.eval(j) {
				return true
			}
		}
		return false
	case eNot:
		return !m.eval(i + 1)
	case eNear:
		if ok, quick := m.nearWords(i); quick {
			return ok
		}
		return m.near(i, false)
	}
	return false
}

// nearWords decides NEAR node i when both its operands are plain words
// (the common case, "tariffs NEAR/5 steel"): it walks the two words'
// occurrences, which are in text order, side by side, with no list to
// build or sort. quick is false for other operands, which near decides.
func (m *matcher) nearWords(i int32) (ok, quick bool) {
	nodes, d := m.s.nodes, m.s.dict
	left := i + 1
	right := left + nodes[left].size
	a, b := &nodes[left], &nodes[right]
	if a.op != eAtom || b.op != eAtom {
		return false, false
	}
	aa, ab := &d.atoms[a.arg], &d.atoms[b.arg]
	if aa.kind != atomWord || aa.exact || ab.kind != atomWord || ab.exact {
		return false, false
	}
	da, oka := m.dwOf(d.atomWords[aa.w0])
	if !oka || m.dws[da].mask&a.mask == 0 {
		return false, true
	}
	db, okb := m.dwOf(d.atomWords[ab.w0])
	if !okb || m.dws[db].mask&b.mask == 0 {
		return false, true
	}
	return m.nearTokens(m.dws[da].head, m.dws[db].head, a.mask, b.mask, nodes[i].arg), true
}

// nearTokens reports whether an occurrence of one word, its tokens linked
// from p, in the streams of maskA, and one of another, from q, in maskB,
// are at most n words apart in one field; p and q may be the same word,
// whose occurrences are then on both sides. Of all the pairs, the nearest
// are next to each other in text order (a field's tokens are contiguous),
// so comparing neighbours is enough.
func (m *matcher) nearTokens(p, q int32, maskA, maskB uint8, n int32) bool {
	toks, insts := m.tk.toks, m.insts
	last, lastSides := int32(-1), uint8(0) // the previous occurrence, and its sides (1, 2 or 3)
	for p >= 0 || q >= 0 {
		t := p
		if p < 0 || q >= 0 && q < p {
			t = q
		}
		kind, sides := insts[toks[t].inst].kind, uint8(0)
		if t == p {
			if kind&maskA != 0 {
				sides |= 1
			}
			p = toks[p].next
		}
		if t == q {
			if kind&maskB != 0 {
				sides |= 2
			}
			q = toks[q].next
		}
		if sides == 0 {
			continue
		}
		if last >= 0 && lastSides|sides == 3 && t-last-1 <= n && toks[t].inst == toks[last].inst {
			return true
		}
		last, lastSides = t, sides
	}
	return false
}

// atomMask returns the streams atom a occurs in.
func (m *matcher) atomMask(a int32) uint8 {
	at := &m.s.dict.atoms[a]
	switch {
	case at.kind == atomWord && !at.exact:
		// The common case needs no memo: the word's streams are known.
		if dw, ok := m.dwOf(m.s.dict.atomWords[at.w0]); ok {
			return m.dws[dw].mask
		}
		return 0
	case at.kind == atomFeed:
		if m.s.dict.atomWords[at.w0] == m.feedID {
			return kindFeed
		}
		return 0
	}
	return m.occurrences(a).mask
}

// dwOf returns the distinct word of the article whose dictionary ID is id.
// The map is built on first use: deciding most rules does not need it.
func (m *matcher) dwOf(id int32) (int32, bool) {
	if !m.idsBuilt {
		m.idsBuilt = true
		if m.dwAt == nil {
			m.dwAt = make([]int32, m.s.dict.words.len())
		}
		for k := range m.dws {
			if dw := &m.dws[k]; dw.id >= 0 {
				m.dwAt[dw.id] = int32(k) + 1
			}
		}
	}
	k := m.dwAt[id]
	return k - 1, k != 0
}

// occurrences returns where atom a occurs, finding it on first use.
func (m *matcher) occurrences(a int32) memo { return m.occurrencesAt(a, -1) }

// occurrencesAt is occurrences where key, when not -1, is the distinct word
// that is the atom's index key.
func (m *matcher) occurrencesAt(a, key int32) memo {
	if k, ok := m.memo.get(a); ok {
		return m.memos[k]
	}
	at := &m.s.dict.atoms[a]
	if at.kind == atomPhrase && !at.exact {
		mo, ok := m.phraseMemo(at)
		if ok {
			m.memo.put(a, int32(len(m.memos)))
			m.memos = append(m.memos, mo)
		}
		return mo
	}
	off := int32(len(m.spans))
	switch at.kind {
	case atomWord:
		m.findWord(at, key)
	case atomPhrase:
		m.findPhrase(at)
	case atomPrefix:
		m.findPrefix(at)
	}
	mo := memo{off: off, n: int32(len(m.spans)) - off}
	for _, sp := range m.spans[off:] {
		mo.mask |= m.insts[m.tk.toks[sp.first].inst].kind
	}
	m.memo.put(a, int32(len(m.memos)))
	if mo.mask&(kindTitle|kindText) != 0 {
		m.setTT(int32(m.s.dict.words.len()) + a)
	}
	m.memos = append(m.memos, mo)
	return mo
}

// findWord appends the occurrences of a one-word atom; dw is its word's
// distinct word, or -1 when not known yet.
func (m *matcher) findWord(at *atom, dw int32) {
	if dw < 0 {
		var ok bool
		if dw, ok = m.dwOf(m.s.dict.atomWords[at.w0]); !ok {
			return
		}
	}
	toks := m.tk.toks
	for p := m.dws[dw].head; p >= 0; p = toks[p].next {
		if at.exact && !m.casedIs(p, m.s.dict.cased[at.x0], false) {
			continue
		}
		m.spans = append(m.spans, span{p, p})
	}
}

// findPhrase appends the occurrences of an exact phrase: where its words
// follow each other in one stream, capitalised as it says. It walks the
// occurrences of its plain phrase, which findPhrases found.
func (m *matcher) findPhrase(at *atom) {
	ids := m.s.dict.atomWordIDs(at)
	k, ok := m.phitOf(at.key & keyMask)
	if !ok {
		return
	}
	last := int32(len(ids) - 1)
next:
	for q := m.phits[k].head; q >= 0; q = m.pspans[q].next {
		p := m.pspans[q].first
		if at.exact {
			for k, c := range m.s.dict.atomCased(at) {
				if !m.casedIs(p+int32(k), c, false) {
					continue next
				}
			}
		}
		m.spans = append(m.spans, span{p, p + last})
	}
}

// findPrefix appends the occurrences of a prefix: the tokens of every
// distinct word that begins with it, in text order.
func (m *matcher) findPrefix(at *atom) {
	h, ok := m.prefs.get(m.s.dict.atomWords[at.w0])
	if !ok {
		return
	}
	off := len(m.spans)
	toks := m.tk.toks
	for k := h - 1; k >= 0; k = m.prefHits[k].prev {
		for p := m.dws[m.prefHits[k].dw].head; p >= 0; p = toks[p].next {
			if at.exact && !m.casedIs(p, m.s.dict.cased[at.x0], true) {
				continue
			}
			m.spans = append(m.spans, span{p, p})
		}
	}
	slices.SortFunc(m.spans[off:], func(a, b span) int { return int(a.first - b.first) })
}

// casedIs reports whether token p, with its capitalisation, is want (or,
// with prefix, begins with want).
func (m *matcher) casedIs(p int32, want string, prefix bool) bool {
	t := &m.tk.toks[p]
	w := m.insts[t.inst].src[t.start:t.end]
	m.cased = appendCased(m.cased[:0], w)
	if prefix {
		return len(m.cased) >= len(want) && string(m.cased[:len(want)]) == want
	}
	return string(m.cased) == want
}

// explain appends to m.refs the hits of node i, which must be true: the
// occurrences of the terms in its true branches outside any NOT.
func (m *matcher) explain(i int32) {
	nodes := m.s.nodes
	e := &nodes[i]
	switch e.op {
	case eAtom:
		m.termHits(e, e.arg)
	case eTerm:
		for _, a := range m.s.atomList[e.arg : e.arg+e.cnt] {
			m.termHits(e, a)
		}
	case eAnd:
		for j := i + 1; j < i+e.size; j += nodes[j].size {
			m.explain(j)
		}
	case eOr:
		for j := i + 1; j < i+e.size; j += nodes[j].size {
			if m.eval(j) {
				m.explain(j)
			}
		}
	case eNear:
		m.near(i, true)
		for _, side := range [2][]nearSpan{m.nearA, m.nearB} {
			for _, sp := range side {
				if sp.node >= 0 {
					t := &nodes[sp.node]
					m.refs = append(m.refs, hitRef{sp.span, t.raw0, t.raw1})
				}
			}
		}
	}
}

// termHits appends the hits of atom a of the term e.
func (m *matcher) termHits(e *enode, a int32) {
	if e.plain {
		m.wordHits(e.cnt, e.mask, e.raw0, e.raw1)
		return
	}
	m.atomHits(a, e.mask, e.raw0, e.raw1)
}

// wordHits appends the hits of the plain word id in the streams of mask,
// with the term raw0:raw1 of the query.
func (m *matcher) wordHits(id int32, mask uint8, raw0, raw1 int32) {
	dw, ok := m.dwOf(id)
	if !ok || m.dws[dw].mask&mask == 0 {
		return
	}
	toks := m.tk.toks
	for p := m.dws[dw].head; p >= 0; p = toks[p].next {
		if m.insts[toks[p].inst].kind&mask != 0 {
			m.refs = append(m.refs, hitRef{span{p, p}, raw0, raw1})
		}
	}
}

// atomHits appends the hits of atom a in the streams of mask, with the term
// raw0:raw1 of the query.
func (m *matcher) atomHits(a int32, mask uint8, raw0, raw1 int32) {
	var mo memo
	if k, ok := m.memo.get(a); ok {
		mo = m.memos[k]
	} else if at := &m.s.dict.atoms[a]; at.kind == atomFeed {
		if m.s.dict.atomWords[at.w0] == m.feedID {
			m.refs = append(m.refs, hitRef{span{feedHit, feedHit}, raw0, raw1})
		}
		return
	} else {
		mo = m.occurrences(a)
	}
	if mo.mask&mask == 0 {
		return
	}
	toks := m.tk.toks
	for _, sp := range m.spans[mo.off : mo.off+mo.n] {
		if m.insts[toks[sp.first].inst].kind&mask != 0 {
			m.refs = append(m.refs, hitRef{sp, raw0, raw1})
		}
	}
}

// near evaluates the NEAR node i: whether an occurrence of its left operand
// and one of its right have at most n words between them, in the same
// stream, without overlapping. With mark, it leaves in m.nearA and m.nearB
// the occurrences of each side, with node -1 for those near nothing.
func (m *matcher) near(i int32, mark bool) bool {
	nodes := m.s.nodes
	e := &nodes[i]
	left := i + 1
	right := left + nodes[left].size
	m.nearA = m.operand(left, m.nearA[:0])
	if len(m.nearA) == 0 {
		return false
	}
	m.nearB = m.operand(right, m.nearB[:0])
	if len(m.nearB) == 0 {
		return false
	}
	toks := m.tk.toks
	n := e.arg
	maxB := int32(0)
	for _, b := range m.nearB {
		maxB = max(maxB, b.last-b.first)
	}
	found := false
	if mark {
		// While marking, a node is stored as -node-2 until the occurrence is
		// found near one of the other side.
		for k := range m.nearA {
			m.nearA[k].node = -m.nearA[k].node - 2
		}
		for k := range m.nearB {
			m.nearB[k].node = -m.nearB[k].node - 2
		}
	}
	for ka, a := range m.nearA {
		// The right operand's occurrences that can be near a start no
		// earlier than n words and one occurrence length before it.
		lo := int64(a.first) - int64(maxB) - int64(n) - 1
		k, _ := slices.BinarySearchFunc(m.nearB, lo, func(b nearSpan, t int64) int {
			return cmp.Compare(int64(b.first), t)
		})
		for ; k < len(m.nearB); k++ {
			b := m.nearB[k]
			if int64(b.first) > int64(a.last)+int64(n)+1 {
				break
			}
			var gap int32
			switch {
			case b.first > a.last:
				gap = b.first - a.last - 1
			case a.first > b.last:
				gap = a.first - b.last - 1
			default:
				continue // overlapping occurrences are not near each other
			}
			if gap > n || toks[a.first].inst != toks[b.first].inst {
				continue
			}
			if !mark {
				return true
			}
			found = true
			if m.nearA[ka].node < -1 {
				m.nearA[ka].node = -m.nearA[ka].node - 2
			}
			if m.nearB[k].node < -1 {
				m.nearB[k].node = -m.nearB[k].node - 2
			}
		}
	}
	if mark {
		for k := range m.nearA {
			m.nearA[k].node = max(m.nearA[k].node, -1)
		}
		for k := range m.nearB {
			m.nearB[k].node = max(m.nearB[k].node, -1)
		}
	}
	return found
}

// operand appends the occurrences of a NEAR operand, a term or an OR of
// terms, sorted by position.
func (m *matcher) operand(i int32, dst []nearSpan) []nearSpan {
	nodes := m.s.nodes
	e := &nodes[i]
	start := len(dst)
	switch e.op {
	case eAtom:
		dst = m.atomSpans(dst, e, e.arg, i)
	case eTerm:
		for _, a := range m.s.atomList[e.arg : e.arg+e.cnt] {
			dst = m.atomSpans(dst, e, a, i)
		}
	case eOr:
		for j := i + 1; j < i+e.size; j += nodes[j].size {
			dst = m.operand(j, dst)
		}
	}
	if len(dst)-start > 1 {
		slices.SortFunc(dst[start:], func(a, b nearSpan) int {
			if a.first != b.first {
				return int(a.first - b.first)
			}
			return int(a.last - b.last)
		})
	}
	return dst
}

// atomSpans appends the occurrences of atom a in the streams of term e.
func (m *matcher) atomSpans(dst []nearSpan, e *enode, a, node int32) []nearSpan {
	if m.atomMask(a)&e.mask == 0 {
		return dst
	}
	toks := m.tk.toks
	at := &m.s.dict.atoms[a]
	if at.kind == atomWord && !at.exact {
		dw, _ := m.dwOf(m.s.dict.atomWords[at.w0])
		for p := m.dws[dw].head; p >= 0; p = toks[p].next {
			if m.insts[toks[p].inst].kind&e.mask != 0 {
				dst = append(dst, nearSpan{span{p, p}, node})
			}
		}
		return dst
	}
	mo := m.occurrences(a)
	for _, sp := range m.spans[mo.off : mo.off+mo.n] {
		if m.insts[toks[sp.first].inst].kind&e.mask != 0 {
			dst = append(dst, nearSpan{sp, node})
		}
	}
	return dst
}

// setTT sets the bit of plan operand x in m.tt.
func (m *matcher) setTT(x int32) {
	m.tt[x>>6] |= 1 << (x & 63)
	m.ttSet = append(m.ttSet, x)
}

// idMap maps int32 keys to int32 values with open addressing. It is the
// matcher's per-article memory: small, reused, cleared in one sweep.
type idMap struct {
	keys []int32 // key+1, 0 when free
	vals []int32
	n    int
}

// reset empties the map, sized for about hint keys.
func (h *idMap) reset(hint int) {
	size := 16
	for size < 2*hint {
		size *= 2
	}
	if cap(h.keys) >= size {
		size = max(size, len(h.keys))
		h.keys, h.vals = h.keys[:size], h.vals[:size]
		clear(h.keys)
	} else {
		h.keys, h.vals = make([]int32, size), make([]int32, size)
	}
	h.n = 0
}

func (h *idMap) slot(k int32) uint32 {
	return (uint32(k) * 0x9e3779b1) & uint32(len(h.keys)-1)
}

// get returns the value of k.
func (h *idMap) get(k int32) (int32, bool) {
	if len(h.keys) == 0 {
		return 0, false
	}
	mask := uint32(len(h.keys) - 1)
	for s := h.slot(k); ; s = (s + 1) & mask {
		switch h.keys[s] {
		case k + 1:
			return h.vals[s], true
		case 0:
			return 0, false
		}
	}
}

// put sets the value of k.
func (h *idMap) put(k, v int32) {
	if 2*(h.n+1) > len(h.keys) {
		h.grow()
	}
	mask := uint32(len(h.keys) - 1)
	for s := h.slot(k); ; s = (s + 1) & mask {
		switch h.keys[s] {
		case k + 1:
			h.vals[s] = v
			return
		case 0:
			h.keys[s], h.vals[s] = k+1, v
			h.n++
			return
		}
	}
}

func (h *idMap) grow() {
	keys, vals := h.keys, h.vals
	size := max(16, 2*len(keys))
	h.keys, h.vals, h.n = make([]int32, size), make([]int32, size), 0
	for s, k := range keys {
		if k != 0 {
			h.put(k-1, vals[s])
		}
	}
}

// each calls fn with every key and value.
func (h *idMap) each(fn func(k, v int32)) {
	for s, k := range h.keys {
		if k != 0 {
			fn(k-1, h.vals[s])
		}
	}
}
