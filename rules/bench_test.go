package rules

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

// The benchmark corpora: a generated language with a Zipf-distributed
// vocabulary, articles of about 5 KB written in it, and rules over it.
// Everything comes from a fixed seed, so runs compare.
//
//   - uniform: rule words drawn uniformly from all but the 100 most
//     frequent words, phrases from a list of collocations the articles use;
//   - zipf: rules written in the words the news uses: half of all rule
//     words drawn from the articles' own distribution, half uniformly from
//     the whole vocabulary; ~55 % of terms one word, ~30 % two-word and
//     ~15 % three-word phrases; the articles have possessives, hyphenated
//     words and capitals;
//   - adversarial: every rule a distinct two-word phrase of two of the 400
//     most frequent words, on the zipf corpus's articles.
const (
	corpusStopwords = 100  // uniform: the most frequent words, which no rule looks for
	corpusZipfS     = 1.07 // the exponent of the articles' word distribution
)

// corpusSize is how large a generated corpus is.
type corpusSize struct {
	vocabulary int // words of the language
	phrases    int // collocations that articles use and rules look for
	articles   int
	articleLen int // bytes of body, about
	rules      int
	top        int // adversarial: the most frequent words, of which its phrases are made
}

// benchSize is the benchmarks' corpus size.
var benchSize = corpusSize{vocabulary: 60000, phrases: 5000, articles: 64, articleLen: 5000, rules: 100000, top: 400}

var (
	benchSizes   = []int{1000, 10000, 100000}
	benchCorpora = []string{"uniform", "zipf", "adversarial"}
)

// benchRule is a generated rule in a form the naive matcher can use.
type benchRule struct {
	op    string     // "", "AND", "OR" or "NOT" (the second term excluded)
	terms [][]string // each term's words, lower case
}

// query writes the rule in the query language.
func (r benchRule) query() string {
	parts := make([]string, len(r.terms))
	for i, t := range r.terms {
		if len(t) > 1 {
			parts[i] = `"` + strings.Join(t, " ") + `"`
		} else {
			parts[i] = t[0]
		}
	}
	switch r.op {
	case "AND":
		return parts[0] + " " + parts[1]
	case "OR":
		return strings.Join(parts, " OR ")
	case "NOT":
		return parts[0] + " -" + parts[1]
	}
	return parts[0]
}

type benchCorpus struct {
	docs  []Doc
	bytes int // average size of an article, title and text
	rules []benchRule
	specs []Rule
}

var corpusOnce = map[string]func() *benchCorpus{
	"uniform":     sync.OnceValue(func() *benchCorpus { return genCorpus("uniform", benchSize, 0) }),
	"zipf":        sync.OnceValue(func() *benchCorpus { return genCorpus("zipf", benchSize, 0) }),
	"adversarial": sync.OnceValue(func() *benchCorpus { return genCorpus("adversarial", benchSize, 0) }),
}

// benchmarkCorpus returns the named corpus, with the largest number of
// rules; smaller sizes use its first rules.
func benchmarkCorpus(name string) *benchCorpus { return corpusOnce[name]() }

// benchVocabulary returns the generated language's words; their order is
// their frequency rank in articles.
func benchVocabulary(r *rand.Rand, size int) []string {
	vocab := make([]string, 0, size)
	seen := make(map[string]bool, size)
	syllables := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "za", "be", "do", "fi", "gu", "ha", "je",
		"pa", "re", "si", "tu", "wa", "xo", "yi", "an", "el", "in", "or", "ust", "ber", "dan", "gor", "kin", "mar", "nov", "str"}
	for len(vocab) < size {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return vocab
}

