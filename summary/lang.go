package summary

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// langFS holds one word list per language (lang/README.md describes the
// format). The lists are merged into the word sets of this package at start:
// an article may quote in one language and attribute in another, and the
// lists of different languages rarely collide.
//
//go:embed lang/*.txt
var langFS embed.FS

// langData is what the word list of one language holds.
type langData struct {
	code     string
	function map[string]bool
	pronouns map[string]byte
	proDrop  bool
	// genitive holds ending pairs (genitive, nominative), longest first.
	genitive [][2]string
	months   []string
}

var (
	// languages are the languages herald knows, by code.
	languages = map[string]*langData{}
	// verbGender maps a speech verb whose ending tells who spoke to 'm', 'f'
	// or 'p' (several people, or nobody in particular).
	verbGender = map[string]byte{}
	// proDropVerbs are the speech verbs of languages that leave the subject
	// out ("dodała.", "ha dichiarato"): without a subject, the speaker is
	// the person last spoken of.
	proDropVerbs = map[string]bool{}
	// accordingPhrases introduce a speaker ("за словами", "według").
	accordingPhrases [][]string
	// titleSuffixes end compound titles ("Wirtschaftsministerin"); the
	// list holds them longest first, the order titleNoun tries them in.
	titleSuffixes   = map[string]byte{}
	titleSuffixList []titleSuffix
	// indefinites are the determiners that introduce somebody new ("ein
	// Sprecher"), who is nobody the article named.
	indefinites = setOf("a", "an", "un", "une", "um", "uma")
	// auxWords may sit between a subject and its verb, or before a verb that
	// comes first ("ha detto", "se preguntó").
	auxWords = map[string]bool{}
	// bodyWords head the names of bodies in languages that put the head
	// first ("Asociación de Constructores", "Landkreistag").
	bodyWords = map[string]bool{}
)

func init() {
	files, err := langFS.ReadDir("lang")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		b, err := langFS.ReadFile(path.Join("lang", f.Name()))
		if err != nil {
			panic(err)
		}
		code := strings.TrimSuffix(f.Name(), ".txt")
		if err := loadLang(code, string(b)); err != nil {
			panic(fmt.Sprintf("summary: lang/%s: %v", f.Name(), err))
		}
	}
	indexFunctionWords()
	for s, g := range titleSuffixes {
		titleSuffixList = append(titleSuffixList, titleSuffix{s, g})
	}
	for _, s := range titleSuffixList {
		suffixLast[s.suffix[len(s.suffix)-1]] = true
	}
	sort.Slice(titleSuffixList, func(i, j int) bool {
		a, b := titleSuffixList[i].suffix, titleSuffixList[j].suffix
		return len(a) > len(b) || len(a) == len(b) && a < b
	})
}

// suffixLast marks the last bytes of the title suffixes, which rules out
// most words without trying any suffix.
var suffixLast [256]bool

// titleSuffix is the end of compound titles and the gender it implies.
type titleSuffix struct {
	suffix string
	gender byte
}

// namesToo are function words of some language that are also names in
// another ("Per Olsson").
var namesToo = map[string]bool{"per": true, "con": true}

// wordSets are the sections of a word list that are plain sets of words,
// and the set each fills.
var wordSets = map[string]map[string]bool{
	"participles": participles, "modifiers": titleModifiers, "aux": auxWords,
	"capitals": stopCaps, "departments": departments, "possessives": possessives,
	"bodies": bodyWords, "abbreviations": titleAbbr,
}

