package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Token is one word of a text: the folded form that queries compare, and
// where the word stands in the original string.
type Token struct {
	// Norm is the word compatibility-normalised, case-folded and stripped of
	// accents ("Erdoğan" → "erdogan", "Radosław" → "radoslaw", "Straße" → "strasse").
	Norm string
	// Start and End are byte offsets into the original string: s[Start:End]
	// is the word exactly as written, HTML entities and soft hyphens included.
	Start, End int
}

// Tokenize splits s into words the way rules see text.
//
// Each character is NFKD-normalised, case-folded and stripped of accents;
// letters that have no decomposition (ł ø đ ß æ œ þ ı …) are transliterated.
// Words are runs of letters, digits and non-accent combining marks; anything
// else (spaces, punctuation, hyphens and dashes of every kind, slashes, line
// breaks) separates words. Invisible format characters such as the soft
// hyphen and zero-width spaces are dropped without splitting a word, and a
// trailing possessive 's (with any apostrophe) is dropped and takes no
// position. Han, Hiragana and Katakana characters are one word each, so that
// phrases can find words in scripts written without spaces. HTML entities
// left in the text (&amp; &#8211; &eacute;) count as the character they stand
// for, while Start and End still point into s as given.
//
// The index of a token in the result is its word position: phrases match
// consecutive positions.
func Tokenize(s string) []Token {
	var t tokenizer
	return t.appendTokens(nil, s)
}

// tokenizer holds the scratch buffers of one tokenization so that a caller
// tokenizing many strings can reuse them.
type tokenizer struct {
	units []unit
	word  []byte
}

// unitKind says what one folded character does to word boundaries.
type unitKind uint8

const (
	unitWord unitKind = iota // part of a word
	unitSep                  // ends a word
	unitApos                 // ends a word, unless it starts a possessive 's
)

// unit is one folded character with the span of the input it came from.
// A character that folds to several (ß → ss) gives several units that share
// a span; an HTML entity gives units spanning the whole entity.
type unit struct {
	r          rune
	kind       unitKind
	start, end int
}

// appendTokens appends the tokens of s to dst.
func (t *tokenizer) appendTokens(dst []Token, s string) []Token {
	t.units = t.scan(t.units[:0], s)
	units := t.units
	inWord, single := false, false
	var start, end int
	flush := func() {
		if inWord {
			dst = append(dst, Token{Norm: string(t.word), Start: start, End: end})
		}
		inWord, single = false, false
	}
	for k := 0; k < len(units); k++ {
		u := units[k]
		switch u.kind {
		case unitWord:
			ideo := isIdeograph(u.r)
			// An ideograph is a word of its own, unless it comes from the same
			// input character as the one before (㍻ decomposes to 平成).
			if inWord && u.start >= end && (ideo || single) && !unicode.IsMark(u.r) {
				flush()
			}
			if !inWord {
				inWord, start = true, u.start
				t.word = t.word[:0]
			}
			single = single || ideo
			t.word = utf8.AppendRune(t.word, u.r)
			end = u.end
		case unitApos:
			if inWord && k+1 < len(units) && units[k+1].kind == unitWord && units[k+1].r == 's' &&
				(k+2 == len(units) || units[k+2].kind != unitWord) {
				k++ // a possessive 's belongs to the word before and is not a word itself
			}
			flush()
		default:
			flush()
		}
	}
	flush()
	return dst
}

// scan folds s into units, decoding HTML entities on the way.
func (t *tokenizer) scan(dst []unit, s string) []unit {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '&' {
			if dec, n := decodeEntity(s[i:]); n > 0 {
				for _, d := range dec {
					dst = appendFolded(dst, d, i, i+n)
				}
				i += n
				continue
			}
		}
		dst = appendFolded(dst, r, i, i+size)
		i += size
	}
	return dst
}

// maxEntity bounds how far decodeEntity looks for the closing semicolon; the
// longest named HTML entity is 33 bytes including & and ;.
const maxEntity = 40

// decodeEntity decodes the HTML character reference at the start of s
// ("&amp;", "&#8211;", "&#x2014;") and returns its text and length in s.
// It returns n == 0 when s does not start with a well-formed, known entity,
// so a bare "&" or "AT&T" stays as it is.
func decodeEntity(s string) (dec string, n int) {
	limit := min(len(s), maxEntity)
	semi := strings.IndexByte(s[:limit], ';')
	if semi < 2 {
		return "", 0
	}
	body := s[1:semi]
	if body[0] == '#' {
		digits := body[1:]
		hex := len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X')
		if hex {
			digits = digits[1:]
		}
		if digits == "" {
			return "", 0
		}
		for _, c := range []byte(digits) {
			if !(c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
				return "", 0
			}
		}
	} else {
		for i, c := range []byte(body) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
				return "", 0
			}
		}
	}
	ent := s[:semi+1]
	dec = html.UnescapeString(ent)
	if dec == ent || dec == "" {
		return "", 0
	}
	return dec, len(ent)
}