// genCorpus generates the named corpus of the given size; a seed other
// than 0 makes another of the same shape.
func genCorpus(name string, size corpusSize, seed uint64) *benchCorpus {
	if seed == 0 {
		seed = 2024
		if name != "uniform" {
			seed = 2026 // zipf and adversarial share their articles
		}
	}
	r := rand.New(rand.NewPCG(seed, 4))
	vocab := benchVocabulary(r, size.vocabulary)
	zipf := rand.NewZipf(r, corpusZipfS, 2, uint64(size.vocabulary-1))
	// ruleWord draws one word of a rule: in the uniform corpus, rules name
	// rarer words (no one subscribes to "the"); in the zipf corpus, half
	// the time a word as the articles use them, "the" included.
	ruleWord := func() string { return vocab[corpusStopwords+r.IntN(size.vocabulary-corpusStopwords)] }
	if name != "uniform" {
		ruleWord = func() string {
			if r.IntN(2) == 0 {
				return vocab[zipf.Uint64()]
			}
			return vocab[r.IntN(size.vocabulary)]
		}
	}
	phrases := make([][]string, size.phrases)
	for i := range phrases {
		phrases[i] = make([]string, 2+r.IntN(2))
		for k := range phrases[i] {
			phrases[i][k] = ruleWord()
		}
	}
	c := &benchCorpus{}
	c.docs, c.bytes = genArticles(r, name, size, vocab, zipf, phrases)
	var term func() []string
	switch name {
	case "uniform":
		term = func() []string {
			if r.IntN(10) < 3 {
				return phrases[r.IntN(len(phrases))]
			}
			return []string{ruleWord()}
		}
	default:
		// ~55 % one word, ~30 % two words, ~15 % three; half the phrases
		// are collocations the articles use, half new.
		term = func() []string {
			x := r.IntN(20)
			if x < 11 {
				return []string{ruleWord()}
			}
			n := 2
			if x >= 17 {
				n = 3
			}
			if r.IntN(2) == 0 {
				for {
					if p := phrases[r.IntN(len(phrases))]; len(p) == n {
						return p
					}
				}
			}
			p := make([]string, n)
			for k := range p {
				p[k] = ruleWord()
			}
			return p
		}
	}
	n := size.rules
	if name == "adversarial" {
		seen := make(map[[2]int]bool, n)
		for len(c.rules) < n {
			pair := [2]int{r.IntN(size.top), r.IntN(size.top)}
			if seen[pair] {
				continue
			}
			seen[pair] = true
			c.rules = append(c.rules, benchRule{terms: [][]string{{vocab[pair[0]], vocab[pair[1]]}}})
		}
	}
	for len(c.rules) < n {
		var br benchRule
		switch x := r.IntN(10); {
		case x < 6:
			br.terms = [][]string{term()}
		case x < 8:
			br.op, br.terms = "AND", [][]string{term(), term()}
		case x < 9:
			br.op = "OR"
			for range 2 + r.IntN(2) {
				br.terms = append(br.terms, term())
			}
		default:
			br.op, br.terms = "NOT", [][]string{term(), term()}
		}
		c.rules = append(c.rules, br)
	}
	for i, br := range c.rules {
		c.specs = append(c.specs, Rule{Name: fmt.Sprintf("rule %d", i), Query: br.query()})
	}
	return c
}

// genArticles writes the corpus's articles and returns them with their
// average size.
func genArticles(r *rand.Rand, name string, size corpusSize, vocab []string, zipf *rand.Zipf, phrases [][]string) ([]Doc, int) {
	seps := []string{" ", " ", " ", " ", " ", ", ", " - ", "\n"}
	sentence := func(b *strings.Builder, words int) {
		for k := range words {
			if k > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			if r.IntN(40) == 0 {
				b.WriteString(strings.Join(phrases[r.IntN(len(phrases))], " "))
				continue
			}
			w := vocab[zipf.Uint64()]
			if name != "uniform" {
				// As real text has them: hyphenated compounds, possessives.
				switch r.IntN(50) {
				case 0:
					w += "-" + vocab[zipf.Uint64()]
				case 1:
					w += "'s"
				case 2:
					w += "’s"
				}
			}
			if k == 0 || r.IntN(10) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
	}
	var docs []Doc
	total := 0
	for range size.articles {
		var title, text strings.Builder
		sentence(&title, 6+r.IntN(6))
		for text.Len() < size.articleLen {
			sentence(&text, 8+r.IntN(18))
			text.WriteString(". ")
			if r.IntN(5) == 0 {
				text.WriteString("\n\n")
			}
		}
		d := Doc{Feed: "wire", Title: title.String(), Text: text.String()}
		docs = append(docs, d)
		total += len(d.Title) + len(d.Text)
	}
	return docs, total / len(docs)
}

// BenchmarkMatch finds which of 1,000, 10,000 and 100,000 rules match
// articles of about 5 KB, with the index: Set.Matching, which herald runs
// on every item it fetches. It reports the rules matched per article and
// the cost per match.
func BenchmarkMatch(b *testing.B) {
	var dst []int
	matches := 0
	benchmarkCorpora(b, func(set *Set, d Doc) int {
		dst = set.Matching(d, dst[:0])
		return len(dst)
	}, &matches)
}

// BenchmarkMatchDistinct is BenchmarkMatch as herald's alerting runs it
// (Set.MatchingDistinct): rules written alike are decided once, and the
// matches are the distinct queries that match, each standing for its
// class (Set.Alike). It reports the distinct matches per article and the
// rules they stand for.
func BenchmarkMatchDistinct(b *testing.B) {
	var dst []int
	matches := 0
	benchmarkCorpora(b, func(set *Set, d Doc) int {
		dst = set.MatchingDistinct(d, dst[:0])
		return len(dst)
	}, &matches)
}

// BenchmarkMatchHits is BenchmarkMatch with the hits of every rule that
// matches: Set.Match, as herald match runs it. herald finds hits only for
// the rules that have someone to alert (Set.Explain).
func BenchmarkMatchHits(b *testing.B) {
	matches := 0
	benchmarkCorpora(b, func(set *Set, d Doc) int { return len(set.Match(d)) }, &matches)
}

// BenchmarkMatchEach evaluates every rule one by one on the article, which
// is tokenized once: the index's gain over plain evaluation.
func BenchmarkMatchEach(b *testing.B) {
	var dst []int
	matches := 0
	benchmarkCorpora(b, func(set *Set, d Doc) int {
		dst = set.matchingEach(d, dst[:0])
		return len(dst)
	}, &matches)
}

// benchmarkCorpora runs match on every corpus and size, as
// corpus=NAME/rules=N. match returns the number of rules that matched.
func benchmarkCorpora(b *testing.B, match func(*Set, Doc) int, matches *int) {
	for _, name := range benchCorpora {
		c := benchmarkCorpus(name)
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("corpus=%s/rules=%d", name, n), func(b *testing.B) {
				set, err := Compile(c.specs[:n], nil)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(c.bytes))
				b.ReportAllocs()
				i, total := 0, 0
				for b.Loop() {
					total += match(set, c.docs[i%len(c.docs)])
					i++
				}
				reportMatches(b, i, total)
			})
		}
	}
}

