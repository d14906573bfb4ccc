package rules

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"herald/news"
)

// TestIndexAgreesWithReference checks, on random rules and articles, that
// the indexed Set.Match, the rule-by-rule evaluation and a plain reference
// evaluator written straight from the language's definition all agree.
func TestIndexAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	ents := []Entity{
		{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC"}},
		{ID: "who", Name: "World Health Organization", Aliases: []string{"case:WHO"}},
		{ID: "sea", Name: "Black Sea"},
	}
	sets, docsPerSet, rulesPerSet := 150, 20, 30
	if testing.Short() {
		sets = 30
	}
	cases := 0
	for set := range sets {
		var rules []Rule
		for len(rules) < rulesPerSet {
			rule := Rule{Name: fmt.Sprintf("r%d", len(rules)), Query: genQuery(r, 0)}
			if len(rules) > 0 && r.IntN(6) == 0 {
				// A rule written as an earlier one is, which the index
				// leaves to the first (see Set.Alike).
				like := rules[r.IntN(len(rules))]
				rule.Query, rule.Exclude, rule.Feeds = like.Query, like.Exclude, like.Feeds
				rules = append(rules, rule)
				continue
			}
			if r.IntN(5) == 0 {
				rule.Exclude = genQuery(r, 1)
			}
			if r.IntN(8) == 0 {
				rule.Feeds = []string{"wire"}
			}
			if _, err := Compile([]Rule{rule}, ents); err != nil {
				continue // the generator writes unbounded or malformed queries too
			}
			rules = append(rules, rule)
		}
		s, err := Compile(rules, ents)
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		trees := make([][2]Node, len(rules))
		for i, rule := range rules {
			q, _ := ParseQuery(rule.Query, ents)
			trees[i][0] = q.Root()
			if rule.Exclude != "" {
				x, _ := ParseQuery(rule.Exclude, ents)
				trees[i][1] = x.Root()
			}
		}
		for range docsPerSet {
			d := genDoc(r)
			cases++
			got := s.Match(d)
			if each := s.matchEach(d); !reflect.DeepEqual(got, each) {
				t.Fatalf("set %d, doc %+v:\nindexed %+v\neach    %+v", set, d, got, each)
			}
			checkMatching(t, s, d, got, r)
			rd := newRefDoc(d)
			var want []string
			for i, rule := range rules {
				if len(rule.Feeds) > 0 && !strings.EqualFold(rule.Feeds[0], d.Feed) {
					continue
				}
				if rd.eval(trees[i][0]) && (trees[i][1] == nil || !rd.eval(trees[i][1])) {
					want = append(want, rule.Name)
				}
			}
			var names []string
			for _, m := range got {
				names = append(names, m.Rule)
				if len(m.Hits) == 0 {
					t.Errorf("rule %q matched %+v without hits", m.Rule, d)
				}
			}
			if !slices.Equal(names, want) {
				for i, rule := range rules {
					if slices.Contains(names, rule.Name) != slices.Contains(want, rule.Name) {
						t.Errorf("rule %q: %q exclude %q", rule.Name, trees[i][0], rule.Exclude)
					}
				}
				t.Fatalf("set %d, doc %+v:\n matched %v\nreference %v", set, d, names, want)
			}
		}
	}
	t.Logf("%d articles against %d rules each", cases, rulesPerSet)
}

// The generated language: words in several spellings, so that folding,
// case and separators all matter.
var (
	propWords = []string{"nato", "ukraine", "kyiv", "grain", "sea", "black", "us", "who", "zurich", "council", "deal", "talks"}
	propSpell = map[string][]string{
		"nato":    {"NATO", "Nato", "nato", "NATO’s", "NATO's"},
		"ukraine": {"Ukraine", "UKRAINE", "ukraine", "Ukrainian"},
		"zurich":  {"Zürich", "Zurich", "ZÜRICH"},
		"us":      {"US", "us", "Us", "U.S."},
		"who":     {"WHO", "who", "Who"},
		"sea":     {"Sea", "sea", "SEA", "seas"},
		"black":   {"Black", "black", "BLACK"},
	}
	propSeps  = []string{" ", " ", " ", ", ", "-", "–", "\n", ". ", " — ", "/"}
	propFeeds = []string{"wire", "BBC World", "ap"}
)

func genWord(r *rand.Rand) string { return propWords[r.IntN(len(propWords))] }

