package rules

import "math/bits"

// The candidates of an article are the rules that its words, prefixes and
// feed index. Marking them reads the posting list of each of those keys,
// whose entries are, in this order (see compiler.finish):
//
//	r < 0                       the atom ^r, to look for
//	0 ≤ r < postWord            rule r, to evaluate
//	r ≥ postWord                rule r-postWord, which is one plain word
//	                            looked for in the title and the text, the
//	                            whole query: the key's word decides it
//
// A rule decided by its word is recorded as a match while marking, with
// no look at its plan; the others are collected once each, a bit per rule
// saying which already are, then evaluated. Matches are recorded in no
// particular order and sorted by rule at the end. Each kind of entry has
// a loop of its own, without branches that depend on the rule: at 100,000
// rules an article has hundreds of candidates, and mispredicted branches,
// like cache misses, would cost more than the work.
//
// A Set has fewer than postWord rules: a billion rules would not fit in
// memory anyway.
const postWord = 1 << 30

// markCandidates collects the rules that the article's words, prefixes and
// feed may make true, and those that have no index key, records those that
// their key decides, and finds the occurrences of the atoms keyed by them.
func (m *matcher) markCandidates() {
	s := m.s
	m.cands = m.cands[:0]
	// Touch the posting lists first, for the processor to fetch them all
	// at once rather than one after the other (as in tryCandidates).
	if last := int32(len(s.post)) - 1; last >= 0 {
		sink := int32(0)
		for k := range m.dws {
			sink += s.post[min(m.dws[k].post0, last)]
		}
		m.sink += sink
	}
	for k := range m.dws {
		if dw := &m.dws[k]; dw.id >= 0 {
			m.markKey(s.post[dw.post0:dw.post1], int32(k))
		}
	}
	if len(m.prefHits) > 0 {
		m.prefs.each(func(p, _ int32) {
			k := s.prefixBase + p
			m.markKey(s.post[s.offs[k]:s.offs[k+1]], -1)
		})
	}
	if m.feedID >= 0 {
		k := s.feedBase + m.feedID
		m.markKey(s.post[s.offs[k]:s.offs[k+1]], -1)
	}
	m.markKey(s.always, -1)
	// The atoms' occurrences are found once their data is fetched, in
	// loops of their own for the loads to overlap: an atom, then its words.
	d, sink := s.dict, int32(0)
	for _, a := range m.atomQ {
		sink += d.atoms[a].w0
	}
	for _, a := range m.atomQ {
		sink += d.atomWords[d.atoms[a].w0]
	}
	m.sink += sink
	for _, a := range m.atomQ {
		m.occurrences(a)
	}
	m.atomQ = m.atomQ[:0]
}

// markKey reads the posting list of a key the article has; dw is the key's
// distinct word, or -1 for a prefix or a feed name.
func (m *matcher) markKey(post []int32, dw int32) {
	i := 0
	for ; i < len(post) && post[i] < 0; i++ {
		m.atomQ = append(m.atomQ, ^post[i])
	}
	// Every rule is written to the end of cands, which grows by one only
	// when the rule's bit was clear.
	n := len(m.cands)
	if need := n + len(post) - i; need > cap(m.cands) {
		m.cands = append(m.cands[:n], make([]int32, need-n)...)
	}
	cands, marks := m.cands[:cap(m.cands)], m.bits
	for ; i < len(post) && post[i] < postWord; i++ {
		r := post[i]
		w, b := r>>6, uint(r&63)
		old := marks[w]
		marks[w] = old | 1<<b
		cands[n] = r
		n += int(old>>b&1 ^ 1)
	}
	m.cands = cands[:n]
	if i < len(post) && dw >= 0 && m.dws[dw].mask&(kindTitle|kindText) != 0 {
		for _, r := range post[i:] {
			m.tryWord(r-postWord, dw)
		}
	}
}

// tryCandidates evaluates the collected candidates and clears their bits.
func (m *matcher) tryCandidates() {
	plans, marks := m.s.plans, m.bits
	// Reading each candidate's plan in a loop of its own lets the processor
	// fetch many of them from memory at once, where evaluating the rules one
	// after the other would wait for each in turn: with 100,000 rules the
	// plans are megabytes, and most candidates' are not in the cache.
	sink := int32(0)
	for _, r := range m.cands {
		sink += plans[r].x[0]
		marks[r>>6] = 0
	}
	m.sink = sink
	for _, r := range m.cands {
		if p := &plans[r]; p.op != planGeneral {
			m.tryPlan(r, p)
		} else {
			m.try(r)
		}
	}
}

// clearMarks clears the bits of the collected candidates.
func (m *matcher) clearMarks() {
	for _, r := range m.cands {
		m.bits[r>>6] = 0
	}
}

// tryWord records rule r, one plain word looked for in the title and the
// text that occurs there as distinct word dw, with its hits. Their term is
// the whole query, which raw1 -1 stands for.
func (m *matcher) tryWord(r, dw int32) {
	r0 := int32(len(m.refs))
	toks := m.tk.toks
	for p := m.dws[dw].head; p >= 0; p = toks[p].next {
		if m.insts[toks[p].inst].kind&(kindTitle|kindText) != 0 {
			m.refs = append(m.refs, hitRef{span{p, p}, 0, -1})
		}
	}
	m.found = append(m.found, found{rule: r, r0: r0, r1: int32(len(m.refs))})
}

// sortFound sorts m.found by rule: a few by insertion, more by a radix sort
// on the bits that rule indices have, in passes of at most 11 bits.
func (m *matcher) sortFound() {
	f := m.found
	if len(f) <= 32 {
		for i := 1; i < len(f); i++ {
			for j := i; j > 0 && f[j].rule < f[j-1].rule; j-- {
				f[j], f[j-1] = f[j-1], f[j]
			}
		}
		return
	}
	width := bits.Len32(uint32(len(m.s.plans) - 1))
	passes := (width + 10) / 11
	digit := (width + passes - 1) / passes
	if cap(m.fbuf) < len(f) {
		m.fbuf = make([]found, len(f), cap(f))
	}
	buf := m.fbuf[:len(f)]
	if len(m.counts) < 1<<digit {
		m.counts = make([]int32, 1<<digit)
	}
	counts := m.counts[:1<<digit]
	mask := uint32(1)<<digit - 1
	for shift := 0; shift < width; shift += digit {
		clear(counts)
		for k := range f {
			counts[uint32(f[k].rule)>>shift&mask]++
		}
		sum := int32(0)
		for k, n := range counts {
			counts[k] = sum
			sum += n
		}
		for k := range f {
			d := uint32(f[k].rule) >> shift & mask
			buf[counts[d]] = f[k]
			counts[d]++
		}
		f, buf = buf, f
	}
	m.found, m.fbuf = f, buf
}
