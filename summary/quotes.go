package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"herald/news"
)

// Quotes returns every direct quotation of an article in article order, with
// its speaker ("" when the article does not say, or not clearly enough).
// text is plain text as PlainText returns it.
//
// Quotations are delimited by “ ”, „ “, « » and straight double quotes
// (paired by position), and by single quotes ‘ ’ only where they open and
// close at word boundaries (so NATO’s and don’t are apostrophes). A paragraph
// that opens a quotation without closing it continues into the following
// paragraphs, which may or may not reopen it with a mark, until the closing
// mark; the parts are joined with a single space. A quoted sentence followed
// by a comma and its attribution ("…to come,” said Stoltenberg; « … », a
// déclaré Macron) ends with a full stop instead of the comma. A quotation
// interrupted by its attribution (“We are ready to talk,” she said, “but not
// to surrender.”) is one quotation, its parts joined by a space.
//
// Short phrases in quotation marks are not quotations: fewer than four words
// without punctuation of their own (scare quotes: “war fatigue”; the full stop
// or comma that English puts inside the marks does not count: “new.”,
// “terrorism,”), titles of works and names (every significant word
// capitalised: “Deterministic Nonperiodic Flow.”), and phrases after
// "so-called", "dubbed", "titled", "book"… A phrase without punctuation of its
// own is kept only when a speech verb attributes it (“a clear message” in
// "Schumer said the vote sent “a clear message”").
//
// The speaker comes from an attribution after the quotation (“…,” said
// Stoltenberg; “…,” he said; “…,” Stoltenberg told reporters; “…,” the
// minister added; “…,” Pakistan-based developer Ammar Askar wrote; “…,” as
// Reuters reported; », a déclaré Emmanuel Macron; ”, disse ele; ”, avaliou,
// whose subject is the person last spoken of) or before it (Stoltenberg said:
// “…”; said Jens Stoltenberg: “…”; according to X, “…”; selon X, « … »;
// segundo o presidente do partido, Marcos Figueiredo, “…”; Emery retweeted the
// story, saying, “…”, where a participle takes the subject of its clause).
// Without a speech verb, a quotation after a colon belongs to the subject of
// the clause before the colon (De Miranda evokes it in his introduction:
// “…”). A paragraph that is only a quotation, right after an attributed one,
// inherits its speaker, and so does a quotation that follows an attributed one
// and its attribution in the same paragraph (“…,” he said. “…”). A quotation
// that opens a sentence and ends its paragraph, after a sentence whose subject
// is a person who acts (Keller smiled. “…”; not Keller was booed. “…”), is that
// person's.
//
// Speakers are normalised to a full name: titles and honorifics are stripped
// ("NATO Secretary General Jens Stoltenberg", "Sen. Rand Paul", "le préfet des
// Bouches-du-Rhône, Christophe Morel"), a surname is expanded to the full name
// the article used ("Stoltenberg" → "Jens Stoltenberg"; "Lorenz" → "Edward
// Norton Lorenz", given without a title), a pronoun stands for the person last
// named as a speaker or as the first person of a sentence (matching he/she
// when the gender is known from a title, an honorific or the pronouns around
// the name), and a role ("the minister") for the person most recently named
// with that title. An indefinite role ("a spokesman") and a plural pronoun
// ("they") stay unnamed: when unsure, the speaker is left empty.
func Quotes(text string) []news.Quote {
	a := newArticle(text)
	var spans []span
	for _, sp := range a.findSpans() {
		if a.shapeOK(sp) {
			spans = append(spans, sp)
		}
	}
	if len(spans) == 0 {
		return nil
	}
	r := newResolver(a, spans)

	var out []news.Quote
	var prev *span
	prevSpeaker := ""
	for k := 0; k < len(spans); k++ {
		sp := spans[k]
		text := a.quoteText(sp)
		w, attributed, afterAttr := who{}, false, false
		if rest, iw, ok := insideAttribution(text); ok {
			// « Nous irons, affirme-t-elle. Et vite. »
			text, w, attributed = rest, iw, true
		}
		if attributed {
		} else if frag, base := a.afterFragment(sp, spans, k); frag != "" {
			toks := tokenize(frag, base)
			w, attributed = attributionAfter(toks)
			if !attributed && endsComma(text) {
				// “…,” Pakistan-based developer Ammar Askar wrote; “…,” as Reuters reported.
				w, attributed = looseAttributionAfter(toks)
			}
			if attributed && endsSentence(text) && !plausibleAfter(toks) {
				w, attributed = who{}, false
			}
			afterAttr = attributed
		}
		if !attributed {
			if frag, base := a.beforeFragment(sp, spans, k); frag != "" {
				toks := tokenize(frag, base)
				w, attributed = r.attributionBefore(toks)
				if !attributed && strings.HasSuffix(strings.TrimSpace(frag), ":") {
					// De Miranda evokes it in his introduction: “…”
					w = r.clauseSubject(toks, true)
					attributed = !w.empty()
				}
			}
		}
		speaker := ""
		switch {
		case attributed:
			speaker = r.resolve(w, sp.open)
		case prev != nil && prevSpeaker != "" && a.continues(*prev, sp):
			speaker, attributed = prevSpeaker, true
		default:
			// Keller smiled. “He is a special player.”
			if toks := a.sentenceBefore(sp, spans, k); toks != nil {
				if w = r.clauseSubject(toks, false); !w.empty() {
					speaker = r.resolve(w, sp.open)
					attributed = speaker != ""
				}
			}
		}
		if !a.quoteLike(sp, text, attributed) {
			continue
		}
		last := k
		if afterAttr && a.interrupted(spans, k) {
			// “We are ready to talk,” she said, “but not to surrender.”
			// is one quotation.
			text += " " + a.quoteText(spans[k+1])
			last = k + 1
		}
		if speaker != "" {
			r.said = append(r.said, mention{name: speaker, pos: sp.open})
			if w.gender != 0 && r.gender[speaker] == 0 {
				r.gender[speaker] = w.gender
			}
		}
		open, close := a.marks(sp, spans[last])
		out = append(out, news.Quote{Text: a.display(text, spans, last), Speaker: speaker, Open: open, Close: close})
		prev, prevSpeaker = &spans[last], speaker
		k = last
	}
	return out
}

