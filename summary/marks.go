package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// article is plain text normalised to paragraphs joined by one blank line,
// with the byte range of every paragraph. Quote spans, tokens and mentions
// all carry byte offsets into text.
type article struct {
	text  string
	paras [][2]int
}

func newArticle(text string) *article {
	a := &article{}
	var b strings.Builder
	for i, p := range paragraphs(text) {
		if i > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(p)
		a.paras = append(a.paras, [2]int{start, b.Len()})
	}
	a.text = b.String()
	return a
}

// A quotation mark family: which opening mark goes with which closing one.
type family int

const (
	famNone     family = iota
	famCurly           // “ … ”
	famLow             // „ … “ (German, Polish, Czech) or „ … ”
	famGuil            // « … »
	famStraight        // " … ", paired by position
	famSingle          // ‘ … ’ or ' … ', only when they clearly delimit a quotation
	famDash            // a paragraph of dialogue opening with a dash: — … — сказав він.
	famGuilRev         // » … «, as German books and some German papers write
)

// maxSingleQuote bounds the length in bytes of a quotation in single marks,
// which keeps a paragraph full of apostrophes from costing quadratic time.
const maxSingleQuote = 2000

// maxQuoteParas bounds how many paragraphs one quotation may span, so that a
// stray opening mark does not swallow the rest of the article.
const maxQuoteParas = 6

// span is one quotation found in an article.
type span struct {
	fam         family
	open, close int      // the opening mark's offset; the offset just after the closing mark
	parts       [][2]int // what was said, one range per paragraph
	first, last int      // the paragraphs where the quotation opens and closes
}

// continues reports whether quotation sp, which has no attribution of its
// own, goes on from the attributed quotation prev: either sp is the whole
// paragraph right after prev's, or it follows prev in the same paragraph with
// only prev's attribution in between (“…,” he said. “…”).
func (a *article) continues(prev, sp span) bool {
	switch prev.last {
	case sp.first - 1:
		after := strings.TrimFunc(a.text[sp.close:a.paras[sp.last][1]], func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r)
		})
		return after == "" && strings.TrimSpace(a.text[a.paras[sp.first][0]:sp.open]) == ""
	case sp.first:
		return len(sentenceSpans(a.text[prev.close:sp.open])) <= 1
	}
	return false
}

// runeAround returns the runes before and after the mark at byte i in
// paragraph p (of width w); a paragraph edge reads as a space.
func (a *article) runeAround(i, w int, p [2]int) (prev, next rune) {
	prev, next = ' ', ' '
	if i > p[0] {
		prev, _ = utf8.DecodeLastRuneInString(a.text[p[0]:i])
	}
	if i+w < p[1] {
		next, _ = utf8.DecodeRuneInString(a.text[i+w : p[1]])
	}
	return prev, next
}

// openerLike: the mark starts a word ("‿"word): space or an opening bracket
// or dash before it, no space after it.
func openerLike(prev, next rune) bool {
	return (unicode.IsSpace(prev) || strings.ContainsRune("([{—–-/“‘«„:", prev)) && !unicode.IsSpace(next)
}

// closerLike: the mark ends a word: no space before it, and a space or
// punctuation after it.
func closerLike(prev, next rune) bool {
	return !unicode.IsSpace(prev) && (unicode.IsSpace(next) || unicode.IsPunct(next))
}

// openerAt tells whether a double quotation mark opens a quotation at byte i.
func (a *article) openerAt(i int, p [2]int) (family, int) {
	r, w := utf8.DecodeRuneInString(a.text[i:])
	prev, next := a.runeAround(i, w, p)
	switch r {
	case '“':
		if closerLike(prev, next) && !openerLike(prev, next) {
			return famNone, w
		}
		return famCurly, w
	case '„':
		return famLow, w
	case '«':
		return famGuil, w
	case '»':
		// »Mit Trenching…«: a » that starts a word, closed later in the
		// paragraph by a « that ends one. French » ends a word.
		if openerLike(prev, next) && unicode.IsLetter(next) && strings.ContainsRune(a.text[i+w:p[1]], '«') {
			return famGuilRev, w
		}
	case '"':
		if openerLike(prev, next) {
			return famStraight, w
		}
	}
	return famNone, w
}