// genTerm writes a random term of the query language.
func genTerm(r *rand.Rand, near bool) string {
	var t string
	switch x := r.IntN(20); {
	case x < 8:
		t = genWord(r)
	case x < 11:
		t = `"` + genWord(r) + " " + genWord(r) + `"`
	case x < 12:
		t = genWord(r)[:2] + "*"
	case x < 13:
		t = []string{"@nuc", "@who", "@sea"}[r.IntN(3)]
	case x < 15:
		switch r.IntN(4) {
		case 0:
			t = "case:" + propSpell["us"][r.IntN(3)]
		case 1:
			t = "case:" + propSpell["who"][r.IntN(3)]
		case 2:
			t = "case:" + []string{"Uk*", "UK*", "uk*", "Zü*", "ZU*"}[r.IntN(5)]
		default:
			t = `case:"` + []string{"Black", "black", "BLACK"}[r.IntN(3)] + " " + []string{"Sea", "sea"}[r.IntN(2)] + `"`
		}
	case x < 16 && !near:
		return "feed:" + []string{"wire", `"bbc world"`, "ap", "other"}[r.IntN(4)]
	default:
		t = genWord(r)
	}
	if r.IntN(5) == 0 {
		t = []string{"title:", "text:", "tag:", "author:"}[r.IntN(4)] + t
	}
	return t
}

// genQuery writes a random query, not always a valid one.
func genQuery(r *rand.Rand, depth int) string {
	if depth > 2 {
		return genTerm(r, false)
	}
	switch x := r.IntN(12); {
	case x < 4:
		return genTerm(r, false)
	case x < 6:
		return genQuery(r, depth+1) + " " + genQuery(r, depth+1)
	case x < 8:
		or := "(" + genQuery(r, depth+1) + " OR " + genQuery(r, depth+1) + ")"
		if r.IntN(4) == 0 {
			or = []string{"title:", "text:", "case:", "tag:"}[r.IntN(4)] + or
		}
		return or
	case x < 10:
		return genQuery(r, depth+1) + " -" + genTerm(r, false)
	default:
		left, right := genTerm(r, true), genTerm(r, true)
		if r.IntN(3) == 0 {
			left = "(" + left + " OR " + genTerm(r, true) + ")"
		}
		return fmt.Sprintf("%s NEAR/%d %s", left, r.IntN(4), right)
	}
}

// genText writes n words in random spellings with random separators.
func genText(r *rand.Rand, n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteString(propSeps[r.IntN(len(propSeps))])
		}
		w := genWord(r)
		if sp := propSpell[w]; sp != nil && r.IntN(2) == 0 {
			w = sp[r.IntN(len(sp))]
		} else if r.IntN(4) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	return b.String()
}

func genDoc(r *rand.Rand) Doc {
	d := Doc{Feed: propFeeds[r.IntN(len(propFeeds))], Title: genText(r, 2+r.IntN(5)), Text: genText(r, 5+r.IntN(40))}
	for range r.IntN(3) {
		d.Tags = append(d.Tags, genText(r, 1+r.IntN(2)))
	}
	for range r.IntN(3) {
		d.Authors = append(d.Authors, genText(r, 1+r.IntN(2)))
	}
	return d
}

// refDoc is an article as the reference evaluator sees it.
type refDoc struct {
	feed    string
	streams []refStream
}

type refStream struct {
	field string // as Term.Field names it; "" for none
	src   string
	toks  []Token
}

func newRefDoc(d Doc) *refDoc {
	rd := &refDoc{feed: strings.Join(norms(Tokenize(d.Feed)), " ")}
	add := func(field, src string) {
		rd.streams = append(rd.streams, refStream{field, src, Tokenize(src)})
	}
	add(FieldTitle, d.Title)
	add(FieldText, d.Text)
	for _, t := range d.Tags {
		add(FieldTag, t)
	}
	for _, a := range d.Authors {
		add(FieldAuthor, a)
	}
	return rd
}

func norms(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Norm
	}
	return out
}

// refSpan is an occurrence in the reference: stream, first and last token.
type refSpan struct{ stream, first, last int }

// eval is the language's definition, evaluated the slow, obvious way.
func (rd *refDoc) eval(n Node) bool {
	switch n := n.(type) {
	case *And:
		for _, k := range n.Nodes {
			if !rd.eval(k) {
				return false
			}
		}
		return true
	case *Or:
		for _, k := range n.Nodes {
			if rd.eval(k) {
				return true
			}
		}
		return false
	case *Not:
		return !rd.eval(n.Node)
	case *Near:
		as, bs := rd.spans(n.Left), rd.spans(n.Right)
		for _, a := range as {
			for _, b := range bs {
				if a.stream != b.stream || a.last >= b.first && b.last >= a.first {
					continue
				}
				gap := b.first - a.last - 1
				if a.first > b.last {
					gap = a.first - b.last - 1
				}
				if gap <= n.N {
					return true
				}
			}
		}
		return false
	case *Term:
		if n.Field == FieldFeed {
			return rd.feed == strings.Join(n.Phrases[0], " ")
		}
		return len(rd.spans(n)) > 0
	}
	panic("unknown node")
}

