package rules

import (
	"cmp"
	"slices"
)

// planOp says how a rule is decided.
type planOp uint8

const (
	planGeneral planOp = iota // by walking the rule's nodes
	planAnd                   // every operand is true, or, where negated, false
	planOr                    // some operand is true
)

// maxPlanOps is the most operands a plan holds.
const maxPlanOps = 3

// plan decides a rule of a common shape without its nodes: one term, or an
// AND or OR of up to three terms (an AND's terms possibly negated), with no
// exclude and no feed list. Most rules have such a shape, and a plan is all
// that deciding them and finding their hits needs: 32 bytes, half a cache
// line, where the rule's nodes would take several lines and lookups that
// depend on each other. Other rules are planGeneral, whose first operand is
// the rule's eRule node.
//
// An operand is a term, looked for in the streams of its mask: a plain word
// (case-insensitive, one word) as its word ID, or any other atom a as the
// number of words plus a (see matcher.tt; while compiling, ^a). Unused
// operands are 0 with mask 0. An operand's hits have the term raw, a range
// of the query packed as raw0 | raw1<<16.
type plan struct {
	op  planOp
	n   uint8 // the number of operands
	neg uint8 // planAnd: bit k set when operand k is negated
	tt  bool  // every operand is looked for in the title and the text
	// need, for planGeneral: needWords when the rule cannot hold unless
	// the plain words x[1] and x[2] are both in the title or the text (a
	// NEAR of two words), which two bits of matcher.tt tell before its
	// nodes are walked; needNear when that NEAR is the whole rule, with no
	// exclude or feed list, and raw[0] its distance: the two words'
	// occurrences decide it.
	need uint8
	mask [maxPlanOps]uint8
	x    [maxPlanOps]int32
	raw  [maxPlanOps]uint32
}

// What a general plan's need says.
const (
	needNone  = iota
	needWords // x[1] and x[2] must be in the title or the text
	needNear  // and the rule is their NEAR, of distance raw[0]
)

// planOf returns the plan of the rule whose eRule node is h. A rule with a
// feed: term is left to its nodes.
func (s *Set) planOf(h int32) plan {
	general := plan{op: planGeneral, x: [maxPlanOps]int32{h}}
	hd, root := &s.nodes[h], h+1
	e := &s.nodes[root]
	if e.op == eNear {
		// Most NEARs are of two words: "tariffs NEAR/5 steel".
		a := &s.nodes[root+1]
		b := &s.nodes[root+1+a.size]
		if a.op == eAtom && b.op == eAtom && a.plain && b.plain && a.mask == kindTitle|kindText && b.mask == kindTitle|kindText {
			general.need, general.x[1], general.x[2] = needWords, a.cnt, b.cnt
			if hd.arg < 0 && hd.cnt < 0 {
				general.need, general.raw[0] = needNear, uint32(e.arg)
			}
		}
	}
	if hd.arg >= 0 || hd.cnt >= 0 {
		return general // an exclude or a feed list
	}
	var p plan
	switch e.op {
	case eAtom:
		p.op = planAnd
		if !p.add(e, false, s.dict) {
			return general
		}
	case eAnd, eOr:
		p.op = planAnd
		if e.op == eOr {
			p.op = planOr
		}
		for j := root + 1; j < root+e.size; j += s.nodes[j].size {
			c, neg := &s.nodes[j], false
			if c.op == eNot && e.op == eAnd {
				c, neg = &s.nodes[j+1], true
			}
			if c.op != eAtom || !p.add(c, neg, s.dict) {
				return general
			}
		}
	default:
		return general
	}
	p.tt = true
	for k := range int(p.n) {
		p.tt = p.tt && p.mask[k] == kindTitle|kindText
	}
	return p
}

// add appends the term e to the plan's operands, if there is room and its
// range of the query fits.
func (p *plan) add(e *enode, neg bool, d *dictionary) bool {
	if p.n == maxPlanOps || e.raw1 > 0xffff || e.raw0 < 0 || d.atoms[e.arg].kind == atomFeed {
		return false
	}
	k := p.n
	p.n++
	if neg {
		p.neg |= 1 << k
	}
	p.mask[k] = e.mask
	p.x[k] = ^e.arg // made an operand by compiler.finish
	if e.plain {
		p.x[k] = e.cnt
	}
	p.raw[k] = uint32(e.raw0) | uint32(e.raw1)<<16
	return true
}

// planTruth decides a rule by its plan p, which is not planGeneral: ok
// says whether it holds, and use has a bit for each operand whose hits
// explain it, those true outside a NOT.
func (m *matcher) planTruth(p *plan) (use uint32, ok bool) {
	var t uint32 // bit k: operand k is true
	if p.tt {
		tt := m.tt
		x0, x1, x2 := p.x[0], p.x[1], p.x[2]
		t = uint32(tt[x0>>6]>>(x0&63)&1) | uint32(tt[x1>>6]>>(x1&63)&1)<<1 | uint32(tt[x2>>6]>>(x2&63)&1)<<2
	} else {
		for k := range int(p.n) {
			if m.operandTrue(p.x[k], p.mask[k]) {
				t |= 1 << k
			}
		}
	}
	valid := uint32(1)<<p.n - 1
	if p.op == planAnd {
		return t &^ uint32(p.neg) & valid, (t^uint32(p.neg))&valid == valid
	}
	return t & valid, t&valid != 0
}

// operandTrue reports whether plan operand x occurs in the streams of mask.
// A plain phrase was looked for by findPhrases; any other atom that is
// not a plain word has been looked for when its key was marked (see
// compiler.finish), so it is absent when it has no memo.
func (m *matcher) operandTrue(x int32, mask uint8) bool {
	nw := int32(m.s.dict.words.len())
	if x < nw {
		dw, ok := m.dwOf(x)
		return ok && m.dws[dw].mask&mask != 0
	}
	if k, ok := m.memo.get(x - nw); ok {
		return m.memos[k].mask&mask != 0
	}
	if at := &m.s.dict.atoms[x-nw]; at.kind == atomPhrase && !at.exact {
		return m.occurrences(x-nw).mask&mask != 0
	}
	return false
}

// planHits records rule r, whose plan is p, with the hits of the operands
// in the bit set use.
func (m *matcher) planHits(r int32, p *plan, use uint32) {
	r0 := int32(len(m.refs))
	parts := 0
	nw := int32(m.s.dict.words.len())
	for k := range int(p.n) {
		if use>>k&1 == 0 {
			continue
		}
		before := len(m.refs)
		raw0, raw1 := int32(p.raw[k]&0xffff), int32(p.raw[k]>>16)
		if x := p.x[k]; x < nw {
			m.wordHits(x, p.mask[k], raw0, raw1)
		} else {
			m.atomHits(x-nw, p.mask[k], raw0, raw1)
		}
		if len(m.refs) > before {
			parts++
		}
	}
	if parts > 1 {
		m.sortRefs(r0)
	}
	m.found = append(m.found, found{rule: r, r0: r0, r1: int32(len(m.refs))})
}

// sortRefs puts m.refs[r0:], the hits of one rule, in text order, then
// term order, and drops those that repeat a hit.
func (m *matcher) sortRefs(r0 int32) {
	refs := m.refs[r0:]
	slices.SortFunc(refs, func(a, b hitRef) int {
		switch {
		case a.first != b.first:
			return cmp.Compare(a.first, b.first)
		case a.last != b.last:
			return cmp.Compare(a.last, b.last)
		}
		return cmp.Compare(a.raw0, b.raw0)
	})
	m.refs = m.refs[:int(r0)+len(slices.Compact(refs))]
}