// insideAttribution finds an attribution that interrupts a quotation inside
// its marks, as French and Russian write it (« Nous irons, affirme-t-elle.
// Et vite. », «Я приду, — сказал он, — завтра»): a comma, maybe a dash, a
// speech verb that comes first and its subject, up to the next comma or full
// stop, with more of the quotation after it. It returns the quotation
// without the attribution.
func insideAttribution(text string) (string, who, bool) {
	toks := tokenize(text, 0)
	for c := 0; c < len(toks); c++ {
		if toks[c].s != "," || c == 0 {
			continue
		}
		v := c + 1
		if v < len(toks) && (toks[v].s == "—" || toks[v].s == "–") {
			v++
		}
		e := v
		for e < len(toks) && e-v < 6 && toks[e].word {
			e++
		}
		if e == v || e >= len(toks) || (toks[e].s != "," && toks[e].s != ".") {
			continue
		}
		first := v
		for first < e && (toks[first].s == "a" || toks[first].s == "avait" || auxWords[toks[first].s]) {
			first++
		}
		if ok, _, _, _ := speechVerbAt(toks, first); !ok {
			if ok2, _, _, _ := speechVerbAt(toks, first+1); !(ok2 && first+1 < e && pronounAt(toks, first)) {
				continue
			}
		}
		w, ok := attributionAfter(toks[c:e])
		if !ok || w.empty() {
			continue
		}
		after := e + 1
		if after < len(toks) && (toks[after].s == "—" || toks[after].s == "–") {
			after++
		}
		if after >= len(toks) {
			continue
		}
		rest := strings.TrimSpace(text[toks[after].pos:])
		head := strings.TrimSpace(text[:toks[c].pos])
		if rest == "" {
			continue
		}
		if toks[e].s == "." {
			return head + ". " + rest, w, true
		}
		return head + ", " + rest, w, true
	}
	return text, who{}, false
}