// reportMatches reports the rules matched per article and the time per
// match, after ops articles with total matches.
func reportMatches(b *testing.B, ops, total int) {
	b.ReportMetric(float64(total)/float64(ops), "matches/op")
	if total > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/match")
	}
}

// BenchmarkMatchNaive is the straightforward way, as a user's script would
// do it: for each rule, look for each of its terms in the article's
// lower-cased text with strings.Index, checking word boundaries.
func BenchmarkMatchNaive(b *testing.B) {
	for _, name := range benchCorpora {
		c := benchmarkCorpus(name)
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("corpus=%s/rules=%d", name, n), func(b *testing.B) {
				rules := c.rules[:n]
				b.SetBytes(int64(c.bytes))
				i, total := 0, 0
				for b.Loop() {
					d := c.docs[i%len(c.docs)]
					i++
					total += len(naiveMatch(rules, strings.ToLower(d.Title+"\n"+d.Text)))
				}
				reportMatches(b, i, total)
			})
		}
	}
}

// naiveMatch returns the indices of the rules that match text.
func naiveMatch(rules []benchRule, text string) []int {
	var out []int
	for i, r := range rules {
		var ok bool
		switch r.op {
		case "":
			ok = naiveContains(text, r.terms[0])
		case "AND":
			ok = naiveContains(text, r.terms[0]) && naiveContains(text, r.terms[1])
		case "OR":
			for _, t := range r.terms {
				if naiveContains(text, t) {
					ok = true
					break
				}
			}
		case "NOT":
			ok = naiveContains(text, r.terms[0]) && !naiveContains(text, r.terms[1])
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// naiveContains reports whether the words occur in text, separated by a
// space, at word boundaries.
func naiveContains(text string, words []string) bool {
	needle := strings.Join(words, " ")
	for from := 0; ; {
		k := strings.Index(text[from:], needle)
		if k < 0 {
			return false
		}
		start, end := from+k, from+k+len(needle)
		if (start == 0 || !isWordByte(text[start-1])) && (end == len(text) || !isWordByte(text[end])) {
			return true
		}
		from = start + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// BenchmarkCompile compiles 100,000 rules of each corpus into a Set.
func BenchmarkCompile(b *testing.B) {
	n := benchSizes[len(benchSizes)-1]
	for _, name := range benchCorpora {
		c := benchmarkCorpus(name)
		b.Run(fmt.Sprintf("corpus=%s/rules=%d", name, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(c.specs[:n], nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatchSeedArticle matches the wire story herald was designed
// around against a handful of rules.
func BenchmarkMatchSeedArticle(b *testing.B) {
	raw, err := os.ReadFile("../../shared/fixtures/seed-article.txt")
	if err != nil {
		b.Skipf("seed article not available: %v", err)
	}
	rules := []Rule{
		{Name: "nuc", Query: "@nuc"},
		{Name: "ukraine", Query: "ukrain* -sport"},
		{Name: "sea", Query: `"black sea" OR (grain export*)`},
		{Name: "near", Query: `NATO NEAR/5 (Ukraine OR Kyiv)`},
		{Name: "none", Query: "weather OR rain"},
	}
	set, err := Compile(rules, testEntities)
	if err != nil {
		b.Fatal(err)
	}
	doc := Doc{Title: "NATO backs a bigger role", Text: string(raw)}
	b.SetBytes(int64(len(doc.Title) + len(doc.Text)))
	b.ReportAllocs()
	for b.Loop() {
		set.Match(doc)
	}
}
