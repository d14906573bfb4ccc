package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitSentences splits one paragraph into sentences.
func splitSentences(s string) []string {
	var out []string
	for _, sp := range sentenceSpans(s) {
		out = append(out, s[sp[0]:sp[1]])
	}
	return out
}

// sentenceSpans returns the byte ranges of the sentences of s, trimmed of
// surrounding space. A sentence ends at ".", "!", "?" or "…" (with any closing
// quotation marks or brackets after it) followed by space and a capital
// letter, a digit or an opening mark, unless the full stop belongs to an
// abbreviation ("Gen.", "Mr.", "U.S.", "p.m.", "No. 5", the initial of
// "J. R. Smith"). Decimals ("3.5") never end a sentence because no space
// follows the point.
func sentenceSpans(s string) [][2]int {
	var out [][2]int
	start, i := 0, 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isTerminal(r) {
			i += w
			continue
		}
		j := i + w
		single := r == '.'
		wide := isWideTerminal(r)
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if !isTerminal(r2) {
				break
			}
			single = false
			j += w2
		}
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if !isClosingMark(r2) {
				break
			}
			j += w2
		}
		if j < len(s) && !wide {
			r2, _ := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r2) {
				i = j
				continue
			}
			next := strings.TrimLeftFunc(s[j:], unicode.IsSpace)
			// French puts a space inside guillemets: « On…
			word := strings.TrimLeftFunc(next, func(r rune) bool { return isOpeningMark(r) || unicode.IsSpace(r) })
			nr, _ := utf8.DecodeRuneInString(word)
			opens := len(word) < len(next)
			if !(unicode.IsUpper(nr) || unicode.IsDigit(nr) || opens && unicode.IsLetter(nr)) {
				i = j
				continue
			}
			if single && isAbbreviation(lastWord(s[start:i]), word) {
				i = j
				continue
			}
		}
		if sp, ok := trimSpan(s, start, j); ok {
			out = append(out, sp)
		}
		start, i = j, j
	}
	if sp, ok := trimSpan(s, start, len(s)); ok {
		out = append(out, sp)
	}
	return out
}

func trimSpan(s string, a, b int) ([2]int, bool) {
	for a < b {
		r, w := utf8.DecodeRuneInString(s[a:])
		if !unicode.IsSpace(r) {
			break
		}
		a += w
	}
	for b > a {
		r, w := utf8.DecodeLastRuneInString(s[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		b -= w
	}
	return [2]int{a, b}, a < b
}

func isTerminal(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || isWideTerminal(r)
}

// isWideTerminal reports the full stops of Chinese and Japanese, which end a
// sentence without a space after them.
func isWideTerminal(r rune) bool { return r == '。' || r == '！' || r == '？' }

// isClosingMark reports closing quotation marks and brackets, which stay with
// the sentence they close.
func isClosingMark(r rune) bool {
	return strings.ContainsRune("”\"’'»)]}」』）】", r)
}

// isOpeningMark reports opening quotation marks and brackets.
func isOpeningMark(r rune) bool {
	return strings.ContainsRune("“\"‘'«„([{¿¡「『（【", r)
}

// endsSentence reports whether s ends with sentence punctuation, possibly
// inside closing marks.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isClosingMark(r) })
	r, _ := utf8.DecodeLastRuneInString(s)
	return isTerminal(r)
}

// lastWord returns the word just before the end of s, without opening marks.
func lastWord(s string) string {
	if i := strings.LastIndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimLeftFunc(s, isOpeningMark)
}

// Abbreviations, lower-cased and without the final full stop.
var (
	// titleAbbr never end a sentence: a name always follows them ("Gen.",
	// "z. B.", "т. зв."); [abbreviations] in lang/*.txt.
	titleAbbr = map[string]bool{}
	// numberAbbr end no sentence when a number follows: "No. 5", "Art. 5", "Jan. 6".
	numberAbbr = setOf("no", "nos", "nr", "art", "vol", "vols", "p", "pp", "fig", "figs",
		"sec", "ch", "para", "op", "ed", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
		"sep", "sept", "oct", "nov", "dec")
	// corpAbbr end a sentence only before a word that clearly starts one.
	corpAbbr = setOf("inc", "corp", "co", "ltd", "plc", "llc", "bros", "dept", "univ", "assn", "govt")
	// starters are words that typically begin a sentence; after an ambiguous
	// abbreviation ("U.S.", "p.m.", "Inc.") they signal a new sentence.
	starters = setOf("the", "he", "she", "it", "they", "we", "i", "you", "but", "and", "or",
		"so", "yet", "in", "on", "at", "this", "that", "these", "those", "a", "an", "his", "her",
		"their", "our", "its", "there", "however", "meanwhile", "after", "before", "when",
		"while", "if", "as", "some", "many", "both", "all", "officials", "earlier", "later",
		"since", "although", "still", "now", "then", "no", "one", "what", "why", "how")
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isAbbreviation reports whether the full stop after word is part of an
// abbreviation rather than the end of a sentence; next is the text after it.
func isAbbreviation(word, next string) bool {
	if word == "" {
		return false
	}
	nextWord := next
	if i := strings.IndexFunc(nextWord, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }); i >= 0 {
		nextWord = nextWord[:i]
	}
	nextWord = strings.ToLower(strings.TrimRight(nextWord, ".,;:"))
	nr, _ := utf8.DecodeRuneInString(next)
	digit := unicode.IsDigit(nr)

	if r, n := utf8.DecodeRuneInString(word); n == len(word) && unicode.IsUpper(r) {
		// A single capital: an initial ("J. R. Smith").
		return true
	}
	lower := strings.ToLower(word)
	if strings.Contains(lower, ".") {
		// "U.S.", "p.m.", "e.g.": a dotted abbreviation, which ends a
		// sentence only before a typical sentence opener.
		if lower == "e.g" || lower == "i.e" {
			return true
		}
		return !starters[nextWord]
	}
	switch {
	case titleAbbr[lower]:
		return true
	case numberAbbr[lower]:
		return digit
	case corpAbbr[lower]:
		return !starters[nextWord]
	}
	return false
}
