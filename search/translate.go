package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"herald/rules"
)

// A query is answered in two steps: the full-text index selects candidates
// with an FTS5 expression translated from the query, and rules re-check each
// candidate. For that to find everything rules would match, the translation
// must select a superset of the items the query matches; the closer to the
// query, the fewer candidates are read for nothing.
//
// The translation is exact for most of the language, because the index holds
// each word as rules fold it (see IndexFields): a word, phrase, prefix or
// entity, in the title and text or in a field, selects exactly the items it
// matches. Where it cannot be exact it errs on the large side: case:US
// selects every "us", a NEAR selects both operands within the distance
// without rules' finer points (overlaps), tag: adds the feeds whose
// configured tags match. NOT turns a superset into a subset, so under a NOT
// the translation must err on the small side instead, and so translate
// carries both directions: a node under an odd number of NOTs is translated
// as a subset, and where no exact subset exists (a case: term) as nothing,
// which a NOT then turns back into "everything".

// setKind says what a set is.
type setKind uint8

const (
	setMatch setKind = iota // the items expr matches, minus not
	setAll                  // every item, minus not
	setNone                 // no item
)

// set is a set of items the index can describe: those matching an FTS5
// expression (or every item) minus those matching any of not. Union,
// intersection and complement stay exact in this form.
type set struct {
	kind setKind
	expr string
	not  []string
}

func all() set                 { return set{kind: setAll} }
func none() set                { return set{kind: setNone} }
func matching(expr string) set { return set{kind: setMatch, expr: expr} }

// render writes a setMatch as one FTS5 expression.
func (s set) render() string {
	if len(s.not) == 0 {
		return s.expr
	}
	return "(" + s.expr + ") NOT (" + joinOr(s.not) + ")"
}

func joinOr(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	return "(" + strings.Join(exprs, ") OR (") + ")"
}

func joinAnd(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	return "(" + strings.Join(exprs, ") AND (") + ")"
}

// complement returns the items not in s, exactly.
func complement(s set) set {
	switch s.kind {
	case setNone:
		return all()
	case setAll:
		if len(s.not) == 0 {
			return none()
		}
		return matching(joinOr(s.not))
	}
	return set{kind: setAll, not: []string{s.render()}}
}

// intersect returns the items in every one of ss, exactly.
func intersect(ss []set) set {
	var exprs, not []string
	for _, s := range ss {
		switch s.kind {
		case setNone:
			return none()
		case setMatch:
			exprs = append(exprs, s.expr)
		}
		not = append(not, s.not...)
	}
	if len(exprs) == 0 {
		return set{kind: setAll, not: not}
	}
	return set{kind: setMatch, expr: joinAnd(exprs), not: not}
}

// unite returns the items in any one of ss, exactly: the sets with an
// expression are ORed; a set "every item but A" makes the union every item
// but those in A and in no set with an expression.
func unite(ss []set) set {
	var exprs []string // the sets with an expression, rendered
	var but []string   // for each "every item but A", A
	for _, s := range ss {
		switch {
		case s.kind == setNone:
		case s.kind == setAll && len(s.not) == 0:
			return all()
		case s.kind == setAll:
			but = append(but, joinOr(s.not))
		default:
			exprs = append(exprs, s.render())
		}
	}
	switch {
	case len(but) == 0 && len(exprs) == 0:
		return none()
	case len(but) == 0:
		return matching(joinOr(exprs))
	}
	missing := joinAnd(but) // in every A: not in any "every item but A"
	if len(exprs) > 0 {
		missing = "(" + missing + ") NOT (" + joinOr(exprs) + ")"
	}
	return set{kind: setAll, not: []string{missing}}
}

// translator turns a parsed query into sets of the index.
type translator struct {
	// feedTags are the tags the configuration gives each feed, by feed name.
	feedTags map[string][]string
}

// maxNearPairs bounds the NEAR groups one NEAR is translated into (one per
// pair of phrases of its operands); beyond it, NEAR is translated as AND.
const maxNearPairs = 64

