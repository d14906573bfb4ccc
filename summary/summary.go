// Package summary turns an article body into what an alert shows: plain text
// from feed HTML (PlainText), a one- or two-sentence lead (Lead, and LeadFor,
// which adds the sentence that names what a rule matched), the direct
// quotations with their speakers (Quotes) and a short choice of them (Pick).
//
// How well Quotes does is measured on hand-labelled articles and real news
// pages (testdata/labels, TestQuoteQuality).
//
// Everything here is heuristic and offline: no model, no network. The rules
// favour precision: when the speaker of a quote is uncertain it is left empty,
// and a phrase in quotation marks that does not look like reported speech
// (a scare quote, the title of a book) is not reported at all.
package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// paragraphs splits plain text into paragraphs at blank lines and collapses
// the whitespace inside each one, so that single line breaks become spaces.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var out, cur []string
	flush := func() {
		if p := collapse(strings.Join(cur, " ")); p != "" {
			out = append(out, p)
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// collapse replaces every run of white space with one space, trims both ends
// and drops invisible characters that feeds leave behind (zero-width spaces,
// byte-order marks, soft hyphens, control characters).
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\ufeff' || r == '\u00ad' || r == '\u2060':
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r):
			continue
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// runeLen is the length of s in characters, the unit of every limit here.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// cutWords shortens s to at most max characters, cutting at a word boundary
// and marking the cut with "…".
func cutWords(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	rs := []rune(s)[:max-1]
	cut := len(rs)
	for i := len(rs) - 1; i > 0; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	if cut < len(rs)/2 {
		// One enormous word: cut inside it rather than lose most of the text.
		cut = len(rs)
	}
	out := strings.TrimRightFunc(string(rs[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—(“‘\"'«", r)
	})
	return out + "…"
}

// wordsOf returns the words of s lower-cased and without diacritics, for
// comparisons that should ignore case, accents and punctuation.
func wordsOf(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteString(fold(r))
		case unicode.Is(unicode.Mn, r):
			// A combining mark of a decomposed letter: drop it.
		default:
			flush()
		}
	}
	flush()
	return out
}

// fold lower-cases r and strips the accent from the common Latin letters.
func fold(r rune) string {
	r = unicode.ToLower(r)
	if r < 0x80 {
		return string(r)
	}
	if base, ok := accentFold[r]; ok {
		return base
	}
	return string(r)
}

var accentFold = func() map[rune]string {
	m := map[rune]string{}
	for base, variants := range map[string]string{
		"a": "àáâãäåā", "c": "çćč", "e": "èéêëēėę", "i": "ìíîïī", "n": "ñń",
		"o": "òóôõöøō", "u": "ùúûüū", "y": "ýÿ", "s": "śš", "z": "źżž", "l": "ł",
		"ss": "ß", "ae": "æ", "oe": "œ",
	} {
		for _, v := range variants {
			m[v] = base
		}
	}
	return m
}()
