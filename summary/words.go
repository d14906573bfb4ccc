package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word or a punctuation mark of an attribution or a sentence.
type token struct {
	s    string
	low  string // s lower-cased without a final full stop, set by tokenize
	pos  int    // byte offset in the article text
	word bool
}

// lower is the token lower-cased without a final full stop, the form the
// word lists use.
func (t token) lower() string {
	if t.low == "" && t.s != "" {
		return lowerWord(t.s)
	}
	return t.low
}

func lowerWord(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenize splits s (found at offset base of the article) into words and
// punctuation. Apostrophes, hyphens and dots inside a word stay in it
// ("NATO’s", "a-t-il", "U.S"); a final dot stays with abbreviations ("Mr.",
// "U.S.", "J."). French elision and inversion are split ("l'ambassadeur" →
// "l'" "ambassadeur", "a-t-il" → "a" "il", "dit-elle" → "dit" "elle").
func tokenize(s string, base int) []token {
	var toks []token
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		if !isWordRune(r) {
			toks = append(toks, token{s: s[i : i+w], pos: base + i})
			i += w
			continue
		}
		j := i + w
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if isWordRune(r2) {
				j += w2
				continue
			}
			if strings.ContainsRune("'’-.", r2) && j+w2 < len(s) {
				if r3, _ := utf8.DecodeRuneInString(s[j+w2:]); isWordRune(r3) {
					j += w2
					continue
				}
			}
			break
		}
		if j < len(s) && s[j] == '.' && keepsDot(s[i:j]) {
			j++
		}
		toks = append(toks, splitWord(s[i:j], base+i)...)
		i = j
	}
	for k := range toks {
		toks[k].low = lowerWord(toks[k].s)
	}
	return toks
}

// keepsDot reports whether a full stop after word belongs to it.
func keepsDot(word string) bool {
	if r, n := utf8.DecodeRuneInString(word); n == len(word) {
		return unicode.IsUpper(r)
	}
	l := strings.ToLower(word)
	_, hon := honorifics[l]
	return hon || titleAbbr[l] || strings.Contains(word, ".")
}

var (
	elisions   = []string{"qu'", "qu’", "l'", "l’", "d'", "d’", "j'", "j’", "n'", "n’", "s'", "s’", "c'", "c’", "m'", "m’", "t'", "t’", "L'", "L’"}
	inversions = []string{"-t-il", "-t-elle", "-t-on", "-il", "-elle", "-ils", "-elles"}
)

func splitWord(w string, pos int) []token {
	for _, e := range elisions {
		if len(w) > len(e) && strings.HasPrefix(w, e) {
			return append([]token{{s: w[:len(e)], pos: pos, word: true}}, splitWord(w[len(e):], pos+len(e))...)
		}
	}
	if first, _ := utf8.DecodeRuneInString(w); unicode.IsLower(first) {
		for _, inv := range inversions {
			if len(w) > len(inv) && strings.HasSuffix(w, inv) {
				head := w[:len(w)-len(inv)]
				pron := inv[strings.LastIndexByte(inv, '-')+1:]
				return []token{
					{s: head, pos: pos, word: true},
					{s: pron, pos: pos + len(w) - len(pron), word: true},
				}
			}
		}
	}
	return []token{{s: w, pos: pos, word: true}}
}