// translate returns the items node n may match when upper is true (a
// superset of its matches), or items it certainly matches when upper is
// false (a subset).
func (tr *translator) translate(n rules.Node, upper bool) set {
	switch n := n.(type) {
	case *rules.Term:
		return tr.term(n, upper)
	case *rules.Not:
		return complement(tr.translate(n.Node, !upper))
	case *rules.And:
		ss := make([]set, len(n.Nodes))
		for i, k := range n.Nodes {
			ss[i] = tr.translate(k, upper)
		}
		return intersect(ss)
	case *rules.Or:
		ss := make([]set, len(n.Nodes))
		for i, k := range n.Nodes {
			ss[i] = tr.translate(k, upper)
		}
		return unite(ss)
	case *rules.Near:
		if !upper {
			return none() // rules' NEAR is finer than FTS5's; no exact subset
		}
		if expr, ok := tr.near(n); ok {
			return matching(expr)
		}
		return intersect([]set{tr.translate(n.Left, true), tr.translate(n.Right, true)})
	}
	// A node this herald does not know: say nothing about it.
	if upper {
		return all()
	}
	return none()
}

// colspec is the FTS5 column filter of a rules field.
func colspec(field string) string {
	switch field {
	case "":
		return "{" + ColTitle + " " + ColText + "}"
	case rules.FieldTitle:
		return ColTitle
	case rules.FieldText:
		return ColText
	case rules.FieldTag:
		return ColTags
	case rules.FieldAuthor:
		return ColAuthor
	case rules.FieldFeed:
		return ColFeed
	}
	return ""
}

// phrase writes words, as rules fold them, as an FTS5 phrase; with prefix,
// the last word is a prefix.
func phrase(words []string, prefix bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(encodeWord(w))
	}
	b.WriteByte('"')
	if prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// feedPhrase is the FTS5 expression of the feed column holding exactly words.
func feedPhrase(words []string) string {
	p := phrase(words, false)
	return "^" + p[:len(p)-1] + " " + feedEnd + `"`
}

// term translates a leaf. Its phrases are exact in the index except for
// capitalisation: a case-sensitive phrase is a superset of itself, and so
// left out of a subset. tag: terms also match the tags configured for a
// feed, which the index does not hold: a superset adds those feeds, and a
// subset (the categories alone) is exact enough.
func (tr *translator) term(t *rules.Term, upper bool) set {
	col := colspec(t.Field)
	if col == "" { // a field this herald does not know: say nothing about it
		if upper {
			return all()
		}
		return none()
	}
	var alts []string
	for i, words := range t.Phrases {
		if len(words) == 0 {
			continue
		}
		exact := t.Exact != nil && i < len(t.Exact) && t.Exact[i] != nil
		if exact && !upper {
			continue
		}
		switch {
		case t.Field == rules.FieldFeed:
			alts = append(alts, col+" : "+feedPhrase(words))
		case exact:
			alts = append(alts, cased(col, t, words, t.Exact[i]))
		default:
			alts = append(alts, col+" : "+phrase(words, t.Kind == rules.PrefixTerm))
		}
	}
	if len(alts) == 0 {
		if upper {
			return all()
		}
		return none()
	}
	expr := joinOr(alts)
	if t.Field == rules.FieldTag && upper {
		if feeds := tr.feedsTagged(t); len(feeds) > 0 {
			expr = "(" + expr + ") OR (" + ColFeed + " : " + group(feeds) + ")"
		}
	}
	return matching(expr)
}

// cased translates a case-sensitive phrase: the phrase, without its
// capitals, and for each word written with capitals, the word among those
// that may be capitalised (ColCaps), or written in capitals only (ColUpper)
// when the word has no lower-case letter. Those columns hold the title's
// and the text's words, so a tag: or author: term gets the phrase alone.
func cased(col string, t *rules.Term, words, exact []string) string {
	prefix := t.Kind == rules.PrefixTerm
	parts := []string{col + " : " + phrase(words, prefix)}
	if t.Field != "" && t.Field != rules.FieldTitle && t.Field != rules.FieldText || len(exact) != len(words) {
		return parts[0]
	}
	for j, w := range exact {
		up, low := false, false
		for _, r := range w {
			up = up || unicode.IsUpper(r) || unicode.IsTitle(r)
			low = low || unicode.IsLower(r)
		}
		last := prefix && j == len(words)-1
		switch {
		case !up:
		case !low && !last:
			parts = append(parts, ColUpper+" : "+phrase(words[j:j+1], false))
		default:
			parts = append(parts, ColCaps+" : "+phrase(words[j:j+1], last))
		}
	}
	return joinAnd(parts)
}