// spans returns every occurrence of a term, or of an OR of terms.
func (rd *refDoc) spans(n Node) []refSpan {
	if o, ok := n.(*Or); ok {
		var out []refSpan
		for _, k := range o.Nodes {
			out = append(out, rd.spans(k)...)
		}
		return out
	}
	t := n.(*Term)
	var out []refSpan
	for si, st := range rd.streams {
		if t.Field == "" && st.field != FieldTitle && st.field != FieldText || t.Field != "" && t.Field != st.field {
			continue
		}
		for pi, ph := range t.Phrases {
			var exact []string
			if t.Exact != nil {
				exact = t.Exact[pi]
			}
			for p := 0; p+len(ph) <= len(st.toks); p++ {
				ok := true
				for k, w := range ph {
					tok := st.toks[p+k]
					prefix := t.Kind == PrefixTerm && k == len(ph)-1
					cased := ""
					if exact != nil {
						cased = string(appendCased(nil, st.src[tok.Start:tok.End]))
					}
					switch {
					case prefix && !strings.HasPrefix(tok.Norm, w), !prefix && tok.Norm != w:
						ok = false
					case exact != nil && prefix && !strings.HasPrefix(cased, exact[k]):
						ok = false
					case exact != nil && !prefix && cased != exact[k]:
						ok = false
					}
				}
				if ok {
					out = append(out, refSpan{si, p, p + len(ph) - 1})
				}
			}
		}
	}
	return out
}

// checkMatching checks that Matching finds the rules of Match, got, and
// that Explain gives the matches of any of the rules, matching or not.
func checkMatching(t *testing.T, s *Set, d Doc, got []news.Match, r *rand.Rand) {
	t.Helper()
	var names []string
	for _, i := range s.Matching(d, nil) {
		names = append(names, s.Name(i))
	}
	var want []string
	for _, m := range got {
		want = append(want, m.Rule)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("doc %+v: Matching = %q, Match = %q", d, names, want)
	}
	// MatchingDistinct and Alike find the same rules.
	var all []int
	for _, i := range s.MatchingDistinct(d, nil) {
		all = append(all, i)
		for _, j := range s.Alike(i) {
			all = append(all, int(j))
		}
	}
	slices.Sort(all)
	names = names[:0]
	for _, i := range all {
		names = append(names, s.Name(i))
	}
	if !slices.Equal(names, want) {
		t.Fatalf("doc %+v: MatchingDistinct and Alike = %q, Match = %q", d, names, want)
	}
	var some []int
	var wantSome []news.Match
	for i := range s.Len() {
		if r.IntN(2) == 0 {
			some = append(some, i)
			if k := slices.IndexFunc(got, func(m news.Match) bool { return m.Rule == s.Name(i) }); k >= 0 {
				wantSome = append(wantSome, got[k])
			}
		}
	}
	if ex := s.Explain(d, some); !reflect.DeepEqual(ex, wantSome) {
		t.Fatalf("doc %+v: Explain(%v) = %+v, want %+v", d, some, ex, wantSome)
	}
}

// TestIndexAgreesOnCorpora checks the indexed Set.Match against the
// rule-by-rule evaluation and the reference evaluator on small corpora of
// the benchmarks' shapes (see genCorpus): Zipf-distributed articles with
// possessives, hyphens and capitals, and rules written in their words,
// common words and phrases of common words included, or every rule a
// phrase of two frequent words.
func TestIndexAgreesOnCorpora(t *testing.T) {
	size := corpusSize{vocabulary: 500, phrases: 150, articles: 10, articleLen: 1500, rules: 1500, top: 60}
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, name := range benchCorpora {
		for _, seed := range seeds {
			c := genCorpus(name, size, seed)
			s, err := Compile(c.specs, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			roots := make([]Node, len(c.specs))
			for i, rule := range c.specs {
				q, err := ParseQuery(rule.Query, nil)
				if err != nil {
					t.Fatalf("%s: %q: %v", name, rule.Query, err)
				}
				roots[i] = q.Root()
			}
			r := rand.New(rand.NewPCG(seed, 9))
			total := 0
			for k, d := range c.docs {
				got := s.Match(d)
				if each := s.matchEach(d); !reflect.DeepEqual(got, each) {
					t.Fatalf("%s seed %d article %d: indexed and rule by rule differ", name, seed, k)
				}
				checkMatching(t, s, d, got, r)
				rd := newRefDoc(d)
				var want []string
				for i, root := range roots {
					if rd.eval(root) {
						want = append(want, c.specs[i].Name)
					}
				}
				names := make([]string, len(got))
				for i, m := range got {
					names[i] = m.Rule
				}
				if !slices.Equal(names, want) {
					for _, rule := range c.specs {
						if slices.Contains(names, rule.Name) != slices.Contains(want, rule.Name) {
							t.Errorf("%s seed %d article %d: rule %q (%s): indexed %v, reference %v", name, seed, k,
								rule.Name, rule.Query, slices.Contains(names, rule.Name), slices.Contains(want, rule.Name))
						}
					}
					t.FailNow()
				}
				total += len(got)
			}
			if total == 0 {
				t.Errorf("%s seed %d: no rule matched any article: the test checks nothing", name, seed)
			}
			t.Logf("%s seed %d: %d matches over %d articles", name, seed, total, len(c.docs))
		}
	}
}