func isCap(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// isAcronym reports words of two or more capitals and nothing lower case:
// "NATO", "U.S.", "EU".
func isAcronym(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n >= 2
}

func isPossessive(s string) bool {
	return strings.HasSuffix(s, "'s") || strings.HasSuffix(s, "’s")
}

// speechVerbs are the speech verbs of every language (lang/*.txt, section
// [verbs]). The value says whether the verb can precede its speaker ("said
// Stoltenberg"); "told" and "asked" (marked :n) take an object there instead.
var speechVerbs = map[string]bool{}

// participles of speech verbs attribute a quotation to the subject of the
// clause they hang on ("Emery retweeted the story, saying, “…”"); they come
// from the [participles] sections of lang/*.txt.
var participles = map[string]bool{}

// speechVerbAt reports whether a speech verb starts at toks[i], returning the
// index after it and whether the speaker must follow it ("according to X",
// "selon X", "segundo X").
func speechVerbAt(toks []token, i int) (ok bool, end int, forward bool, invertible bool) {
	if i < 0 || i >= len(toks) || !toks[i].word {
		return false, i, false, false
	}
	l := toks[i].lower()
	next := func(k int) string {
		if i+k < len(toks) {
			return toks[i+k].lower()
		}
		return ""
	}
	switch {
	case l == "according" && next(1) == "to":
		return true, i + 2, true, true
	case l == "de" && next(1) == "acordo" && next(2) == "com":
		return true, i + 3, true, true
	case (l == "d'" || l == "d’") && next(1) == "après":
		return true, i + 2, true, true
	case l == "selon" || l == "segundo" || l == "según" || l == "conforme":
		return true, i + 1, true, true
	}
	for _, ph := range accordingPhrases {
		if ph[0] != l {
			continue
		}
		k := 1
		for k < len(ph) && next(k) == ph[k] {
			k++
		}
		if k == len(ph) {
			return true, i + k, true, true
		}
	}
	inv, ok := speechVerbs[toks[i].s]
	if !ok && participles[toks[i].s] {
		return true, i + 1, false, false
	}
	return ok, i + 1, false, inv
}

// pronouns that may stand for a speaker, with their gender. The plural ones
// are known so that they are not read as names, but they stand for a group,
// which has no name to give: they resolve to nobody.
var pronouns = map[string]byte{
	"he": 'm', "she": 'f', "they": 0, "il": 'm', "elle": 'f', "ils": 0, "elles": 0,
	"ele": 'm', "ela": 'f', "eles": 0, "elas": 0, "él": 'm', "ella": 'f',
}

// honorifics are stripped from names; the value is the gender they imply.
// They come from the [honorifics] sections of lang/*.txt.
var honorifics = map[string]byte{}

// isHonorific reports "Mr.", "Dr.", "Gen."… and the French "M." (only with
// its dot, so that an initial is not taken for it).
func isHonorific(t token) bool {
	if t.s == "M." {
		return true
	}
	_, ok := honorifics[t.lower()]
	return ok && isCap(t.s)
}

// Title nouns name what a person is; they are stripped from names and kept
// as the person's role.
var (
	// titleNouns maps every title noun ([titles] in lang/*.txt) to the
	// gender it implies ('m', 'f' or 0).
	titleNouns = map[string]byte{}
	// englishTitleSet tells English titles, for which "a" is the indefinite
	// article ("a spokesman"), from Portuguese ones, for which it is the
	// definite one ("a ministra").
	englishTitleSet = map[string]bool{}
)

// titleModifiers qualify a title ("foreign minister", "former president");
// [modifiers] in lang/*.txt.
var titleModifiers = map[string]bool{}

// rankModifiers make a different office: a "deputy minister" is not "the
// minister"; [rank] in lang/*.txt.
var rankModifiers = map[string]bool{}

func isTitleNoun(t token) bool {
	_, ok := titleNoun(t.lower())
	return ok
}

// titleNoun looks a title up, also with a prefix that makes a different
// office of it ("vice-governadora", "ex-ministre", "co-chair").
func titleNoun(w string) (byte, bool) {
	if g, ok := titleNouns[w]; ok || w == "" {
		return g, ok
	}
	// A compound title: "wirtschaftsministerin", "verbandschef".
	for _, s := range titleSuffixList {
		if !suffixLast[w[len(w)-1]] {
			break // no suffix ends with this byte: none to try
		}
		if len(w) > len(s.suffix)+2 && strings.HasSuffix(w, s.suffix) && runeLen(w)-runeLen(s.suffix) >= 3 {
			return s.gender, true
		}
	}
	for _, pre := range []string{"vice-", "ex-", "co-", "deputy-", "sub-", "vice"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && rest != "" {
			if g, ok := titleNouns[rest]; ok {
				return g, true
			}
		}
	}
	return 0, false
}

func isTitleWord(t token) bool { return isTitleNoun(t) || titleModifiers[t.lower()] }

// connectors join the words of a name or a title ("Secretary of State",
// "Luiz Inácio Lula da Silva", "Ursula von der Leyen").
var connectors = setOf("of", "for", "de", "da", "do", "das", "dos", "du", "des", "della", "di",
	"van", "von", "der", "den", "al", "bin", "ibn", "y", "la", "le")

// particles may start a surname used alone ("von der Leyen said").
var particles = setOf("von", "van", "de", "da", "di", "du", "al", "bin", "ibn", "della", "dos", "das", "do", "le", "la", "der")

// departments follow a connector in a title ("Minister of Foreign Affairs",
// "ministre des Armées", "ministra da Saúde"); [departments] in lang/*.txt.
var departments = map[string]bool{}

// determiners that may precede a role ("the minister", "o ministro");
// [determiners] in lang/*.txt.
var determiners = map[string]bool{}

// stopCaps are capitalised words that start sentences but never names:
// [capitals] and [function] in lang/*.txt.
var stopCaps = map[string]bool{}

// isAux reports auxiliaries and adverbs that may sit between a speaker and a
// speech verb ("Stoltenberg also said", "il a déclaré", "ela também afirmou").
func isAux(t token) bool {
	if !t.word || isCap(t.s) {
		return false
	}
	if auxWords[strings.ToLower(t.s)] {
		return true
	}
	n := runeLen(t.s)
	return n > 4 && strings.HasSuffix(t.s, "ly") || n > 6 && strings.HasSuffix(t.s, "ment") || n > 7 && strings.HasSuffix(t.s, "mente")
}

// inName reports whether a word can be part of a name with its titles:
// a capitalised word that does not merely start a sentence, a title, an
// honorific, an acronym or a possessive.
func inName(t token) bool {
	if !t.word {
		return false
	}
	if isHonorific(t) || isTitleWord(t) || isPossessive(t.s) {
		return true
	}
	if _, ok := pronouns[t.lower()]; ok {
		return false
	}
	if i := strings.IndexAny(t.s, "'’"); i > 0 && stopCaps[strings.ToLower(t.s[:i])] {
		return false // "We’re", "It's", "That’s"
	}
	return isCap(t.s) && !stopCaps[t.lower()]
}
