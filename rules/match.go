package rules

import (
	"slices"
	"strings"

	"herald/news"
)

// Doc is what rules are matched against: one article as plain text.
type Doc struct {
	// Feed is the name of the feed the article came from.
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

// The names of the fields a hit can be in.
const (
	fieldTitle = "title"
	fieldText  = "text"
)

// field is one tokenized field of a document.
type field struct {
	name string
	src  string
	toks []Token
	at   map[string][]int // word → its positions, ascending
}

// occurrence is where an atom occurs: tokens first..last of a field.
type occurrence struct {
	field, first, last int
}

// matcher evaluates queries against one document. It tokenizes the document
// once, on first use, and remembers where each atom occurs, so rules that
// share a term share the work.
type matcher struct {
	doc    Doc
	dict   *dictionary
	fields []field
	memo   map[int][]occurrence
}

func newMatcher(d Doc, dict *dictionary) *matcher {
	return &matcher{doc: d, dict: dict, memo: make(map[int][]occurrence)}
}

// prepare tokenizes the fields phrases are matched in. Fields are separate
// token streams, so a phrase never runs from the title into the text.
func (m *matcher) prepare() {
	if m.fields != nil {
		return
	}
	var t tokenizer
	m.fields = make([]field, 0, 2)
	for _, f := range []struct{ name, src string }{{fieldTitle, m.doc.Title}, {fieldText, m.doc.Text}} {
		toks := t.appendTokens(nil, f.src)
		at := make(map[string][]int, len(toks))
		for i, tok := range toks {
			at[tok.Norm] = append(at[tok.Norm], i)
		}
		m.fields = append(m.fields, field{name: f.name, src: f.src, toks: toks, at: at})
	}
}

// find returns every occurrence of the atom in field and text order.
func (m *matcher) find(id int) []occurrence {
	if occ, ok := m.memo[id]; ok {
		return occ
	}
	m.prepare()
	a := m.dict.atoms[id]
	n := len(a.words)
	var occ []occurrence
	for fi, f := range m.fields {
		starts := f.at[a.words[0]]
		if a.prefix && n == 1 {
			starts = nil
			for i, tok := range f.toks {
				if strings.HasPrefix(tok.Norm, a.words[0]) {
					starts = append(starts, i)
				}
			}
		}
		for _, p := range starts {
			if p+n <= len(f.toks) && a.matchesAt(f.toks, p) {
				occ = append(occ, occurrence{field: fi, first: p, last: p + n - 1})
			}
		}
	}
	m.memo[id] = occ
	return occ
}

// matchesAt reports whether the atom's words after the first follow the
// token at p; the caller has checked the first word and the length.
func (a atom) matchesAt(toks []Token, p int) bool {
	last := len(a.words) - 1
	for k := 1; k <= last; k++ {
		got, want := toks[p+k].Norm, a.words[k]
		if k == last && a.prefix {
			if !strings.HasPrefix(got, want) {
				return false
			}
		} else if got != want {
			return false
		}
	}
	return true
}

// eval reports whether e is true of the document.
func (m *matcher) eval(e *expr) bool {
	switch e.op {
	case opTerm:
		for _, id := range e.atoms {
			if len(m.find(id)) > 0 {
				return true
			}
		}
		return false
	case opAnd:
		for _, k := range e.kids {
			if !m.eval(k) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range e.kids {
			if m.eval(k) {
				return true
			}
		}
		return false
	case opNot:
		return !m.eval(e.kids[0])
	}
	return false
}

// hitRef is a hit before it is turned into text.
type hitRef struct {
	occurrence
	term string
}

// explain appends the hits of e, which must be true: the occurrences of the
// terms in its true branches outside any NOT.
func (m *matcher) explain(e *expr, dst []hitRef) []hitRef {
	switch e.op {
	case opTerm:
		for _, id := range e.atoms {
			for _, o := range m.find(id) {
				dst = append(dst, hitRef{o, e.term.Raw})
			}
		}
	case opAnd:
		for _, k := range e.kids {
			dst = m.explain(k, dst)
		}
	case opOr:
		for _, k := range e.kids {
			if m.eval(k) {
				dst = m.explain(k, dst)
			}
		}
	}
	return dst
}

// hits explains a true expression as sorted, distinct hits.
func (m *matcher) hits(e *expr) []news.Hit {
	refs := m.explain(e, nil)
	slices.SortFunc(refs, func(a, b hitRef) int {
		switch {
		case a.field != b.field:
			return a.field - b.field
		case a.first != b.first:
			return a.first - b.first
		case a.last != b.last:
			return a.last - b.last
		}
		return strings.Compare(a.term, b.term)
	})
	refs = slices.Compact(refs)
	hits := make([]news.Hit, len(refs))
	for i, r := range refs {
		f := &m.fields[r.field]
		hits[i] = news.Hit{Term: r.term, Field: f.name, Text: f.src[f.toks[r.first].Start:f.toks[r.last].End]}
	}
	return hits
}
