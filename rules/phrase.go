package rules

import "math/bits"

// phraseTable is a trie of the dictionary's phrases over word IDs, kept as
// one open-addressing hash table of edges: (node, next word) → child. An
// article's phrases are found in one walk over its tokens: at each token
// whose word begins some phrase, the next words are followed down the trie
// as long as they continue one. What this costs depends on the article
// (its tokens, and the phrase beginnings it holds), never on how common a
// phrase's words are: "of the" is as cheap to find as "black sea", and an
// article that has neither costs one probe at most per token that begins
// a phrase.
//
// A trie node of depth two or more is a phrase key: the index key of every
// phrase atom (plain or exact) of those words, whose posting list holds the
// rules and exact atoms keyed by the phrase (see compiler.finish).
type phraseTable struct {
	slots  []pslot      // a power of two long; nil while there is no phrase
	shift  uint         // 64 minus log2(len(slots)), for the hash
	n      int32        // nodes
	starts []uint64     // a bit per word ID: the word begins a phrase
	nodes  []phraseNode // by node
	kids   []bool       // by node: longer phrases continue it; only while compiling
}

// phraseNode is what finding a node of the phrase trie decides.
type phraseNode struct {
	atom int32 // the plain (case-insensitive) phrase atom that ends at the node, or -1
	// rule is a rule that is that phrase alone, looked for in the title
	// and the text, or -1: the phrase's presence there decides it.
	rule         int32
	post0, post1 int32 // the node's posting list, Set.post[post0:post1]
}

// pslot is one edge of the trie: 16 bytes, four to a cache line. Most
// probes of an article find no edge, or one whose child decides nothing:
// what a child decides is in nodes, read for the phrases found.
type pslot struct {
	key   uint64 // the parent (a word ID, or pnodeTag|node) << 32 | the next word ID
	node  int32  // the child, plus one; 0 when the slot is free
	flags int32  // pslotKids, pslotUsed
}

const (
	pnodeTag = 1 << 31 // a parent that is a node, not a first word

	pslotKids = 1 // longer phrases continue the child
	pslotUsed = 2 // the child is a phrase key with rules or atoms, or a plain phrase
)

// edgeKey packs an edge's parent and next word.
func edgeKey(parent uint32, word int32) uint64 { return uint64(parent)<<32 | uint64(uint32(word)) }

// slot returns where an edge's key hashes to.
func (t *phraseTable) slot(key uint64) uint32 {
	return uint32((key * 0x9e3779b97f4a7c15) >> t.shift)
}

// find returns the slot of the edge from parent by word, or nil.
func (t *phraseTable) find(parent uint32, word int32) *pslot {
	key := edgeKey(parent, word)
	return t.findFrom(t.slot(key), key)
}

// findFrom returns the slot of the edge key, which hashes to slot i, or
// nil.
func (t *phraseTable) findFrom(i uint32, key uint64) *pslot {
	mask := uint32(len(t.slots) - 1)
	for ; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.node == 0 {
			return nil
		}
		if sl.key == key {
			return sl
		}
	}
}

// add returns the node of the phrase ids, of two words or more, adding it
// and its prefixes when new.
func (t *phraseTable) add(ids []int32) int32 {
	if int(ids[0]>>6) >= len(t.starts) {
		t.starts = append(t.starts, make([]uint64, int(ids[0]>>6)+1-len(t.starts))...)
	}
	t.starts[ids[0]>>6] |= 1 << (ids[0] & 63)
	parent := uint32(ids[0])
	node := int32(-1)
	for _, w := range ids[1:] {
		if node >= 0 {
			t.kids[node] = true
		}
		node = t.child(parent, w)
		parent = pnodeTag | uint32(node)
	}
	return node
}

// child returns the child of parent by word, adding it when new.
func (t *phraseTable) child(parent uint32, word int32) int32 {
	if 2*(t.n+1) > int32(len(t.slots)) {
		t.grow()
	}
	key := edgeKey(parent, word)
	mask := uint32(len(t.slots) - 1)
	for i := t.slot(key); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.node == 0 {
			*sl = pslot{key: key, node: t.n + 1}
			t.n++
			t.nodes = append(roomFor(t.nodes, 1), phraseNode{atom: -1, rule: -1})
			t.kids = append(roomFor(t.kids, 1), false)
			return t.n - 1
		}
		if sl.key == key {
			return sl.node - 1
		}
	}
}

