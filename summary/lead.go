package summary

import (
	"regexp"
	"strings"
	"unicode/utf8"
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
	if len(sents) > 1 && runeLen(s) < leadShort && runeLen(s)+1+runeLen(sents[1]) <= LeadMax && balancedQuotes(sents[1]) {
		s += " " + sents[1]
	}
	return cutWords(s, LeadMax)
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
		if p == "" || skipParagraphRE.MatchString(p) {
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

// stripLeadNoise removes datelines, bylines and agency tags from the start of
// a paragraph, repeatedly, since they come in any combination.
func stripLeadNoise(p string) string {
	for range 8 {
		before := p
		for _, re := range []*regexp.Regexp{dateLineRE, parenLeadRE, capsDatelineRE, mixedDatelineRE, dateDatelineRE} {
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

// similarToTitle reports whether sentence s repeats the title: the same words,
// give or take a fifth of them.
func similarToTitle(s, title string) bool {
	t := wordsOf(title)
	if len(t) == 0 {
		return false
	}
	w := wordsOf(s)
	ts := setOf(t...)
	ws := setOf(w...)
	common := 0
	for x := range ws {
		if ts[x] {
			common++
		}
	}
	return float64(common) >= 0.8*float64(max(len(ts), len(ws)))
}
