package summary

import (
	"sort"
	"strings"
	"unicode"

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
// without punctuation (scare quotes: “war fatigue”), titles of works and names
// (every significant word capitalised and no final punctuation), and phrases
// after "so-called", "dubbed", "titled"… A phrase without any punctuation is
// kept only when a speech verb attributes it (“a clear message” in "Schumer
// said the vote sent “a clear message”").
//
// The speaker comes from an attribution after the quotation (“…,” said
// Stoltenberg; “…,” he said; “…,” Stoltenberg told reporters; “…,” the
// minister added; », a déclaré Emmanuel Macron; ”, disse ele) or before it
// (Stoltenberg said: “…”; said Jens Stoltenberg: “…”; according to X, “…”;
// selon X, « … »; segundo X, “…”). A paragraph that is only a quotation,
// right after an attributed one, inherits its speaker, and so does a
// quotation that ends a paragraph right after an attributed one and its
// attribution (“…,” he said. “…”).
//
// Speakers are normalised to a full name: titles and honorifics are stripped
// ("NATO Secretary General Jens Stoltenberg", "Sen. Rand Paul"), a surname is
// expanded to the full name the article used ("Stoltenberg" → "Jens
// Stoltenberg"), a pronoun stands for the person last named as a speaker or
// as the first person of a sentence (matching he/she when the gender is
// known), and a role ("the minister") for the person most recently named with
// that title. An indefinite role ("a spokesman") stays unnamed.
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
		if frag, base := a.afterFragment(sp, spans, k); frag != "" {
			toks := tokenize(frag, base)
			w, attributed = attributionAfter(toks)
			if attributed && endsSentence(text) && !plausibleAfter(toks) {
				w, attributed = who{}, false
			}
			afterAttr = attributed
		}
		if !attributed {
			if frag, base := a.beforeFragment(sp, spans, k); frag != "" {
				w, attributed = attributionBefore(tokenize(frag, base))
			}
		}
		speaker := ""
		switch {
		case attributed:
			speaker = r.resolve(w, sp.open)
		case prev != nil && prevSpeaker != "" && a.continues(*prev, sp):
			speaker, attributed = prevSpeaker, true
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
			if w.pron != "" && w.gender != 0 && r.gender[speaker] == 0 {
				r.gender[speaker] = w.gender
			}
		}
		out = append(out, news.Quote{Text: a.display(text, spans, last), Speaker: speaker})
		prev, prevSpeaker = &spans[last], speaker
		k = last
	}
	return out
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
	"into", "over", "under", "about", "is", "are")

// labelCues introduce a name or a label rather than reported speech.
var labelCues = []string{"so-called", "dubbed", "titled", "entitled", "nicknamed", "known as", "branded", "called it"}

// shapeOK rejects, from its form alone, what is in quotation marks without
// being a quotation: short phrases without punctuation, titles of works and
// names, labels after "so-called" or "dubbed".
func (a *article) shapeOK(sp span) bool {
	text := a.quoteText(sp)
	words := strings.Fields(text)
	if len(wordsOf(text)) == 0 {
		return false
	}
	punct := strings.ContainsAny(text, ".,!?;:…")
	// A comma right after the closing mark („Wir helfen“, sagte Scholz)
	// lets a short phrase through; quoteLike then wants an attribution.
	comma := strings.HasPrefix(strings.TrimSpace(a.text[sp.close:a.paras[sp.last][1]]), ",")
	if len(words) < 4 && !punct && !comma {
		return false
	}
	if titleCase(words) && !endsPunct(text) {
		return false
	}
	if !punct {
		before := strings.ToLower(a.text[max(a.paras[sp.first][0], sp.open-24):sp.open])
		for _, cue := range labelCues {
			if strings.HasSuffix(strings.TrimSpace(before), cue) {
				return false
			}
		}
	}
	return true
}

// quoteLike is the final say: a phrase without punctuation is a (partial)
// quotation only when attributed, and single quotation marks need an
// attribution or a whole sentence of four words or more.
func (a *article) quoteLike(sp span, text string, attributed bool) bool {
	if attributed {
		return true
	}
	if sp.fam == famSingle {
		return endsPunct(text) && len(strings.Fields(text)) >= 4
	}
	return strings.ContainsAny(text, ".,!?;:…")
}

// endsPunct reports whether s ends with a comma or sentence punctuation,
// possibly inside closing marks.
func endsPunct(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	return strings.HasSuffix(s, ",") || endsSentence(s)
}

// titleCase reports whether every significant word starts with a capital,
// as in the title of a work ("The Rise and Fall of the Third Reich").
func titleCase(words []string) bool {
	n := 0
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) })
		if w == "" || functionWords[strings.ToLower(w)] {
			continue
		}
		if !isCap(w) && !unicode.IsDigit(firstRune(w)) {
			return false
		}
		n++
	}
	return n > 0
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

// person is a name the article gives, where it gives it.
type person struct {
	name string
	toks []string
	pos  int
}

// roleEntry says that the article called a person by a title.
type roleEntry struct {
	words map[string]bool
	name  string
	pos   int
}

