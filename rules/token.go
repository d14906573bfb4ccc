package rules

import (
	"strings"
	"sync"
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
// left in the text (&amp; &#8211; &eacute;), also doubly escaped ones
// (&amp;#8211;), count as the character they stand for, while Start and End
// still point into s as given.
//
// The index of a token in the result is its word position: phrases match
// consecutive positions.
func Tokenize(s string) []Token {
	var t tokenizer
	t.run(s, 0)
	if len(t.toks) == 0 {
		return nil
	}
	// One string holds every folded word, so the tokens cost two allocations
	// however many there are.
	all := string(t.arena)
	out := make([]Token, len(t.toks))
	for i, k := range t.toks {
		out[i] = Token{Norm: all[k.norm0:k.norm1], Start: int(k.start), End: int(k.end)}
	}
	return out
}

// tok is a token inside the engine: its folded form is a range of the
// tokenizer's arena rather than a string of its own, so that tokenizing an
// article allocates nothing once the buffers have grown. The fields after
// inst are filled in by the matcher.
type tok struct {
	norm0, norm1 int32 // the folded word: arena[norm0:norm1]
	start, end   int32 // the word as written: src[start:end] of its field
	inst         int32 // the field instance the word is in
	id           int32 // the word's ID in the set's dictionary, or -1
	dw           int32 // the index of the word among the article's distinct words
	next         int32 // the next token with the same word, or -1
}

// tokenizer splits text into toks. It reads the input once, folding each
// character into units and feeding them to a small state machine that
// assembles words; its buffers are reused from one text to the next.
type tokenizer struct {
	arena []byte
	toks  []tok
	units []unit // the units of one non-ASCII character
	nfkd  []byte // the decomposition of one character
	inst  int32

	// The word being assembled.
	inWord     bool
	single     bool // the word is an ideograph, a word of its own
	n0         int  // where the word starts in arena
	start, end int  // where the word lies in the input

	// An apostrophe right after a word may start a possessive 's, which is
	// dropped; held is the s while it is not yet known whether a letter follows.
	afterApos bool
	holding   bool
	held      unit
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

// reset empties the tokenizer for a new article, keeping its buffers.
func (t *tokenizer) reset() {
	t.arena = t.arena[:0]
	t.toks = t.toks[:0]
}

// run appends the tokens of s, tagged with the field instance inst.
func (t *tokenizer) run(s string, inst int32) {
	t.inst = inst
	t.inWord, t.single, t.afterApos, t.holding = false, false, false, false
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			t.units = t.fold(t.units[:0], r, i, i+size)
			t.feedUnits()
			i += size
			continue
		}
		plain := !t.afterApos && !t.holding
		switch {
		case asciiFold[c] != 0 && plain:
			// A run of ASCII letters and digits, the bulk of most text, is
			// copied and lower-cased in one go.
			if t.inWord && t.single {
				t.flush()
			}
			if !t.inWord {
				t.inWord, t.n0, t.start = true, len(t.arena), i
			}
			// Room for the rest of s, folded byte for byte, lets one loop
			// find the run's end, fold it and copy it.
			n := len(t.arena)
			if cap(t.arena)-n < len(s)-i {
				t.arena = append(t.arena, make([]byte, len(s)-i)...)[:n]
			}
			dst := t.arena[n:cap(t.arena)]
			j := i
			for ; j < len(s); j++ {
				f := asciiFold[s[j]]
				if f == 0 || j-i >= len(dst) {
					break
				}
				dst[j-i] = f
			}
			t.arena = t.arena[:n+j-i]
			t.end = j
			i = j
			continue
		case asciiFold[c] != 0:
			t.feed(unit{rune(asciiFold[c]), unitWord, i, i + 1})
		case c == '\'':
			t.feed(unit{'\'', unitApos, i, i + 1})
		case c == '&':
			if dec, n := decodeEntity(s[i:]); n > 0 {
				t.units = t.units[:0]
				for _, d := range dec {
					t.units = t.fold(t.units, d, i, i+n)
				}
				t.feedUnits()
				i += n
				continue
			}
			t.feed(unit{'&', unitSep, i, i + 1})
		case plain:
			t.flush()
		default:
			t.feed(unit{rune(c), unitSep, i, i + 1})
		}
		i++
	}
	t.holding = false // a possessive 's at the very end is dropped
	t.flush()
}

// asciiFold maps ASCII letters and digits to their folded form and every
// other byte to 0.
var asciiFold = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

func (t *tokenizer) feedUnits() {
	for _, u := range t.units {
		t.feed(u)
	}
}

// feed advances the state machine by one unit.
func (t *tokenizer) feed(u unit) {
	if t.holding {
		t.holding = false
		if u.kind == unitWord {
			// 's followed by a letter: not a possessive, so the s is a word start.
			t.word(t.held)
		}
		// Otherwise the held s was a possessive, dropped with its apostrophe.
	}
	if t.afterApos {
		t.afterApos = false
		if u.kind == unitWord && u.r == 's' {
			t.holding, t.held = true, u
			return
		}
	}
	switch u.kind {
	case unitWord:
		t.word(u)
	case unitApos:
		if t.inWord {
			t.flush()
			t.afterApos = true
		}
	default:
		t.flush()
	}
}