// appendFolded appends the units that the input character r, found at
// s[start:end], folds to.
func appendFolded(dst []unit, r rune, start, end int) []unit {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return append(dst, unit{r, unitWord, start, end})
		case 'A' <= r && r <= 'Z':
			return append(dst, unit{r + 'a' - 'A', unitWord, start, end})
		case r == '\'':
			return append(dst, unit{r, unitApos, start, end})
		}
		return append(dst, unit{r, unitSep, start, end})
	}
	// Apostrophes are classified before decomposition: the acute accent ´
	// decomposes to a space and ʼ is a letter, yet both write possessives.
	if isApostrophe(r) {
		return append(dst, unit{r, unitApos, start, end})
	}
	if unicode.Is(unicode.Cf, r) {
		return dst // soft hyphen, zero-width space and joiners, BOM: invisible, never a boundary
	}
	if tr, ok := translit[foldCase(r)]; ok {
		return appendWord(dst, tr, start, end)
	}
	var in [utf8.UTFMax]byte
	var buf [64]byte
	dec := norm.NFKD.Append(buf[:0], in[:utf8.EncodeRune(in[:], r)]...)
	n0 := len(dst)
	for _, d := range string(dec) {
		if unicode.Is(accentMarks, d) {
			continue
		}
		d = foldCase(d)
		switch {
		case translit[d] != "":
			dst = appendWord(dst, translit[d], start, end)
		case unicode.IsLetter(d) || unicode.IsNumber(d) || unicode.IsMark(d):
			dst = append(dst, unit{d, unitWord, start, end})
		case unicode.Is(unicode.Cf, d):
		default:
			dst = append(dst, unit{d, unitSep, start, end})
		}
	}
	return joinInner(dst, n0)
}

// joinInner drops the separators that dst[n0:], the units of one input
// character, has between its letters: a word boundary never falls inside a
// character, so ¾ (3⁄4) reads as 34 and ℅ (c/o) as co, and every token
// starts and ends on the input's character boundaries.
func joinInner(dst []unit, n0 int) []unit {
	part := dst[n0:]
	first, last := -1, -1
	for i, u := range part {
		if u.kind == unitWord {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	kept := part[:0]
	for i, u := range part {
		if u.kind == unitWord || i < first || i > last {
			kept = append(kept, u)
		}
	}
	return dst[:n0+len(kept)]
}

// appendWord appends one word unit per rune of s, all spanning start:end.
func appendWord(dst []unit, s string, start, end int) []unit {
	for _, c := range s {
		dst = append(dst, unit{c, unitWord, start, end})
	}
	return dst
}

// foldCase maps r to its case-insensitive form. Going through upper case
// first folds ı, ſ and final ς onto i, s and σ as full case folding does.
func foldCase(r rune) rune {
	return unicode.ToLower(unicode.ToUpper(r))
}

// isApostrophe reports whether r is one of the characters writers use for an
// apostrophe.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02bc', '\u00b4':
		return true
	}
	return false
}

// isIdeograph reports whether r belongs to a script written without spaces
// between words, whose characters are therefore taken one word each.
func isIdeograph(r rune) bool {
	return r >= 0x2e80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// translit spells letters that NFKD leaves whole with the Latin letters a
// reader without them would type. Keys are case-folded.
var translit = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ŧ': "t", 'ı': "i", 'ŀ': "l",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th",
}

// accentMarks are the combining marks dropped as accents: the general
// diacritics, and Hebrew and Arabic vowel points. Other marks (Devanagari
// vowel signs, the Japanese voicing marks) change the letter and are kept as
// part of the word.
var accentMarks = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x0300, Hi: 0x036f, Stride: 1},
		{Lo: 0x0591, Hi: 0x05bd, Stride: 1},
		{Lo: 0x05bf, Hi: 0x05bf, Stride: 1},
		{Lo: 0x05c1, Hi: 0x05c2, Stride: 1},
		{Lo: 0x05c4, Hi: 0x05c5, Stride: 1},
		{Lo: 0x05c7, Hi: 0x05c7, Stride: 1},
		{Lo: 0x0610, Hi: 0x061a, Stride: 1},
		{Lo: 0x064b, Hi: 0x065f, Stride: 1},
		{Lo: 0x0670, Hi: 0x0670, Stride: 1},
		{Lo: 0x1ab0, Hi: 0x1aff, Stride: 1},
		{Lo: 0x1dc0, Hi: 0x1dff, Stride: 1},
		{Lo: 0x20d0, Hi: 0x20ff, Stride: 1},
		{Lo: 0xfe20, Hi: 0xfe2f, Stride: 1},
	},
}