// mention is a person named at a place in the article, a candidate for a
// later pronoun.
type mention struct {
	name string
	pos  int
}

// resolver knows the people of one article: their full names, titles,
// genders and where they were last named.
type resolver struct {
	persons  []person
	roles    []roleEntry
	mentions []mention // the first person named in each sentence outside quotations
	others   []mention // every other person named outside quotations
	said     []mention // the speakers of the quotations so far
	gender   map[string]byte
	known    map[string]bool  // every name in persons
	byToken  map[string][]int // persons with a full name, by each word of it
}

func newResolver(a *article, spans []span) *resolver {
	r := &resolver{gender: map[string]byte{}, known: map[string]bool{}, byToken: map[string][]int{}}
	var sentences [][]token
	for _, seg := range a.outside(spans) {
		s := a.text[seg[0]:seg[1]]
		for _, sp := range sentenceSpans(s) {
			sentences = append(sentences, tokenize(s[sp[0]:sp[1]], seg[0]+sp[0]))
		}
	}
	for _, toks := range sentences {
		r.learn(toks)
	}
	for _, toks := range sentences {
		first := true
		for i := 0; i < len(toks); {
			run, det, end := runForward(toks, i)
			if len(run) == 0 {
				i = max(end, i+1)
				continue
			}
			if w := normalize(run, det); w.name != "" {
				if name := r.fullName(w.name, run[0].pos); r.isPerson(name) {
					m := mention{name: name, pos: run[0].pos}
					if first {
						r.mentions = append(r.mentions, m)
						first = false
					} else {
						r.others = append(r.others, m)
					}
				}
			}
			i = end
		}
	}
	return r
}

// learn records the people a sentence names: with a title or an honorific
// ("Foreign Minister Dmytro Kuleba", "Mr. Smith"), with a title in apposition
// ("Dmytro Kuleba, Ukraine's foreign minister," / "A ministra da Saúde,
// Nísia Trindade,"), or as the subject of a speech verb.
func (r *resolver) learn(toks []token) {
	for i := 0; i < len(toks); {
		run, det, end := runForward(toks, i)
		if len(run) == 0 {
			i = max(end, i+1)
			continue
		}
		w := normalize(run, det)
		if w.name != "" && (w.titled || i == 0 && det == "" && subjectName(run, toks, end)) {
			r.addPerson(w, run[0].pos)
		}
		if end < len(toks) && toks[end].s == "," {
			arun, adet, aend := runForward(toks, end+1)
			closed := aend == len(toks) || !toks[aend].word && strings.Contains(",.;", toks[aend].s)
			if len(arun) > 0 && closed {
				app := normalize(arun, adet)
				switch {
				case w.name != "" && app.name == "" && hasTitleNoun(app.role):
					w.role, w.titled = app.role, true
					if app.gender != 0 {
						w.gender = app.gender
					}
					r.addPerson(w, run[0].pos)
				case w.name == "" && hasTitleNoun(w.role) && app.name != "":
					app.role, app.titled = append(app.role, w.role...), true
					if w.gender != 0 {
						app.gender = w.gender
					}
					r.addPerson(app, arun[0].pos)
				}
			}
		}
		i = end
	}
	for v := range toks {
		ok, end, forward, invertible := speechVerbAt(toks, v)
		if !ok || forward {
			continue
		}
		if s := subjectBefore(toks, v); s.name != "" {
			r.addPerson(s, toks[v].pos)
		} else if invertible {
			if s := speakerAfter(toks, end); s.name != "" {
				r.addPerson(s, toks[v].pos)
			}
		}
	}
}

// subjectName reports whether a run opening a sentence looks like the full
// name of a person doing something ("Dmytro Kuleba welcomed…"): two or three
// capitalised words, none of which usually names a place or a body, followed
// by a lower-case word.
func subjectName(run, toks []token, end int) bool {
	if len(run) < 2 || len(run) > 3 || end >= len(toks) || !toks[end].word || isCap(toks[end].s) {
		return false
	}
	for _, t := range run {
		if !t.word || isAcronym(t.s) || isPossessive(t.s) || placeWords[t.lower()] || isDemonym(t.s) {
			return false
		}
	}
	return true
}

// placeWords appear in the names of places, bodies and things, which open
// sentences as often as people do ("North Korea has…", "Black Sea Fleet").
var placeWords = setOf(strings.Fields(`north south east west new saint san santa los las united
	great black red white middle hong tel sri costa puerto buenos rio são sao abu kuala upper lower
	sea ocean gulf bay river lake island islands mountain mountains city province region oblast
	state states kingdom republic union nations council house street square palace court
	parliament assembly commission agency ministry department office army forces fleet navy bank
	fund group company party front alliance summit treaty university institute centre center
	airport station bridge port day week korea arabia africa america zealand emirates york
	jersey delhi east guard police service services times post news press radio television tv`)...)

func hasTitleNoun(role []string) bool {
	for _, w := range role {
		if _, ok := titleNouns[w]; ok {
			return true
		}
	}
	return false
}