// loadLang merges the word list of one language into the package's sets.
// A word already known keeps what the older lists say of it.
func loadLang(code, text string) error {
	d := &langData{code: code, function: map[string]bool{}, pronouns: map[string]byte{}}
	languages[code] = d
	section := ""
	var verbs []string
	for n, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		for _, f := range strings.Fields(line) {
			if section == "genitive" {
				from, to, ok := strings.Cut(f, ">")
				if !ok {
					return fmt.Errorf("line %d: %q: want ending>ending", n+1, f)
				}
				d.genitive = append(d.genitive, [2]string{from, to})
				continue
			}
			word, mark, _ := strings.Cut(f, ":")
			word = strings.ToLower(word)
			var g byte
			switch mark {
			case "":
			case "m", "f", "p", "i", "n":
				g = mark[0]
			default:
				return fmt.Errorf("line %d: %q: unknown mark %q (want :m, :f, :p, :i or :n)", n+1, f, mark)
			}
			switch section {
			case "function":
				d.function[word] = true
				if code != "en" && runeLen(word) >= 3 && !connectors[word] && !particles[word] && !namesToo[word] {
					// "Коли", "Kiedy", "Wenn" open sentences, never names.
					// English function words can be names ("Will Smith",
					// "Edward Said"), and so can short ones ("Jack Ma"):
					// [capitals] lists the ones that cannot.
					stopCaps[word] = true
					starters[word] = true
				}
			case "verbs":
				if _, ok := speechVerbs[word]; !ok {
					speechVerbs[word] = g != 'n'
				}
				if g == 'n' {
					g = 0
				}
				if g != 0 {
					verbGender[word] = g
				}
				verbs = append(verbs, word)
			case "according":
				accordingPhrases = append(accordingPhrases, strings.Split(word, "_"))
			case "pronouns":
				if g == 'p' {
					g = 0
				}
				d.pronouns[word] = g
				if _, ok := pronouns[word]; !ok {
					pronouns[word] = g
				}
			case "titles", "title-suffixes":
				if g == 'p' {
					g = 0
				}
				if section == "title-suffixes" {
					titleSuffixes[word] = g
				} else if _, ok := titleNouns[word]; !ok {
					titleNouns[word] = g
				}
				if section == "titles" && code == "en" {
					englishTitleSet[word] = true
				}
			case "rank":
				rankModifiers[word] = true
				titleModifiers[word] = true
			case "honorifics":
				if _, ok := honorifics[word]; !ok {
					honorifics[word] = g
				}
			case "determiners":
				determiners[word] = true
				if g == 'i' {
					indefinites[word] = true
				}
			case "months":
				d.months = append(d.months, word)
			case "pro-drop":
				d.proDrop = word == "yes"
			default:
				set, ok := wordSets[section]
				if !ok {
					return fmt.Errorf("line %d: unknown section [%s]", n+1, section)
				}
				set[word] = true
			}
		}
	}
	sort.SliceStable(d.genitive, func(i, j int) bool { return len(d.genitive[i][0]) > len(d.genitive[j][0]) })
	if d.proDrop {
		for _, v := range verbs {
			proDropVerbs[v] = true
		}
	}
	return nil
}

// Language returns the ISO 639-1 code of the language text is written in,
// among those herald has word lists for (en, uk, ru, pl, cs, de, fr, es,
// pt, it), or "" when the text is too short or in none of them. It reads the
// first 16 KiB and counts the function words of each language, each worth
// less the more languages share it, plus the letters only one of them uses
// (і and є for Ukrainian, ы and э for Russian, ł and ą for Polish, ř and ů
// for Czech, ß for German, ã and õ for Portuguese, ñ for Spanish); Cyrillic
// text is Ukrainian or Russian, Latin text one of the others.
func Language(text string) string {
	if len(text) > maxLanguageBytes {
		// The start of an article tells its language; a long one costs
		// no more than that.
		cut := maxLanguageBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	cyr, lat := 0, 0
	score := map[string]float64{}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
		if l, ok := letterLang[unicode.ToLower(r)]; ok {
			score[l] += 0.5
		}
	}
	if cyr+lat < 20 {
		return ""
	}
	cyrillic := cyr > lat
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		langs := functionLangs[w]
		for _, l := range langs {
			score[l] += 1 / float64(len(langs))
		}
	}
	best, bestScore := "", 0.0
	codes := make([]string, 0, len(languages))
	for c := range languages {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		if (c == "uk" || c == "ru") != cyrillic {
			continue
		}
		if score[c] > bestScore {
			best, bestScore = c, score[c]
		}
	}
	if bestScore < 2 {
		return ""
	}
	return best
}

// maxLanguageBytes is how much of a text Language reads words of.
const maxLanguageBytes = 16 << 10

// letterLang maps letters that only one of the languages uses to it.
var letterLang = map[rune]string{
	'і': "uk", 'ї': "uk", 'є': "uk", 'ґ': "uk",
	'ы': "ru", 'э': "ru", 'ъ': "ru", 'ё': "ru",
	'ł': "pl", 'ą': "pl", 'ę': "pl", 'ś': "pl", 'ź': "pl", 'ż': "pl", 'ń': "pl",
	'ř': "cs", 'ů': "cs", 'ě': "cs", 'ť': "cs", 'ď': "cs", 'ň': "cs",
	'ß': "de", 'ä': "de",
	'ã': "pt", 'õ': "pt",
	'ñ': "es",
	'œ': "fr",
}

// functionLangs maps each function word to the languages that list it.
var functionLangs = map[string][]string{}

// indexFunctionWords fills functionLangs once every list is loaded.
func indexFunctionWords() {
	codes := make([]string, 0, len(languages))
	for c := range languages {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		for w := range languages[c].function {
			functionLangs[w] = append(functionLangs[w], c)
		}
	}
}