// grow doubles the table, or makes it.
func (t *phraseTable) grow() {
	old := t.slots
	size := max(64, 2*len(old))
	t.slots = make([]pslot, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	mask := uint32(size - 1)
	for _, sl := range old {
		if sl.node == 0 {
			continue
		}
		i := t.slot(sl.key)
		for t.slots[i].node != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// finish fills in the nodes and the slots' flags once the index is
// built: rule[node] is the rule the node decides, or -1, and its posting
// list is post[offs[node]:offs[node+1]].
func (t *phraseTable) finish(rule, offs []int32) {
	for node := range t.nodes {
		nd := &t.nodes[node]
		nd.rule, nd.post0, nd.post1 = rule[node], offs[node], offs[node+1]
	}
	for i := range t.slots {
		sl := &t.slots[i]
		if sl.node == 0 {
			continue
		}
		node := sl.node - 1
		if t.kids[node] {
			sl.flags |= pslotKids
		}
		if nd := &t.nodes[node]; nd.atom >= 0 || nd.post0 < nd.post1 {
			sl.flags |= pslotUsed
		}
	}
	t.kids = nil
}

// phraseHit is a phrase key found in an article: what its slot says, the
// streams it occurs in, and its occurrences, linked from head through
// matcher.pspans.
type phraseHit struct {
	node, atom, rule, post0, post1 int32
	head, tail                     int32
	mask                           uint8
}

// pspan is an occurrence of a phrase key, and the next of the same key.
type pspan struct {
	span
	next int32
}

// findPhrases walks the article's tokens down the phrase trie and leaves
// in m.phits the phrase keys it has, with their occurrences. The plain
// phrase atoms found in the title or the text get their plan operand
// bits; their memos are made when asked for (see phraseMemo).
func (m *matcher) findPhrases() {
	for _, h := range m.phits {
		m.pat[h.node] = 0
	}
	m.phits, m.pspans = m.phits[:0], m.pspans[:0]
	t := &m.s.dict.phrases
	if t.n == 0 {
		return
	}
	toks := m.tk.toks
	// The tokens whose word begins a phrase, followed by a word of the
	// dictionary in their stream, are where phrases may begin: a first
	// loop lists them, in text order, with the slot of their first edge,
	// and touches the slot, loads independent of each other that the
	// processor overlaps, where the walk would wait for each in turn.
	starts := m.pstarts[:0]
	if n := 2 * len(toks); cap(starts) < n {
		starts = make([]int32, 0, n)
	}
	ns, sink := phraseStarts(toks, t, starts[:cap(starts)])
	starts = starts[:ns]
	m.sink += sink
	m.pstarts = starts
	for k := 0; k+1 < len(starts); k += 2 {
		i, inst := starts[k], toks[starts[k]].inst
		parent := uint32(toks[i].id)
		sl := t.findFrom(uint32(starts[k+1]), edgeKey(parent, toks[i+1].id))
		for j := i + 1; sl != nil; {
			if sl.flags&pslotUsed != 0 {
				m.phraseAt(sl, i, j)
			}
			if j++; sl.flags&pslotKids == 0 || int(j) >= len(toks) || toks[j].inst != inst || toks[j].id < 0 {
				break
			}
			sl = t.find(pnodeTag|uint32(sl.node-1), toks[j].id)
		}
	}
	nw := int32(m.s.dict.words.len())
	for _, h := range m.phits {
		if h.atom >= 0 && h.mask&(kindTitle|kindText) != 0 {
			m.setTT(nw + h.atom)
		}
	}
}

// phraseStarts writes to starts, two values each, the tokens whose word
// begins a phrase of t and is followed by a word of the dictionary in the
// same field, with the slot of that first edge, and touches the slot. It
// returns how many values it wrote, and the sum of what it touched. It is
// not inlined, for its loop to keep everything in registers.
//
//go:noinline
func phraseStarts(toks []tok, t *phraseTable, starts []int32) (int, int32) {
	st, slots, shift := t.starts, t.slots, t.shift
	ns, sink := 0, int32(0)
	pid, pinst := int32(-1), int32(-1) // the previous token's word and field instance
	for q := range toks {
		id, inst := toks[q].id, toks[q].inst
		if uint32(pid>>6) < uint32(len(st)) && st[pid>>6]>>(pid&63)&1 != 0 && id >= 0 && inst == pinst && ns+1 < len(starts) {
			s := uint32((edgeKey(uint32(pid), id) * 0x9e3779b97f4a7c15) >> shift) // t.slot, which spills here
			if int(s) < len(slots) {
				sink += slots[s].node
			}
			starts[ns], starts[ns+1] = int32(q-1), int32(s)
			ns += 2
		}
		pid, pinst = id, inst
	}
	return ns, sink
}

// phitOf returns the index in m.phits of phrase node node, and whether
// the article has it.
func (m *matcher) phitOf(node int32) (int32, bool) {
	k := m.pat[node]
	return k - 1, k != 0
}

// phraseMemo makes the memo of plain phrase atom at from its occurrences
// that findPhrases found; ok is false when it found none.
func (m *matcher) phraseMemo(at *atom) (mo memo, ok bool) {
	k, ok := m.phitOf(at.key & keyMask)
	if !ok {
		return memo{}, false
	}
	h := &m.phits[k]
	mo = memo{off: int32(len(m.spans)), mask: h.mask}
	for p := h.head; p >= 0; p = m.pspans[p].next {
		m.spans = append(m.spans, m.pspans[p].span)
	}
	mo.n = int32(len(m.spans)) - mo.off
	return mo, true
}

// phraseAt records an occurrence of the phrase key of slot sl at tokens
// first through last.
func (m *matcher) phraseAt(sl *pslot, first, last int32) {
	p := int32(len(m.pspans))
	m.pspans = append(m.pspans, pspan{span{first, last}, -1})
	kind := m.insts[m.tk.toks[first].inst].kind
	node := sl.node - 1
	if k, ok := m.phitOf(node); ok {
		h := &m.phits[k]
		m.pspans[h.tail].next = p
		h.tail = p
		h.mask |= kind
		return
	}
	m.phits = append(m.phits, phraseHit{node: node, mask: kind, head: p, tail: p})
	m.pat[node] = int32(len(m.phits))
	h, nd := &m.phits[len(m.phits)-1], &m.s.dict.phrases.nodes[node]
	h.atom, h.rule, h.post0, h.post1 = nd.atom, nd.rule, nd.post0, nd.post1
}