// pronounAt reports whether toks[i] is a personal pronoun.
func pronounAt(toks []token, i int) bool {
	_, ok := pronouns[toks[i].lower()]
	return ok && toks[i].word
}

// marks returns the marks that open quotation sp and close quotation end
// (the same one unless the quotation was interrupted), with the space inside
// them that French guillemets take; none for dialogue after a dash and for
// straight marks, which typewriters put for curly ones.
func (a *article) marks(sp, end span) (string, string) {
	if sp.fam == famDash || end.fam == famDash || sp.fam == famStraight || a.text[sp.open] == '\'' {
		// Dialogue has no marks; straight marks stand in for curly ones.
		return "", ""
	}
	o, ow := utf8.DecodeRuneInString(a.text[sp.open:])
	c, cw := utf8.DecodeLastRuneInString(a.text[:end.close])
	open, close := string(o), string(c)
	if next, _ := utf8.DecodeRuneInString(a.text[sp.open+ow:]); unicode.IsSpace(next) {
		open += " "
	}
	if prev, _ := utf8.DecodeLastRuneInString(a.text[:end.close-cw]); unicode.IsSpace(prev) {
		close = " " + close
	}
	return open, close
}

// plausibleAfter checks an attribution that follows a quotation ending its own
// sentence (“We will win.” Kuleba said…): it must be a short sentence of its
// own ("Kuleba said.", "Kuleba told reporters on Monday."), not the start of
// a new statement ("Kuleba said the alliance must…").
func plausibleAfter(toks []token) bool {
	words, verb := 0, false
	for i, t := range toks {
		if !verb {
			if ok, _, _, _ := speechVerbAt(toks, i); ok {
				verb = true
			}
			continue
		}
		if t.word {
			words++
		}
	}
	return words <= 6
}

// functionWords do not count when deciding whether a phrase is in title case.
var functionWords = setOf("a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for",
	"with", "from", "by", "as", "but", "nor", "de", "la", "le", "les", "du", "des", "et", "da",
	"do", "das", "dos", "e", "em", "no", "na", "um", "uma", "y", "el", "los", "las", "del", "vs",
	"into", "over", "under", "about", "is", "are", "that", "than", "via", "per")

// labelCues introduce a name or a label rather than reported speech.
var labelCues = []string{"so-called", "dubbed", "titled", "entitled", "nicknamed", "known as",
	"branded", "called it", "book", "novel", "film", "movie", "song", "album", "paper", "essay",
	"memoir", "series", "livre", "roman", "filme", "livro", "libro", "película"}

// shapeOK rejects, from its form alone, what is in quotation marks without
// being a quotation: short phrases without punctuation of their own, titles
// of works and names, labels after "so-called" or "dubbed".
func (a *article) shapeOK(sp span) bool {
	text := a.quoteText(sp)
	words := strings.Fields(text)
	if len(wordsOf(text)) == 0 {
		return false
	}
	if sp.fam == famDash {
		return true // dialogue is no scare quote nor title; quoteLike wants its attribution
	}
	punct := ownPunct(text)
	// A comma right after the closing mark („Wir helfen“, sagte Scholz) or
	// just inside it (“Never,” he said) lets a short phrase through;
	// quoteLike then wants an attribution.
	after := strings.TrimSpace(a.text[sp.close:a.paras[sp.last][1]])
	comma := strings.HasPrefix(after, ",") || strings.HasPrefix(after, "–") || strings.HasPrefix(after, "—") || endsComma(text)
	if len(words) < 4 && !punct && !comma {
		return false
	}
	if sig := titleWords(words); sig >= 3 && !endsQuestion(text) || sig > 0 && !punct {
		return false
	}
	if !punct || len(words) < 6 {
		before := strings.ToLower(strings.TrimSpace(a.text[max(a.paras[sp.first][0], sp.open-24):sp.open]))
		for _, cue := range labelCues {
			if strings.HasSuffix(before, cue) {
				return false
			}
		}
	}
	return true
}