// closerAt tells whether the mark at byte i closes a quotation of family f.
func (a *article) closerAt(i int, p [2]int, f family) (bool, int) {
	r, w := utf8.DecodeRuneInString(a.text[i:])
	switch f {
	case famCurly:
		if r == '”' {
			return true, w
		}
		if r == '“' {
			// Some feeds close with the opening mark.
			prev, next := a.runeAround(i, w, p)
			return closerLike(prev, next) && !openerLike(prev, next), w
		}
	case famLow:
		return r == '“' || r == '”', w
	case famGuil:
		return r == '»', w
	case famGuilRev:
		if r == '«' {
			prev, next := a.runeAround(i, w, p)
			return closerLike(prev, next), w
		}
	case famStraight:
		return r == '"', w
	}
	return false, w
}

// reopenAt returns the width of the mark that, by typographic convention,
// opens a paragraph continuing a quotation of family f, or 0.
func (a *article) reopenAt(i int, f family) int {
	r, w := utf8.DecodeRuneInString(a.text[i:])
	switch {
	case f == famCurly && (r == '“' || r == '"'),
		f == famLow && r == '„',
		f == famGuil && (r == '«' || r == '»'),
		f == famGuilRev && r == '»',
		f == famStraight && (r == '"' || r == '“'):
		return w
	}
	return 0
}

// findSpans finds the quotations in double marks, in article order, then
// those in single marks outside them.
func (a *article) findSpans() []span {
	var spans []span
	for pi := 0; pi < len(a.paras); pi++ {
		pos := a.paras[pi][0]
		if ds := a.dashSpans(pi); ds != nil {
			spans = append(spans, ds...)
			continue
		}
	scan:
		for pos < a.paras[pi][1] {
			p := a.paras[pi]
			o, f, ow := a.nextOpener(pos, p)
			if o < 0 {
				break
			}
			if c, cw := a.closer(o+ow, p, f, false); c >= 0 {
				spans = append(spans, span{fam: f, open: o, close: c + cw, parts: [][2]int{{o + ow, c}}, first: pi, last: pi})
				pos = c + cw
				continue
			}
			// The paragraph opens a quotation without closing it: it goes on in
			// the next paragraphs, which may or may not open with a mark again,
			// until a closing mark.
			parts := [][2]int{{o + ow, p[1]}}
			reopens := -1 // whether continued paragraphs reopen with a mark; styles do not mix
			for pj := pi + 1; pj < len(a.paras) && pj < pi+maxQuoteParas; pj++ {
				q := a.paras[pj]
				ro := a.reopenAt(q[0], f)
				if reopens >= 0 && (ro > 0) != (reopens > 0) {
					break
				}
				reopens = ro
				st := q[0] + ro
				c, cw := a.closer(st, q, f, true)
				if c == -2 {
					break // another quotation opens first: the first was never closed
				}
				if c >= 0 {
					parts = append(parts, [2]int{st, c})
					spans = append(spans, span{fam: f, open: o, close: c + cw, parts: parts, first: pi, last: pj})
					pi, pos = pj, c+cw
					continue scan
				}
				parts = append(parts, [2]int{st, q[1]})
			}
			// Never closed: take the opening paragraph alone.
			spans = append(spans, span{fam: f, open: o, close: p[1], parts: parts[:1], first: pi, last: pi})
			break
		}
	}
	return a.addSingleSpans(spans)
}

