package summary

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"herald/news"
)

// Limits of a lead, in characters.
const (
	// LeadMax is the longest lead Lead returns, "…" included.
	LeadMax = 300
	// leadShort is the length under which a first sentence is joined by the second.
	leadShort = 120
)

// Lead returns the summary of an article: its first sentence, or its first two
// when the first is short (under 120 characters) and both fit in 300, cut at a
// word boundary with "…" when longer than 300 characters. Datelines
// ("BRUSSELS (Reuters) -", "KYIV, April 3 —", "date 2024-04-03"), bylines
// ("By Jane Doe"), agency boilerplate ("(MENAFN- UkrinForm)") and a first
// sentence that repeats the title are left out, and so are short opening
// paragraphs without sentence punctuation (a repeated headline, a photo
// credit). text is plain text as PlainText returns it.
func Lead(title, text string) string {
	paras := paragraphs(text)
	sents := leadSentences(title, paras, true)
	if len(sents) == 0 {
		sents = leadSentences(title, paras, false)
	}
	if len(sents) == 0 {
		return ""
	}
	s := sents[0]
	if !balancedQuotes(s) && len(sents) > 1 && balancedQuotes(s+" "+sents[1]) && runeLen(s)+1+runeLen(sents[1]) <= LeadMax {
		// «Ми не відступимо. Жодних переговорів не буде», — заявив Коваль.
		// is one sentence for a reader: a lead never ends inside marks.
		s += " " + sents[1]
		sents = sents[1:]
	}
	if len(sents) > 1 && runeLen(s) < leadShort && runeLen(s)+1+runeLen(sents[1]) <= LeadMax && balancedQuotes(sents[1]) {
		if r, _ := utf8.DecodeLastRuneInString(s); isWideTerminal(r) {
			s += sents[1] // Chinese and Japanese put no space between sentences
		} else {
			s += " " + sents[1]
		}
	}
	return cutWords(s, LeadMax)
}

// Title cleans a title taken from the first line of a text article: a
// dateline, an agency tag or a byline before it ("date 2024-04-03 (MENAFN-
// UkrinForm) NATO foreign ministers…", "KYIV, April 3 (Reuters) - …",
// "Київ, 3 квітня (Укрінформ) – …") is left out. A line that is nothing but
// such noise is kept as it is, so that a title is never lost.
func Title(line string) string {
	line = collapse(line)
	if t := stripLeadNoise(line); t != "" {
		return t
	}
	return line
}

// balancedQuotes reports whether every quotation opened in s is closed in s,
// so a sentence that is the first piece of a longer quote never ends a lead
// with a dangling quotation mark.
func balancedQuotes(s string) bool {
	open := 0
	straight := 0
	for _, r := range s {
		switch r {
		case '“', '«', '„':
			open++
		case '”', '»':
			open--
		case '"':
			straight++
		}
	}
	return open == 0 && straight%2 == 0
}

// leadSentences returns up to two sentences from the start of the article.
// With strict set, paragraphs that do not end a sentence and are short (a
// heading, a credit line) are skipped.
func leadSentences(title string, paras []string, strict bool) []string {
	var sents []string
	for _, p := range paras {
		if len(sents) == 0 {
			p = stripLeadNoise(p)
		}
		if p == "" || skipParagraphRE.MatchString(p) || captionRE.MatchString(p) {
			continue
		}
		if strict && !endsSentence(p) && runeLen(p) < 150 {
			continue
		}
		for _, s := range splitSentences(p) {
			if len(sents) == 0 && similarToTitle(s, title) {
				continue
			}
			sents = append(sents, s)
			if len(sents) == 2 {
				return sents
			}
		}
	}
	return sents
}

// skipParagraphRE matches paragraphs that are never part of a lead.
var skipParagraphRE = regexp.MustCompile(`(?i)^(?:read (?:also|more)|also read|see also|photo|video|source|image|credit|watch)\s*:`)

// captionRE matches photo captions that pages leave among the paragraphs:
// "In this photo taken Tuesday, …", "… (AP Photo/Jane Doe)", "… (Photo: Reuters)".
var captionRE = regexp.MustCompile(`(?i)^(?:in )?this (?:file )?(?:photo|image|picture|handout)\b|\([^()]*\b(?:photo|foto|pictures?|images?)\b[^()]*\)\s*$`)

