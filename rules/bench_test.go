package rules

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

// The benchmark corpus: a generated language with a Zipf-distributed
// vocabulary, articles of about 5 KB written in it, and rules over it.
// Everything comes from a fixed seed, so runs compare.
const (
	corpusVocabulary = 60000
	corpusPhrases    = 5000 // collocations that articles use and rules look for
	corpusArticles   = 64
	corpusArticleLen = 5000 // bytes of body, about
	corpusStopwords  = 100  // the most frequent words, which no rule looks for
)

var benchSizes = []int{1000, 10000, 100000}

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

var (
	corpusOnce sync.Once
	corpus     *benchCorpus
)

// benchmarkCorpus generates the corpus, with the largest number of rules;
// smaller sizes use its first rules.
func benchmarkCorpus() *benchCorpus {
	corpusOnce.Do(func() {
		r := rand.New(rand.NewPCG(2024, 4))
		vocab := make([]string, 0, corpusVocabulary)
		seen := make(map[string]bool, corpusVocabulary)
		syllables := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "za", "be", "do", "fi", "gu", "ha", "je",
			"pa", "re", "si", "tu", "wa", "xo", "yi", "an", "el", "in", "or", "ust", "ber", "dan", "gor", "kin", "mar", "nov", "str"}
		for len(vocab) < corpusVocabulary {
			var b strings.Builder
			for range 1 + r.IntN(4) {
				b.WriteString(syllables[r.IntN(len(syllables))])
			}
			if w := b.String(); !seen[w] {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
		// Rules name rarer words: no one subscribes to "the".
		ruleWord := func() string { return vocab[corpusStopwords+r.IntN(corpusVocabulary-corpusStopwords)] }
		phrases := make([][]string, corpusPhrases)
		for i := range phrases {
			phrases[i] = make([]string, 2+r.IntN(2))
			for k := range phrases[i] {
				phrases[i][k] = ruleWord()
			}
		}
		zipf := rand.NewZipf(r, 1.07, 2, corpusVocabulary-1)
		sentence := func(b *strings.Builder, words int) {
			for k := range words {
				if k > 0 {
					b.WriteString([]string{" ", " ", " ", " ", " ", ", ", " - ", "\n"}[r.IntN(8)])
				}
				if r.IntN(40) == 0 {
					b.WriteString(strings.Join(phrases[r.IntN(len(phrases))], " "))
					continue
				}
				w := vocab[zipf.Uint64()]
				if k == 0 || r.IntN(10) == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
			}
		}
		c := &benchCorpus{}
		total := 0
		for range corpusArticles {
			var title, text strings.Builder
			sentence(&title, 6+r.IntN(6))
			for text.Len() < corpusArticleLen {
				sentence(&text, 8+r.IntN(18))
				text.WriteString(". ")
				if r.IntN(5) == 0 {
					text.WriteString("\n\n")
				}
			}
			d := Doc{Feed: "wire", Title: title.String(), Text: text.String()}
			c.docs = append(c.docs, d)
			total += len(d.Title) + len(d.Text)
		}
		c.bytes = total / len(c.docs)
		term := func() []string {
			if r.IntN(10) < 3 {
				return phrases[r.IntN(len(phrases))]
			}
			return []string{ruleWord()}
		}
		n := benchSizes[len(benchSizes)-1]
		for i := range n {
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
			c.specs = append(c.specs, Rule{Name: fmt.Sprintf("rule %d", i), Query: br.query()})
		}
		corpus = c
	})
	return corpus
}

// BenchmarkMatch finds which of 1,000, 10,000 and 100,000 rules match
// articles of about 5 KB, with the index: Set.Matching, which herald runs
// on every item it fetches.
func BenchmarkMatch(b *testing.B) {
	var dst []int
	benchmarkSizes(b, func(set *Set, d Doc) { dst = set.Matching(d, dst[:0]) })
}

// BenchmarkMatchHits is BenchmarkMatch with the hits of every rule that
// matches: Set.Match, as herald match runs it. herald finds hits only for
// the rules that have someone to alert (Set.Explain).
func BenchmarkMatchHits(b *testing.B) {
	benchmarkSizes(b, func(set *Set, d Doc) { set.Match(d) })
}

// BenchmarkMatchEach evaluates every rule one by one on the article, which
// is tokenized once: the index's gain over plain evaluation.
func BenchmarkMatchEach(b *testing.B) {
	var dst []int
	benchmarkSizes(b, func(set *Set, d Doc) { dst = set.matchingEach(d, dst[:0]) })
}

func benchmarkSizes(b *testing.B, match func(*Set, Doc)) {
	c := benchmarkCorpus()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			set, err := Compile(c.specs[:n], nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(c.bytes))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				match(set, c.docs[i%len(c.docs)])
				i++
			}
		})
	}
}

// BenchmarkMatchNaive is the straightforward way, as a user's script would
// do it: for each rule, look for each of its terms in the article's
// lower-cased text with strings.Index, checking word boundaries.
func BenchmarkMatchNaive(b *testing.B) {
	c := benchmarkCorpus()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			rules := c.rules[:n]
			b.SetBytes(int64(c.bytes))
			i := 0
			for b.Loop() {
				d := c.docs[i%len(c.docs)]
				i++
				naiveMatch(rules, strings.ToLower(d.Title+"\n"+d.Text))
			}
		})
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

// BenchmarkCompile compiles 100,000 rules into a Set.
func BenchmarkCompile(b *testing.B) {
	c := benchmarkCorpus()
	n := benchSizes[len(benchSizes)-1]
	b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Compile(c.specs[:n], nil); err != nil {
				b.Fatal(err)
			}
		}
	})
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