// quoteLike is the final say: a phrase without punctuation of its own is a
// (partial) quotation only when attributed, and so is one whose only
// punctuation is the full stop or comma of the sentence around it (“new.”,
// “terrorism,”, “a career with words.”) unless it is a capitalised sentence
// of four words or more. Single quotation marks need an attribution or a whole
// sentence of four words or more.
func (a *article) quoteLike(sp span, text string, attributed bool) bool {
	if attributed {
		return true
	}
	if sp.fam == famDash {
		// A dash opens list items too: dialogue wants its attribution.
		return false
	}
	if sp.fam == famSingle {
		return endsPunct(text) && len(strings.Fields(text)) >= 4
	}
	if ownPunct(text) {
		return true
	}
	// A whole sentence of four words or more (“We have enough shells.”);
	// a fragment (“a career with words.”) wants an attribution.
	return endsSentence(text) && len(wordsOf(text)) >= 4 && startsCapital(text)
}

// startsCapital reports whether the first letter or digit of s is a capital
// or a digit ("#Hamilton show…", "[T]he…", "2024 was…").
func startsCapital(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.IsUpper(r) || unicode.IsDigit(r)
		}
	}
	return false
}

// ownPunct reports whether a quotation has punctuation of its own: inside
// it, or a final question or exclamation mark. A final full stop or comma
// does not count, since English puts the punctuation of the sentence around
// a short quotation inside the marks (the so-called “new.”).
func ownPunct(s string) bool {
	t := strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	if endsQuestion(t) {
		return true
	}
	t = strings.TrimSuffix(strings.TrimSuffix(t, "."), ",")
	return strings.ContainsAny(t, ".,!?;:…")
}

// endsQuestion reports whether s ends with a question or exclamation mark or
// an ellipsis, possibly inside closing marks.
func endsQuestion(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '?' || r == '!' || r == '…'
}

// endsComma reports whether s ends with a comma, possibly inside closing marks.
func endsComma(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	return strings.HasSuffix(s, ",")
}

// endsPunct reports whether s ends with a comma or sentence punctuation,
// possibly inside closing marks.
func endsPunct(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	return strings.HasSuffix(s, ",") || endsSentence(s)
}

// titleWords returns how many significant words a phrase has when every one
// of them starts with a capital, as in the title of a work ("The Rise and
// Fall of the Third Reich") or a name; 0 when one does not.
func titleWords(words []string) int {
	n := 0
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) })
		if w == "" || functionWords[strings.ToLower(w)] {
			continue
		}
		if !isCap(w) && !unicode.IsDigit(firstRune(w)) {
			return 0
		}
		n++
	}
	return n
}

// interrupted reports whether quotation k goes on in quotation k+1 after
// an attribution within the same sentence (“…,” she said, “…”).
func (a *article) interrupted(spans []span, k int) bool {
	if k+1 >= len(spans) || spans[k+1].first != spans[k].last || spans[k+1].fam != spans[k].fam {
		return false
	}
	between := a.text[spans[k].close:spans[k+1].open]
	return !strings.ContainsAny(between, ".!?") && strings.HasSuffix(strings.TrimSpace(between), ",")
}