// nextOpener finds the next opening double mark at or after pos.
func (a *article) nextOpener(pos int, p [2]int) (int, family, int) {
	for i := pos; i < p[1]; {
		f, w := a.openerAt(i, p)
		if f != famNone {
			return i, f, w
		}
		i += w
	}
	return -1, famNone, 0
}

// closer finds the mark closing a quotation of family f in paragraph p from
// pos, or -1. With strict set (a paragraph the quotation continues into) it
// returns -2 when another quotation opens before any closing mark.
func (a *article) closer(pos int, p [2]int, f family, strict bool) (int, int) {
	if f == famGuil && !strict {
		return a.guilCloser(pos, p)
	}
	for i := pos; i < p[1]; {
		if f == famStraight && strict && a.text[i] == '"' {
			// Positional pairing, except that a mark starting a word in a
			// continued paragraph opens a new quotation.
			prev, next := a.runeAround(i, 1, p)
			if openerLike(prev, next) && !closerLike(prev, next) {
				return -2, 0
			}
			return i, 1
		}
		if ok, w := a.closerAt(i, p, f); ok {
			return i, w
		}
		g, w := a.openerAt(i, p)
		if strict && g != famNone && g != famStraight {
			return -2, 0
		}
		i += w
	}
	return -1, 0
}

// guilCloser finds the » that closes a « opened before pos in paragraph p,
// counting the guillemets nested inside («…«Эха Москвы»…»). When the nested
// ones leave the count open at the paragraph's end (a writer dropped the
// doubled »»), the last » of the paragraph closes.
func (a *article) guilCloser(pos int, p [2]int) (int, int) {
	depth, last := 0, -1
	for i := pos; i < p[1]; {
		r, w := utf8.DecodeRuneInString(a.text[i:])
		switch r {
		case '«':
			depth++
		case '»':
			if depth == 0 {
				return i, w
			}
			depth--
			last = i
		}
		i += w
	}
	if last >= 0 {
		return last, len("»")
	}
	return -1, 0
}

// dialogueDash finds the dash that opens dialogue in paragraph p: at its
// start, or after the end of a sentence ("Mieszkańcy są sceptyczni. – Słyszymy
// o tym…"), before a capital. It returns the dash's offset and width, or -1.
func (a *article) dialogueDash(p [2]int) (int, int) {
	at := func(i int) int {
		r, w := utf8.DecodeRuneInString(a.text[i:p[1]])
		if r != '—' && r != '–' {
			return 0
		}
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(a.text[i+w:p[1]], " "))
		if !unicode.IsUpper(next) && !isOpeningMark(next) {
			return 0
		}
		return w
	}
	if w := at(p[0]); w > 0 {
		return p[0], w
	}
	for i := p[0]; i < p[1]; {
		r, w := utf8.DecodeRuneInString(a.text[i:])
		if isTerminal(r) && i+w+1 < p[1] && a.text[i+w] == ' ' {
			if dw := at(i + w + 1); dw > 0 && a.text[i+w+1+dw] == ' ' {
				return i + w + 1, dw
			}
		}
		i += w
	}
	return -1, 0
}

// innerDashes returns the dashes inside a dialogue paragraph that may end
// what is said: after a space or punctuation, before a space or a lower-case
// letter ("– mówi", " —dijo").
func (a *article) innerDashes(from int, p [2]int) []int {
	var out []int
	for i := from; i < p[1]; {
		r, w := utf8.DecodeRuneInString(a.text[i:])
		if r == '—' || r == '–' {
			prev, next := a.runeAround(i, w, p)
			if (unicode.IsSpace(prev) || strings.ContainsRune(",.!?…", prev)) && (unicode.IsSpace(next) || unicode.IsLower(next)) {
				out = append(out, i)
			}
		}
		i += w
	}
	return out
}

