package search

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"herald/news"
	"herald/rules"
)

// The columns of the full-text index, in the order store's migration
// creates them. A term without a field is looked for in ColTitle and
// ColText, as rules look for it in the title and the text.
const (
	ColTitle  = "title"
	ColText   = "text"
	ColFeed   = "feed"
	ColTags   = "tags"
	ColAuthor = "author"
	// ColCaps and ColUpper narrow case: terms, which the other columns hold
	// without capitals: each lists, once, the words of the title and text
	// that may be written with a capital (ColCaps) or in capitals only
	// (ColUpper), so that case:WHO need not read every "who".
	ColCaps  = "caps"
	ColUpper = "upper"
)

// Columns are the index's columns in table order.
var Columns = []string{ColTitle, ColText, ColFeed, ColTags, ColAuthor, ColCaps, ColUpper}

// Fields is one item as the full-text index holds it: each column's text is
// the item's words as rules.Tokenize folds them, in order, separated by
// spaces and encoded so that SQLite's unicode61 tokenizer reads every word of
// ours as exactly one token of its own (see encodeWord).
type Fields struct {
	Title, Text, Feed, Tags, Author, Caps, Upper string
}

// Values returns the fields in column order, for an INSERT.
func (f Fields) Values() []any {
	return []any{f.Title, f.Text, f.Feed, f.Tags, f.Author, f.Caps, f.Upper}
}

// Two tokens that no word ever encodes to (encoded words use only safe runes
// and the private-use runes below 0xF000):
const (
	// instanceSep separates two tags or two author names in their column, so
	// that a phrase or a NEAR found by the index never runs from one into the
	// next, as rules never let it.
	instanceSep = "\uF000"
	// feedEnd closes the feed column, so that feed:NAME is found whole, as
	// rules compare it, and not as the start of a longer name.
	feedEnd = "\uF001"
)

// IndexFields returns the index row of an item: its title and plain text,
// its feed's name, its categories and its authors, each folded as rules fold
// them. The tags that the configuration gives a feed are not indexed (they
// can change without the items changing); the translation of tag: terms
// looks for the feeds that have them instead.
func IndexFields(it news.Item) Fields {
	var b []byte
	var f Fields
	var sh shapes
	b = sh.appendText(b[:0], it.Title)
	f.Title = string(b)
	b = sh.appendText(b[:0], it.Text)
	f.Text = string(b)
	f.Caps, f.Upper = sh.caps.String(), sh.upper.String()
	b = appendText(b[:0], it.Feed)
	b = appendToken(b, feedEnd)
	f.Feed = string(b)
	f.Tags = joinInstances(b[:0], it.Categories)
	f.Author = joinInstances(b[:0], it.Authors)
	return f
}

// appendText appends the encoded words of s, separated by spaces.
func appendText(dst []byte, s string) []byte {
	for _, tk := range rules.Tokenize(s) {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = appendWord(dst, tk.Norm)
	}
	return dst
}

// shapes collects the words of a text that may be capitalised, for ColCaps
// and ColUpper, each once.
type shapes struct {
	seen        map[string]uint8
	caps, upper strings.Builder
}

// appendText is appendText that also records the shapes of the words.
func (sh *shapes) appendText(dst []byte, s string) []byte {
	for _, tk := range rules.Tokenize(s) {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		w0 := len(dst)
		dst = appendWord(dst, tk.Norm)
		mayUpper, mayAllUpper := shape(s[tk.Start:tk.End])
		if !mayUpper {
			continue
		}
		if sh.seen == nil {
			sh.seen = map[string]uint8{}
		}
		w := string(dst[w0:])
		had := sh.seen[w]
		if had&1 == 0 {
			sh.seen[w] = had | 1
			if sh.caps.Len() > 0 {
				sh.caps.WriteByte(' ')
			}
			sh.caps.WriteString(w)
		}
		if mayAllUpper && had&2 == 0 {
			sh.seen[w] |= 2
			if sh.upper.Len() > 0 {
				sh.upper.WriteByte(' ')
			}
			sh.upper.WriteString(w)
		}
	}
	return dst
}