// display is the quotation as an alert shows it. A quoted sentence that its
// attribution follows after a comma (“…,” he said / « … », a-t-il dit) ends
// with a full stop instead.
func (a *article) display(text string, spans []span, k int) string {
	t := strings.TrimSpace(text)
	sp := spans[k]
	after := strings.TrimSpace(a.text[sp.close:a.paras[sp.last][1]])
	comma := strings.HasSuffix(t, ",")
	if comma {
		t = strings.TrimSpace(strings.TrimSuffix(t, ","))
	}
	if (comma || strings.HasPrefix(after, ",")) && isCap(t) && !endsSentence(t) && len(strings.Fields(t)) >= 3 {
		t += "."
	}
	return t
}

// afterFragment returns the sentence that follows a quotation up to the next
// quotation in the paragraph, and its offset.
func (a *article) afterFragment(sp span, spans []span, k int) (string, int) {
	end := a.paras[sp.last][1]
	if k+1 < len(spans) && spans[k+1].first == sp.last {
		end = min(end, spans[k+1].open)
	}
	if sp.close >= end {
		return "", 0
	}
	seg := a.text[sp.close:end]
	sents := sentenceSpans(seg)
	if len(sents) == 0 {
		return "", 0
	}
	return seg[:sents[0][1]], sp.close
}

// beforeFragment returns the part of the sentence before a quotation (since
// the previous quotation in the paragraph), and its offset. A quotation that
// opens a paragraph may be introduced by the previous one ending in a colon
// ("Stoltenberg said:").
func (a *article) beforeFragment(sp span, spans []span, k int) (string, int) {
	p := a.paras[sp.first]
	start := p[0]
	if k > 0 && spans[k-1].last == sp.first {
		start = max(start, spans[k-1].close)
	}
	seg := a.text[start:sp.open]
	if strings.TrimSpace(seg) == "" {
		if sp.first == 0 || k > 0 && spans[k-1].last == sp.first {
			return "", 0
		}
		q := a.paras[sp.first-1]
		st := q[0]
		if k > 0 && spans[k-1].last == sp.first-1 {
			st = max(st, spans[k-1].close)
		}
		prev := strings.TrimSpace(a.text[st:q[1]])
		if !strings.HasSuffix(prev, ":") {
			return "", 0
		}
		start, seg = st, a.text[st:q[1]]
	}
	if endsSentence(seg) {
		return "", 0
	}
	sents := sentenceSpans(seg)
	if len(sents) == 0 {
		return "", 0
	}
	last := sents[len(sents)-1]
	return seg[last[0]:], start + last[0]
}

// sentenceBefore returns the sentence before a quotation that opens a
// sentence in the middle of its paragraph and runs to the paragraph's end,
// when that sentence holds no quotation and is not the attribution of the
// quotation before ("…,” he said. “…"); otherwise nil.
func (a *article) sentenceBefore(sp span, spans []span, k int) []token {
	p := a.paras[sp.first]
	if strings.TrimFunc(a.text[sp.close:a.paras[sp.last][1]], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) != "" {
		return nil
	}
	start := p[0]
	if k > 0 && spans[k-1].last == sp.first {
		start = spans[k-1].close
	}
	seg := a.text[start:sp.open]
	if strings.TrimSpace(seg) == "" || !endsSentence(seg) {
		return nil
	}
	sents := sentenceSpans(seg)
	if len(sents) == 0 || start != p[0] && len(sents) == 1 {
		return nil
	}
	last := sents[len(sents)-1]
	return tokenize(seg[last[0]:last[1]], start+last[0])
}

// outside returns the stretches of the article outside quotations.
func (a *article) outside(spans []span) [][2]int {
	var out [][2]int
	for pi, p := range a.paras {
		pos := p[0]
		for _, sp := range spans {
			if sp.last < pi || sp.first > pi {
				continue
			}
			s, e := max(sp.open, p[0]), min(sp.close, p[1])
			if s > pos {
				out = append(out, [2]int{pos, s})
			}
			pos = max(pos, e)
		}
		if pos < p[1] {
			out = append(out, [2]int{pos, p[1]})
		}
	}
	return out
}