// Patterns of the boilerplate that precedes the first sentence of wire copy.
var (
	month = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`
	date  = `(?:` + month + `\.?\s+\d{1,2}(?:,?\s+\d{4})?|\d{1,2}\s+` + month + `\.?(?:\s+\d{4})?)`
	dash  = `\s*(?:-{1,2}|–|—|\|)\s*`

	// "date 2024-04-03", "Published: 2024-04-03 10:15", "03.04.2024 -"
	dateLineRE = regexp.MustCompile(`^(?i:(?:date|dated|published|posted|updated|last updated)\s*:?\s*)?(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}(?:,?\s+\d{1,2}:\d{2})?)(?:` + dash + `|\s+|$)`)
	// "(MENAFN- UkrinForm)", "(Reuters) -", "(Updated with …)"
	parenLeadRE = regexp.MustCompile(`^\([^()]{1,60}\)(?:` + dash + `|\s*:\s*|\s+|$)`)
	// "BRUSSELS (Reuters) -", "KYIV, April 3 —", "NEW DELHI:", "PARIS, 12 mars (AFP) –"
	capsDatelineRE = regexp.MustCompile(`^\p{Lu}[\p{Lu}'’.-]+(?:\s+\p{Lu}[\p{Lu}'’.-]*){0,3}(?:,\s*[\p{Lu}\d][^()\n–—:]{0,28}?)?\s*(?:\([^()]{1,40}\))?(?:\s*(?:-{1,2}|–|—)\s+|\s*:\s+)`)
	// "Kyiv, April 3 —", "Brussels (AP) -"
	mixedDatelineRE = regexp.MustCompile(`^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){0,2}(?:,\s*\p{Lu}[\p{L}.]+)?(?:,\s*` + date + `\s*(?:\([^()]{1,40}\))?|\s*\([^()]{1,40}\))` + dash)
	// "April 3, 2024 —"
	dateDatelineRE = regexp.MustCompile(`^` + date + dash)
	// "By Jane Doe", "By J. R. Smith and John Roe"
	bylineRE = regexp.MustCompile(`^(?:By|BY|Por|Par)\s+(?:(?:\p{Lu}\.|\p{Lu}[\p{Ll}'’-]+)\s*){1,4}(?:(?:,|and|&|e|et)\s+(?:(?:\p{Lu}\.|\p{Lu}[\p{Ll}'’-]+)\s*){1,4})*`)
)

// foreignDatelineRE matches datelines with a month in one of the languages
// of lang/*.txt: "Київ, 3 квітня (Укрінформ) –", "Warszawa, 5 maja (PAP) –",
// "Praha, 14. října (ČTK) –", "Москва, 12 марта —", "LISBOA, 7 de junho (Lusa) -".
// It is built on first use, once the word lists are loaded.
var foreignDatelineRE = sync.OnceValue(func() *regexp.Regexp {
	var months []string
	for _, d := range languages {
		months = append(months, d.months...)
	}
	sort.Strings(months)
	return regexp.MustCompile(`^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){0,2},\s*\d{1,2}\.?\s+(?:de\s+)?(?i:` +
		strings.Join(months, "|") + `)(?:\s+(?:de\s+)?\d{4})?\s*(?:\([^()]{1,40}\))?` + dash)
})

// stripLeadNoise removes datelines, bylines and agency tags from the start of
// a paragraph, repeatedly, since they come in any combination.
func stripLeadNoise(p string) string {
	for range 8 {
		before := p
		for _, re := range []*regexp.Regexp{dateLineRE, parenLeadRE, capsDatelineRE, mixedDatelineRE, dateDatelineRE, foreignDatelineRE()} {
			if loc := re.FindStringIndex(p); loc != nil {
				p = strings.TrimSpace(p[loc[1]:])
			}
		}
		p = stripByline(p)
		if p == before {
			break
		}
	}
	return p
}

// stripByline removes "By Jane Doe" when what follows it shows it is a byline:
// nothing, a separator, an affiliation ("By Jane Doe, Reuters") or a
// capitalised dateline ("By Jane Doe BRUSSELS (Reuters) -").
func stripByline(p string) string {
	loc := bylineRE.FindStringIndex(p)
	if loc == nil {
		return p
	}
	rest := strings.TrimSpace(p[loc[1]:])
	switch {
	case rest == "":
		return ""
	case strings.HasPrefix(rest, ",") && !endsSentence(rest) && runeLen(rest) < 50:
		return ""
	case strings.ContainsRune("|•·—–-(", firstRune(rest)):
		return strings.TrimSpace(strings.TrimLeft(rest, "|•·—–- "))
	case capsDatelineRE.MatchString(rest):
		return rest
	}
	return p
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// similarToTitle reports whether sentence s repeats the title: the same words
// give or take a fifth of them, or a shorter sentence made of the title's
// words (a headline repeated without its kicker).
func similarToTitle(s, title string) bool {
	t := wordsOf(title)
	if len(t) == 0 {
		return false
	}
	ts := setOf(t...)
	ws := setOf(wordsOf(s)...)
	common := 0
	for x := range ws {
		if ts[x] {
			common++
		}
	}
	if len(ws) <= len(ts) && (common == len(ws) || len(ws) >= 3 && float64(common) >= 0.8*float64(len(ws))) {
		return true
	}
	return float64(common) >= 0.8*float64(max(len(ts), len(ws)))
}

// LeadFor is the lead of an article for an alert that matched on hits: Lead,
// followed, when no text hit appears in it, by the first sentence of the
// article that holds one, after " … ". Only hits in the text count (those in
// the title, feed, tags or authors say nothing about the body), compared word
// by word as Pick compares them. A hit inside a quotation does not count:
// Pick already prefers the quotation that holds it. The added sentence is
// cut like the lead, so the result is at most 2×LeadMax+3 characters.
func LeadFor(title, text string, hits []news.Hit) string {
	return NewLeads(title, text).For(hits)
}

// Leads gives the leads of one article for alerts, as LeadFor does, to
// many alerts at once: the lead, and the later sentences with their words
// outside quotations, are found once, when first needed, and each set of
// hit words is looked for once. One item can alert a thousand chats with
// as many watches; LeadFor for each would read the article a thousand
// times. A Leads is not safe for concurrent use.
type Leads struct {
	title, text string
	lead        string
	leadWords   []string
	leadDone    bool
	sents       []ownSentence // the sentences not in the lead, in text order
	sentsDone   bool
	memo        map[string]string // For's results, by the hit words looked for
}

// ownSentence is a sentence and its words outside quotations.
type ownSentence struct {
	text string
	own  []string
}

// NewLeads prepares the leads of an article; nothing is read until For.
func NewLeads(title, text string) *Leads { return &Leads{title: title, text: text} }

// For returns the lead for an alert with these hits (see LeadFor).
func (l *Leads) For(hits []news.Hit) string {
	if !l.leadDone {
		l.lead, l.leadDone = Lead(l.title, l.text), true
		l.leadWords = wordsOf(l.lead)
	}
	var need [][]string
	for _, h := range hits {
		if h.Field != "text" {
			continue
		}
		w := wordsOf(h.Text)
		if len(w) == 0 {
			continue
		}
		if containsSeq(l.leadWords, w) {
			return l.lead
		}
		need = append(need, w)
	}
	if len(need) == 0 {
		return l.lead
	}
	var key strings.Builder
	for _, w := range need {
		key.WriteString(strings.Join(w, " "))
		key.WriteByte(0)
	}
	if out, ok := l.memo[key.String()]; ok {
		return out
	}
	out := l.lead
	if s := l.firstSentenceWith(need); s != "" {
		if l.lead == "" {
			out = cutWords(s, LeadMax)
		} else {
			out = l.lead + " … " + cutWords(s, LeadMax)
		}
	}
	if l.memo == nil {
		l.memo = map[string]string{}
	}
	l.memo[key.String()] = out
	return out
}

// firstSentenceWith returns the first sentence of the text, not already in
// the lead, that contains one of the word sequences outside its quotations.
func (l *Leads) firstSentenceWith(need [][]string) string {
	if !l.sentsDone {
		l.sents, l.sentsDone = ownSentences(l.text, l.lead), true
	}
	for _, s := range l.sents {
		for _, w := range need {
			if containsSeq(s.own, w) {
				return s.text
			}
		}
	}
	return ""
}

// ownSentences returns the sentences of text not already in lead, each
// with its words outside quotations.
func ownSentences(text, lead string) []ownSentence {
	a := newArticle(text)
	var spans []span
	for _, sp := range a.findSpans() {
		if a.shapeOK(sp) {
			spans = append(spans, sp)
		}
	}
	outside := a.outside(spans)
	var out []ownSentence
	for _, p := range a.paras {
		para := a.text[p[0]:p[1]]
		for _, ss := range sentenceSpans(para) {
			s, e := p[0]+ss[0], p[0]+ss[1]
			sent := a.text[s:e]
			if strings.Contains(lead, sent) {
				continue
			}
			var own []string // the words of the sentence outside quotations
			for _, o := range outside {
				if lo, hi := max(o[0], s), min(o[1], e); lo < hi {
					own = append(own, wordsOf(a.text[lo:hi])...)
				}
			}
			out = append(out, ownSentence{sent, own})
		}
	}
	return out
}