// shape says, of a word as written (a token's span of the original text),
// whether the form rules compare for case: terms (capitals kept, accents
// dropped, entities decoded) may contain a capital letter, and whether it
// may contain capitals and no lower-case letter. It errs towards yes: a
// capital can come from an upper-case letter, from a character whose
// compatibility decomposition has one (Ⅻ, ℃), or from an HTML entity; a
// lower-case ASCII letter, or a lower-case letter whose decomposition keeps
// a lower-case letter, is certainly written lower-case.
func shape(span string) (mayUpper, mayAllUpper bool) {
	lower := false
	for i := 0; i < len(span); {
		c := span[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				// An entity may stand for anything, and its name's letters
				// say nothing about it.
				return true, true
			case 'A' <= c && c <= 'Z':
				mayUpper = true
			case 'a' <= c && c <= 'z':
				lower = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(span[i:])
		up, low := runeShape(r, span[i:i+size])
		mayUpper = mayUpper || up
		lower = lower || low
		i += size
	}
	return mayUpper, mayUpper && !lower
}

// runeShape is shape for one non-ASCII character, written as s.
func runeShape(r rune, s string) (upper, lower bool) {
	if unicode.IsUpper(r) || unicode.IsTitle(r) {
		return true, false
	}
	d := norm.NFKD.PropertiesString(s).Decomposition()
	if d == nil {
		return false, unicode.IsLower(r)
	}
	for _, x := range string(d) {
		switch {
		case unicode.IsUpper(x) || unicode.IsTitle(x):
			upper = true
		case unicode.IsLower(x):
			lower = true
		}
	}
	return upper, lower && !upper
}

func appendToken(dst []byte, tok string) []byte {
	if len(dst) > 0 {
		dst = append(dst, ' ')
	}
	return append(dst, tok...)
}

// joinInstances indexes several short texts, such as tags, in one column
// with instanceSep between them.
func joinInstances(dst []byte, list []string) string {
	for i, s := range list {
		if i > 0 {
			dst = appendToken(dst, instanceSep)
		}
		dst = appendText(dst, s)
	}
	return string(dst)
}

// appendWord appends a word, as rules.Tokenize folded it, in the index's
// encoding. unicode61 would split a word at a combining mark (Devanagari
// vowel signs, Hebrew points), drop letters newer than its tables, fold ς to
// σ: each of those would make the index disagree with rules about what a word
// is. So only runes that unicode61 is known to keep as they are (safeRune,
// checked against SQLite by the tests) are written as themselves; any other
// rune is written as two private-use runes, which unicode61 keeps as word
// characters and never folds. Every word of rules is then exactly one token
// of the index, two words are one token only when they are the same word,
// and a word begins with a prefix exactly when its encoding begins with the
// prefix's encoding.
func appendWord(dst []byte, w string) []byte {
	for _, r := range w {
		if safeRune(r) {
			dst = utf8.AppendRune(dst, r)
			continue
		}
		dst = utf8.AppendRune(dst, 0xE000+r>>11)
		dst = utf8.AppendRune(dst, 0xE800+r&0x7FF)
	}
	return dst
}

// encodeWord returns appendWord's encoding of w.
func encodeWord(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return string(appendWord(nil, w))
		}
	}
	return w
}

// safeRanges are the runes written into the index as themselves: lower-case
// letters and digits of the scripts news is mostly written in, which rules
// may leave in a folded word and which unicode61 keeps unchanged as one
// token. TestSafeRunesAreTokens checks each of them against SQLite.
var safeRanges = [][2]rune{
	{'0', '9'},
	{'a', 'z'},
	{0x03B1, 0x03C1}, // Greek α–ρ (ς, which unicode61 folds to σ, is left out)
	{0x03C3, 0x03C9}, // Greek σ–ω
	{0x0430, 0x045F}, // Cyrillic а–я, ѐ–џ
	{0x05D0, 0x05EA}, // Hebrew letters
	{0x0621, 0x063A}, // Arabic letters
	{0x0641, 0x064A},
	{0x0905, 0x0939}, // Devanagari letters
	{0x0E01, 0x0E30}, // Thai consonants and vowels that are letters
	{0x1100, 0x11FF}, // Hangul Jamo (rules decompose Hangul syllables)
	{0x3041, 0x3096}, // Hiragana
	{0x30A1, 0x30FA}, // Katakana
	{0x4E00, 0x9FFF}, // CJK unified ideographs
}

// safeRune reports whether r is in safeRanges.
func safeRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
	}
	for _, s := range safeRanges[2:] {
		if r < s[0] {
			return false
		}
		if r <= s[1] {
			return true
		}
	}
	return false
}

// indexFormat names the encoding above; change it when the encoding changes.
const indexFormat = "herald-fts-1"

// IndexVersion identifies how IndexFields writes text: the encoding and a
// fingerprint of the rules tokenizer's folding of every letter, digit and
// mark. The store keeps the version its index was built with and rebuilds
// the index when it changes, so that a herald whose folding changed (a new
// transliteration, say) never searches an index written the old way.
func IndexVersion() string { return indexVersion() }

// indexVersion tokenizes some 15,000 runes, so it runs once, when first needed.
var indexVersion = sync.OnceValue(computeIndexVersion)

func computeIndexVersion() string {
	// Every letter, digit and mark of the alphabetic scripts, and a sample
	// of the rest: enough to notice a change in the tables, quickly (herald
	// computes this at every start).
	var probe strings.Builder
	for r := rune(1); r <= 0x2FFFF; r++ {
		if r >= 0x3000 && r%31 != 0 {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
			probe.WriteRune(r)
			probe.WriteByte(' ')
		}
	}
	// Words with apostrophes, joiners, entities and soft hyphens: the other
	// things the tokenizer decides.
	probe.WriteString("NATO’s NATO's l'état co\u00ADoperation a\u200Bb &amp;#8211; &eacute;t&eacute; F-16 CDU/CSU 10:30")
	h := sha256.New()
	h.Write([]byte(indexFormat))
	for _, tk := range rules.Tokenize(probe.String()) {
		h.Write([]byte(tk.Norm))
		h.Write([]byte{0})
	}
	return indexFormat + ":" + hex.EncodeToString(h.Sum(nil)[:8])
}