// word adds a letter, digit or mark to the current word.
func (t *tokenizer) word(u unit) {
	ideo := u.r >= 0x2e80 && isIdeograph(u.r)
	// An ideograph is a word of its own, unless it comes from the same input
	// character as the one before (㍻ decomposes to 平成).
	if t.inWord && u.start >= t.end && (ideo || t.single) && !unicode.IsMark(u.r) {
		t.flush()
	}
	if !t.inWord {
		t.inWord, t.n0, t.start = true, len(t.arena), u.start
	}
	t.single = t.single || ideo
	t.arena = utf8.AppendRune(t.arena, u.r)
	t.end = u.end
}

// flush ends the current word, if any.
func (t *tokenizer) flush() {
	if t.inWord {
		t.toks = append(t.toks, tok{
			norm0: int32(t.n0), norm1: int32(len(t.arena)),
			start: int32(t.start), end: int32(t.end),
			inst: t.inst, id: -1, dw: -1, next: -1,
		})
	}
	t.inWord, t.single = false, false
}

// maxEntity bounds how far decodeEntity looks for the closing semicolon; the
// longest named HTML entity is 33 bytes including & and ;.
const maxEntity = 40

// decodeEntity decodes the HTML character reference at the start of s
// ("&amp;", "&#8211;", "&#x2014;") and returns its text and length in s.
// A doubly escaped reference ("&amp;#8211;", as some feeds send) is decoded
// through both levels. It returns n == 0 when s does not start with a
// well-formed, known entity, so a bare "&" or "AT&T" stays as it is.
func decodeEntity(s string) (dec string, n int) {
	dec, n = decodeOneEntity(s)
	if dec == "&" && n == len("&amp;") && len(s) > n {
		// s[n-1] is the ';' of &amp;; reading it as '&' gives the inner entity.
		if inner, m := decodeOneEntity("&" + s[n:min(len(s), n+maxEntity)]); m > 0 {
			return inner, n + m - 1
		}
	}
	return dec, n
}

// decodeOneEntity decodes one level of character reference, as decodeEntity.
func decodeOneEntity(s string) (dec string, n int) {
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

// fold appends the units that the input character r, found at s[start:end],
// folds to.
func (t *tokenizer) fold(dst []unit, r rune, start, end int) []unit {
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
	t.nfkd = decompose(t.nfkd[:0], r)
	n0 := len(dst)
	for _, d := range string(t.nfkd) {
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

// appendCased appends the word written as w, one token's span of the
// original text, with its capitalisation kept but otherwise read as
// Tokenize reads it: entities decoded, invisible characters and accents
// dropped, letters without a decomposition transliterated. case: terms
// compare this form, so case:US matches "US" and "ÚS" but not "us".
func appendCased(dst []byte, w string) []byte {
	var scratch []byte
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf && c != '&' {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				dst = append(dst, c)
			}
			i++
			continue
		}
		if c == '&' {
			if dec, n := decodeEntity(w[i:]); n > 0 {
				for _, r := range dec {
					dst, scratch = appendCasedRune(dst, r, scratch)
				}
				i += n
				continue
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		dst, scratch = appendCasedRune(dst, r, scratch)
		i += size
	}
	return dst
}

// appendCasedRune appends the cased form of one character, as appendCased,
// decomposing it in scratch.
func appendCasedRune(dst []byte, r rune, scratch []byte) ([]byte, []byte) {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			dst = append(dst, byte(r))
		}
		return dst, scratch
	}
	if isApostrophe(r) || unicode.Is(unicode.Cf, r) {
		return dst, scratch
	}
	if tr, ok := translit[foldCase(r)]; ok {
		return appendTranslit(dst, tr, r), scratch
	}
	scratch = decompose(scratch[:0], r)
	for _, d := range string(scratch) {
		switch {
		case unicode.Is(accentMarks, d):
		case translit[foldCase(d)] != "":
			dst = appendTranslit(dst, translit[foldCase(d)], d)
		case unicode.IsLetter(d) || unicode.IsNumber(d) || unicode.IsMark(d):
			dst = utf8.AppendRune(dst, d)
		}
	}
	return dst, scratch
}

// decompose returns the NFKD decomposition of r in dst, reused.
func decompose(dst []byte, r rune) []byte {
	switch {
	case r >= decompLow && r < decompLow+rune(len(decompLowTable)):
		return append(dst[:0], decompLowTable[r-decompLow]...)
	case r >= decompPunct && r < decompPunct+rune(len(decompPunctTable)):
		return append(dst[:0], decompPunctTable[r-decompPunct]...)
	}
	if d, ok := decompCache.Load(r); ok {
		return append(dst[:0], d.(string)...)
	}
	d := norm.NFKD.String(string(r))
	if r < 0x10000 {
		decompCache.Store(r, d) // at most the 64K characters of the BMP
	}
	return append(dst[:0], d...)
}

// The decompositions of the characters that European news is written in
// (Latin, Greek, Cyrillic, the general punctuation) are computed once: the
// norm package allocates for every character that is not already in NFKD.
// Other characters of the Basic Multilingual Plane are cached as they are met.
const (
	decompLow   = 0x80
	decompPunct = 0x2000
)

var (
	decompLowTable   = decompositions(decompLow, 0x530)
	decompPunctTable = decompositions(decompPunct, 0x2070)
	decompCache      sync.Map // rune → string
)

func decompositions(from, to rune) []string {
	t := make([]string, to-from)
	for r := from; r < to; r++ {
		t[r-from] = norm.NFKD.String(string(r))
	}
	return t
}

// appendTranslit appends the transliteration tr of r, in upper case when r is.
func appendTranslit(dst []byte, tr string, r rune) []byte {
	if unicode.IsUpper(r) {
		return append(dst, strings.ToUpper(tr)...)
	}
	return append(dst, tr...)
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