// dashSpans reads a paragraph of dialogue (— Не можу повірити, — сказала
// вона. — Ми надіслали…; —No vamos… —dijo la ministra…): what is said runs
// to the first inner dash that an attribution follows, and goes on after the
// next dash; without an attribution, the whole paragraph is what is said.
func (a *article) dashSpans(pi int) []span {
	p := a.paras[pi]
	open, w := a.dialogueDash(p)
	if open < 0 {
		return nil
	}
	start := open + w
	dashes := a.innerDashes(start, p)
	for k, d := range dashes {
		end := p[1]
		if k+1 < len(dashes) {
			end = dashes[k+1]
		}
		if _, ok := attributionAfter(tokenize(a.text[d:end], d)); !ok {
			continue
		}
		out := []span{{fam: famDash, open: open, close: d, parts: [][2]int{{start, d}}, first: pi, last: pi}}
		if k+1 < len(dashes) {
			dw := utf8.RuneLen(firstRune(a.text[end:]))
			if strings.TrimSpace(a.text[end+dw:p[1]]) != "" {
				out = append(out, span{fam: famDash, open: end, close: p[1], parts: [][2]int{{end + dw, p[1]}}, first: pi, last: pi})
			}
		}
		return out
	}
	end := p[1]
	if len(dashes) > 0 {
		// "—¿Y si no llueve? —le preguntamos a Villalba.": what follows the
		// last dash is the writer's, whom herald does not know as a speaker.
		end = dashes[len(dashes)-1]
	}
	return []span{{fam: famDash, open: open, close: end, parts: [][2]int{{start, end}}, first: pi, last: pi}}
}

// addSingleSpans adds quotations in single marks that lie outside every
// double-quoted span. A single mark opens only at the start of a word and
// closes only at the end of one, which rules out apostrophes (NATO’s, don’t);
// among the closing candidates, one after punctuation (‘…,’ he said) wins
// over a bare one, which may be a plural possessive (the allies’ plan).
func (a *article) addSingleSpans(spans []span) []span {
	covered := make([]bool, len(a.text))
	for _, sp := range spans {
		for i := sp.open; i < sp.close; i++ {
			covered[i] = true
		}
	}
	inside := func(i int) bool { return covered[i] }
	var out []span
	for pi, p := range a.paras {
		for i := p[0]; i < p[1]; {
			r, w := utf8.DecodeRuneInString(a.text[i:])
			prev, next := a.runeAround(i, w, p)
			if (r != '‘' && r != '\'') || inside(i) || !openerLike(prev, next) ||
				!(unicode.IsLetter(next) || unicode.IsDigit(next)) {
				i += w
				continue
			}
			bare, punct := -1, -1
			bareW, punctW := 0, 0
			for j := i + w; j < min(p[1], i+maxSingleQuote); {
				r2, w2 := utf8.DecodeRuneInString(a.text[j:])
				if inside(j) {
					break
				}
				prev2, next2 := a.runeAround(j, w2, p)
				if (r2 == '’' || r2 == '\'') && !unicode.IsSpace(prev2) && !unicode.IsLetter(next2) && !unicode.IsDigit(next2) {
					if strings.ContainsRune(",.!?…", prev2) {
						punct, punctW = j, w2
						break
					}
					if bare < 0 {
						bare, bareW = j, w2
					}
				}
				j += w2
			}
			c, cw := punct, punctW
			if c < 0 {
				c, cw = bare, bareW
			}
			if c < 0 {
				i += w
				continue
			}
			out = append(out, span{fam: famSingle, open: i, close: c + cw, parts: [][2]int{{i + w, c}}, first: pi, last: pi})
			i = c + cw
		}
	}
	if len(out) == 0 {
		return spans
	}
	all := append(spans, out...)
	// Keep article order.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].open < all[j-1].open; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	return all
}

// quoteText joins the parts of a quotation with single spaces.
func (a *article) quoteText(sp span) string {
	var parts []string
	for _, pr := range sp.parts {
		parts = append(parts, a.text[pr[0]:pr[1]])
	}
	return collapse(strings.Join(parts, " "))
}