// group writes alternatives as one operand of a column filter.
func group(alts []string) string {
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// feedsTagged returns, as feed-column phrases, the feeds whose configured
// tags contain one of t's phrases (ignoring capitalisation).
func (tr *translator) feedsTagged(t *rules.Term) []string {
	var out []string
	for feed, tags := range tr.feedTags {
		if tagsContain(tags, t) {
			out = append(out, feedPhrase(norms(feed)))
		}
	}
	// Map order would make the expression differ from one search to the next.
	slices.Sort(out)
	return out
}

// tagsContain reports whether a tag holds one of t's phrases.
func tagsContain(tags []string, t *rules.Term) bool {
	for _, tag := range tags {
		words := norms(tag)
		for _, ph := range t.Phrases {
			if containsPhrase(words, ph, t.Kind == rules.PrefixTerm) {
				return true
			}
		}
	}
	return false
}

// containsPhrase reports whether ph occurs in words; with prefix, its last
// word only needs to begin a word.
func containsPhrase(words, ph []string, prefix bool) bool {
	if len(ph) == 0 {
		return false
	}
	for i := 0; i+len(ph) <= len(words); i++ {
		ok := true
		for j, p := range ph {
			w := words[i+j]
			if w != p && !(prefix && j == len(ph)-1 && strings.HasPrefix(w, p)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// norms returns the words of s as rules fold them.
func norms(s string) []string {
	toks := rules.Tokenize(s)
	out := make([]string, len(toks))
	for i, tk := range toks {
		out[i] = tk.Norm
	}
	return out
}

// near translates a NEAR into FTS5 NEAR groups, one per pair of phrases of
// its operands, when both operands are terms (or ORs of terms) of one field
// that the index holds whole. FTS5's NEAR/N, like rules', counts the tokens
// between the two phrases in either order within one column, and the index
// keeps rules' word positions; it also accepts overlapping phrases, which
// rules do not, so it is a superset.
func (tr *translator) near(n *rules.Near) (string, bool) {
	left, lf, ok := nearPhrases(n.Left)
	if !ok {
		return "", false
	}
	right, rf, ok := nearPhrases(n.Right)
	if !ok || lf != rf || len(left)*len(right) > maxNearPairs {
		return "", false
	}
	var groups []string
	dist := strconv.Itoa(n.N)
	for _, a := range left {
		for _, b := range right {
			groups = append(groups, "NEAR("+a+" "+b+", "+dist+")")
		}
	}
	return colspec(lf) + " : " + group(groups), true
}

// nearPhrases returns the phrases of a NEAR operand and their common field.
// Tags are left out: the index does not hold the tags the configuration
// gives a feed, so a NEAR in them cannot be found there.
func nearPhrases(n rules.Node) ([]string, string, bool) {
	var terms []*rules.Term
	switch n := n.(type) {
	case *rules.Term:
		terms = []*rules.Term{n}
	case *rules.Or:
		for _, k := range n.Nodes {
			t, ok := k.(*rules.Term)
			if !ok {
				return nil, "", false
			}
			terms = append(terms, t)
		}
	default:
		return nil, "", false
	}
	field := terms[0].Field
	var out []string
	for _, t := range terms {
		switch {
		case t.Field != field:
			return nil, "", false
		case t.Field != "" && t.Field != rules.FieldTitle && t.Field != rules.FieldText && t.Field != rules.FieldAuthor:
			return nil, "", false
		}
		for _, words := range t.Phrases {
			if len(words) > 0 {
				out = append(out, phrase(words, t.Kind == rules.PrefixTerm))
			}
		}
	}
	return out, field, len(out) > 0
}