func (r *resolver) addPerson(w who, pos int) {
	// A surname alone is the person already known by the full name.
	name := r.fullName(w.name, pos)
	p := person{name: name, toks: strings.Fields(name), pos: pos}
	if len(p.toks) >= 2 {
		for _, t := range p.toks {
			r.byToken[t] = append(r.byToken[t], len(r.persons))
		}
	}
	r.persons = append(r.persons, p)
	r.known[name] = true
	if w.gender != 0 && r.gender[name] == 0 {
		r.gender[name] = w.gender
	}
	if len(w.role) > 0 {
		words := map[string]bool{}
		for _, x := range w.role {
			for _, part := range strings.Split(x, "-") {
				words[part] = true
			}
		}
		r.roles = append(r.roles, roleEntry{words: words, name: name, pos: pos})
	}
}

func (r *resolver) isPerson(name string) bool { return r.known[name] }

// resolve turns what an attribution says into a speaker's full name, or ""
// when it cannot be told.
func (r *resolver) resolve(w who, pos int) string {
	switch {
	case w.pron != "":
		return r.pronoun(w.gender, pos)
	case w.name != "":
		return r.fullName(w.name, pos)
	case len(w.role) > 0:
		return r.role(w.role, w.det, pos)
	}
	return ""
}

// fullName expands a surname ("Stoltenberg") to the full name the article
// used for that person ("Jens Stoltenberg"), preferring the latest mention
// before pos. A name that ends with a known full name is that person
// ("Brussels Jens Stoltenberg" read across a missing comma).
func (r *resolver) fullName(name string, pos int) string {
	toks := strings.Fields(name)
	if len(toks) >= 2 {
		for k := range len(toks) - 1 {
			if suffix := strings.Join(toks[k:], " "); r.known[suffix] {
				return suffix
			}
		}
		// A surname of several words: "Von der Leyen", "Lula da Silva".
		lower := " " + strings.ToLower(name)
		ends := func(p person) bool {
			return len(p.toks) > len(toks) && strings.HasSuffix(strings.ToLower(p.name), lower)
		}
		if found := r.latestPerson(r.byToken[toks[len(toks)-1]], pos, ends); found != "" {
			return found
		}
		return name
	}
	cands := r.byToken[name]
	if found := r.latestPerson(cands, pos, func(p person) bool { return p.toks[len(p.toks)-1] == name }); found != "" {
		return found
	}
	if found := r.latestPerson(cands, pos, func(person) bool { return true }); found != "" {
		return found
	}
	return name
}

// latestPerson returns, among the persons at the indices given, the one
// passing the test that was named last before pos, else the first one named
// after it.
func (r *resolver) latestPerson(idx []int, pos int, ok func(person) bool) string {
	found, foundPos := "", -1
	for _, i := range idx {
		p := r.persons[i]
		if !ok(p) {
			continue
		}
		switch {
		case found == "",
			p.pos < pos && (foundPos >= pos || p.pos > foundPos),
			p.pos >= pos && foundPos >= pos && p.pos < foundPos:
			found, foundPos = p.name, p.pos
		}
	}
	return found
}

// pronoun resolves he/she/they to the person last named before pos, as a
// speaker or as the first person of a sentence, skipping people of the other
// gender when both genders are known; failing that, to anybody named before.
func (r *resolver) pronoun(g byte, pos int) string {
	if name := latestMention(r, g, pos, r.mentions, r.said); name != "" {
		return name
	}
	// Nobody fits among speakers and subjects: try anybody named.
	return latestMention(r, g, pos, r.others)
}

// latestMention returns the person of compatible gender mentioned last
// before pos in any of the lists, each sorted by position.
func latestMention(r *resolver, g byte, pos int, lists ...[]mention) string {
	best, bestPos := "", -1
	for _, list := range lists {
		i := sort.Search(len(list), func(i int) bool { return list[i].pos >= pos })
		for i--; i >= 0 && list[i].pos > bestPos; i-- {
			m := list[i]
			if mg := r.gender[m.name]; g != 0 && mg != 0 && mg != g {
				continue
			}
			best, bestPos = m.name, m.pos
			break
		}
	}
	return best
}

// role resolves "the minister" to the person the article most recently
// called by that title before pos. "A spokesman" is somebody else.
func (r *resolver) role(words []string, det string, pos int) string {
	head := words[len(words)-1]
	if _, ok := titleNouns[head]; !ok {
		return ""
	}
	if det == "an" || det == "a" && englishTitleSet[head] {
		return ""
	}
	q := map[string]bool{}
	for _, x := range words {
		for _, part := range strings.Split(x, "-") {
			q[part] = true
		}
	}
	best, bestPos := "", -1
	for _, e := range r.roles {
		if e.pos >= pos || e.pos < bestPos || !matchRole(q, e.words) {
			continue
		}
		best, bestPos = e.name, e.pos
	}
	return best
}

// matchRole reports whether a title as queried ("minister") fits a title as
// given ("foreign minister"), but not a different office ("deputy minister").
func matchRole(q, given map[string]bool) bool {
	for w := range q {
		if !given[w] {
			return false
		}
	}
	for w := range given {
		if rankModifiers[w] && !q[w] {
			return false
		}
	}
	return true
}
