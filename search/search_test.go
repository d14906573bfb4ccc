package search_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"herald/news"
	"herald/rules"
	"herald/search"
	"herald/store"
)

var (
	t0       = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	entities = []rules.Entity{
		{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC", "case:WHO"}},
		{ID: "bs", Name: "Black Sea"},
	}
	feedTags = map[string][]string{"wire": {"grain", "world news"}, "BBC World": {"Ukraine"}, "tabloid": nil}
)

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func add(t testing.TB, db *store.DB, it news.Item) {
	t.Helper()
	if _, _, err := db.AddItem(t.Context(), it, t0, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// all returns every result of a query, following Next while More.
func all(t *testing.T, e *search.Engine, q string, n int) ([]search.Result, error) {
	t.Helper()
	var out []search.Result
	var cur search.Cursor
	for range 10000 {
		page, err := e.Search(t.Context(), q, cur, n)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Results...)
		if !page.More {
			return out, nil
		}
		cur = page.Next
	}
	t.Fatalf("%q: More never ends", q)
	return nil, nil
}

// Words with everything that decides what a word is: accents, letters
// without a decomposition, final sigma, combining marks, ideographs,
// possessives, soft hyphens, inner separators, capitals.
var vocabulary = []string{
	"NATO", "nato", "Nato", "NATO’s", "Ukraine", "Ukrainian", "ukrainisch", "Council", "council",
	"Erdoğan", "Erdogan", "Radosław", "Straße", "strasse", "Łódź", "lodz", "Zürich", "zurich",
	"σας", "Ελλάδα", "Київ", "नमस्ते", "नमस", "北京", "京", "F-16", "CDU/CSU", "black", "sea", "Black", "Sea",
	"grain", "grains", "wheat", "US", "us", "WHO", "who", "co\u00ADoperation", "cooperation",
	"Azərbaycan", "l'état", "état", "NUC", "world", "news", "x", "2026",
	"&Eacute;COLE", "ÉCOLE", "école", "Ⅻ", "xii", "XII", "℃", "c", "ǅungla", "ẞ", "SS", "Łódź", "ŁÓDŹ", "iPhone", "IPHONE",
}

var separators = []string{" ", " ", " ", ", ", ". ", " – ", "\n", "-", " / "}

func words(r *rand.Rand, min, max int) string {
	var b strings.Builder
	n := min + r.IntN(max-min+1)
	for i := range n {
		if i > 0 {
			b.WriteString(separators[r.IntN(len(separators))])
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

func randomItem(r *rand.Rand, i int) news.Item {
	feeds := []string{"wire", "BBC World", "tabloid"}
	it := news.Item{
		Feed:      feeds[r.IntN(len(feeds))],
		ID:        fmt.Sprintf("item-%d", i),
		Title:     words(r, 1, 6),
		Text:      words(r, 0, 40),
		Published: t0.Add(-time.Duration(r.IntN(1000)) * time.Hour),
	}
	for range r.IntN(3) {
		it.Categories = append(it.Categories, words(r, 1, 2))
	}
	for range r.IntN(3) {
		it.Authors = append(it.Authors, words(r, 1, 2))
	}
	return it
}

// randomQuery writes a query of the rules' language, which may not parse.
func randomQuery(r *rand.Rand, depth int) string {
	term := func() string {
		w := vocabulary[r.IntN(len(vocabulary))]
		switch r.IntN(12) {
		case 0:
			return `"` + w + " " + vocabulary[r.IntN(len(vocabulary))] + `"`
		case 1:
			if rs := []rune(w); len(rs) >= 3 {
				return string(rs[:2+r.IntN(len(rs)-2)]) + "*"
			}
		case 2:
			return []string{"@nuc", "@bs"}[r.IntN(2)]
		case 3:
			return "case:" + w
		case 4:
			return []string{"title:", "text:", "tag:", "author:"}[r.IntN(4)] + w
		case 5:
			return "feed:" + []string{"wire", "bbc-world", "BBC", "tabloid"}[r.IntN(4)]
		}
		if strings.ContainsAny(w, "’'") {
			return `"` + w + `"`
		}
		return w
	}
	if depth == 0 {
		return term()
	}
	a, b := randomQuery(r, depth-1), randomQuery(r, depth-1)
	switch r.IntN(7) {
	case 0:
		return a + " " + b
	case 1:
		return a + " OR " + b
	case 2:
		return "(" + a + ") -" + term()
	case 3:
		return "(" + a + ") NOT (" + b + ")"
	case 4:
		return term() + fmt.Sprintf(" NEAR/%d ", r.IntN(4)) + term()
	case 5:
		return "(" + a + " OR " + b + ") " + term()
	}
	return a
}

// TestSuperset is the property the design rests on: whatever rules match,
// the index selects, so search finds every item an alert would have
// matched. Random items of tricky words and random queries; each query's
// results must be exactly the items rules match.
func TestSuperset(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 2026))
	db := openStore(t)
	nItems, nQueries := 300, 400
	if underRace {
		nItems, nQueries = 100, 100
	}
	var items []news.Item
	for i := range nItems {
		it := randomItem(r, i)
		items = append(items, it)
		add(t, db, it)
	}
	e := search.New(db, search.Config{Entities: entities, FeedTags: feedTags}, func() time.Time { return t0 })
	e.MaxScan = 1 << 20
	// Each operator at its edges first, then random queries.
	fixed := []string{
		"nato", "NATO’s", `"black sea"`, "ukrain*", "@nuc", "@bs", "case:US", "case:us", "case:Nato",
		"x -case:NATO", "x -case:nato", "x -@nuc", "x -(who OR case:WHO)", "x -tag:grain", "x -tag:ukraine",
		"tag:grain", "tag:world", "tag:news*", "author:x", "title:(nato OR us)", "text:council*",
		"feed:wire", "feed:bbc-world", "x -feed:tabloid", "feed:bbc", "F-16", "CDU/CSU", "l'état", "cooperation",
		"Straße", "lodz", "zurich", "Erdogan", "σας", "σασ", "नमस्ते", "नमस*", "京", "Azərbaycan",
		"nato NEAR/0 council", "nato NEAR/2 (us OR who)", "@nuc NEAR/3 case:US", "x -(nato NEAR/1 us)",
		"title:nato NEAR/2 us", "tag:grain NEAR/1 world", "author:(x NEAR/0 x)", "nato OR (us -x)",
		"(nato OR -x) us", "x -(nato -us)",
		"case:ECOLE", "case:Ecole", "case:ecole", "case:XII", "title:case:XII", "case:C", "case:Dzungla", "case:DZungla",
		"case:SS", "case:LODZ", "case:Lodz", "case:IPHONE", "case:iPhone", "case:IPH*", "case:iP*", "x -case:ECOLE", "x -case:XII",
	}
	queries, matched := 0, 0
	for queries < nQueries+len(fixed) {
		var q string
		if queries < len(fixed) {
			q = fixed[queries]
		} else {
			q = randomQuery(r, 1+r.IntN(3))
		}
		parsed, err := rules.ParseQuery(q, entities)
		if err != nil {
			if queries < len(fixed) && !strings.Contains(q, "OR -x") {
				t.Fatalf("fixed query %q: %v", q, err)
			}
			if queries < len(fixed) {
				queries++
			}
			continue
		}
		queries++
		var want []string
		for _, it := range items {
			tags := append(append([]string(nil), feedTags[it.Feed]...), it.Categories...)
			if _, ok := parsed.Match(rules.Doc{Feed: it.Feed, Title: it.Title, Text: it.Text, Tags: tags, Authors: it.Authors}); ok {
				want = append(want, it.Title+"|"+it.Text)
			}
		}
		res, err := all(t, e, q, 50)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		var got []string
		for _, x := range res {
			got = append(got, x.Title+"|"+x.SnippetText())
		}
		if len(got) != len(want) {
			t.Errorf("Search(%q) found %d items, rules match %d", q, len(got), len(want))
		}
		if len(want) > 0 {
			matched++
		}
	}
	// The property says little if the queries match nothing.
	if matched < queries/3 {
		t.Errorf("only %d of %d queries match anything; make the generator's queries likelier to match", matched, queries)
	}
	t.Logf("%d queries, %d with matches", queries, matched)
}

func TestPages(t *testing.T) {
	db := openStore(t)
	for i := range 12 {
		add(t, db, news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: fmt.Sprintf("Grain report %d", i), Text: "Grain prices.",
			Published: t0.Add(time.Duration(i) * time.Hour)})
		add(t, db, news.Item{Feed: "wire", ID: fmt.Sprint("other", i), Title: "Oil", Text: "Oil prices.", Published: t0.Add(time.Duration(i) * time.Hour)})
	}
	e := search.New(db, search.Config{}, func() time.Time { return t0 })
	var titles []string
	var cur search.Cursor
	for _, want := range []struct {
		n    int
		more bool
	}{{5, true}, {5, true}, {2, false}} {
		page, err := e.Search(t.Context(), "grain", cur, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Results) != want.n || page.More != want.more {
			t.Fatalf("page of %d results, More %v; want %d, %v", len(page.Results), page.More, want.n, want.more)
		}
		for _, r := range page.Results {
			titles = append(titles, r.Title)
		}
		cur = page.Next
	}
	for i, title := range titles {
		if want := fmt.Sprintf("Grain report %d", 11-i); title != want {
			t.Errorf("result %d = %q, want %q (newest first, no repeats)", i, title, want)
		}
	}
	// By relevance, pages go on by offset: every match once.
	res, err := all(t, e, "grain sort:relevance", 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range res {
		seen[r.Title] = true
	}
	if len(res) != 12 || len(seen) != 12 {
		t.Errorf("by relevance: %d results, %d distinct; want 12", len(res), len(seen))
	}
}

func TestSinceAndSort(t *testing.T) {
	db := openStore(t)
	add(t, db, news.Item{Feed: "wire", ID: "a", Title: "Wheat", Text: "wheat", Published: t0.Add(-10 * 24 * time.Hour)})
	add(t, db, news.Item{Feed: "wire", ID: "b", Title: "Wheat wheat wheat", Text: "wheat wheat wheat wheat", Published: t0.Add(-3 * 24 * time.Hour)})
	add(t, db, news.Item{Feed: "wire", ID: "c", Title: "Other", Text: "some wheat", Published: t0.Add(-time.Hour)})
	e := search.New(db, search.Config{}, func() time.Time { return t0 })
	cases := []struct {
		query string
		want  []string
	}{
		{"wheat", []string{"Other", "Wheat wheat wheat", "Wheat"}},
		{"wheat since:7d", []string{"Other", "Wheat wheat wheat"}},
		{"since:2026-03-25 wheat", []string{"Other", "Wheat wheat wheat"}},
		{"SINCE:2h wheat", []string{"Other"}},
		{"wheat sort:relevance", []string{"Wheat wheat wheat", "Wheat", "Other"}},
		{"sort:relevance since:7d wheat", []string{"Wheat wheat wheat", "Other"}},
		{`"since:7d" wheat`, nil}, // quoted, since: is a phrase of words
	}
	for _, tc := range cases {
		page, err := e.Search(t.Context(), tc.query, search.Cursor{}, 10)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.query, err)
			continue
		}
		var got []string
		for _, r := range page.Results {
			got = append(got, r.Title)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q) = %q, want %q", tc.query, got, tc.want)
		}
		if strings.Contains(tc.query, "relevance") != page.Relevance {
			t.Errorf("Search(%q).Relevance = %v", tc.query, page.Relevance)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	e := search.New(openStore(t), search.Config{Entities: entities}, nil)
	cases := []struct {
		query  string
		offset int
		msg    string
	}{
		{"ukraine AND", 8, "dangling operator AND"},
		{"nato since:7x", 5, "since:7x: write how far back"},
		{"nato since:7d since:2d", 14, "since: is given twice"},
		{"nato sort:oldest", 5, "sort:oldest: write sort:relevance"},
		{"(since:7d nato)", 1, "since: stands on its own"},
		{"nato -sort:relevance", 6, "sort: stands on its own"},
		{"since:7d", 0, "empty query"},
		{"since:7d @nope", 9, "unknown entity @nope"},
		{`"black sea`, 0, "quot"},
	}
	for _, tc := range cases {
		_, err := e.Search(t.Context(), tc.query, search.Cursor{}, 5)
		var qe *rules.Error
		if !errors.As(err, &qe) {
			t.Errorf("Search(%q) error = %v, want a *rules.Error", tc.query, err)
			continue
		}
		if qe.Offset != tc.offset || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("Search(%q) = offset %d %q; want offset %d and %q", tc.query, qe.Offset, qe.Msg, tc.offset, tc.msg)
		}
	}
}

// TestMaxScan: a query the index can only approximate (NEAR, which FTS5
// lets overlap and rules do not) reads at most MaxScan candidates per page
// and says there may be more.
func TestMaxScan(t *testing.T) {
	db := openStore(t)
	add(t, db, news.Item{Feed: "wire", ID: "twice", Title: "NATO, NATO", Text: "x", Published: t0.Add(-time.Hour)})
	for i := range 40 {
		add(t, db, news.Item{Feed: "wire", ID: fmt.Sprint(i), Title: "NATO", Text: "x", Published: t0})
	}
	e := search.New(db, search.Config{}, nil)
	e.MaxScan = 16
	page, err := e.Search(t.Context(), "nato NEAR/0 nato", search.Cursor{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 0 || !page.More || page.Scanned != 16 {
		t.Fatalf("page = %d results, More %v, Scanned %d; want 0, true, 16", len(page.Results), page.More, page.Scanned)
	}
	res, err := all(t, e, "nato NEAR/0 nato", 5)
	if err != nil || len(res) != 1 || res[0].Title != "NATO, NATO" {
		t.Fatalf("following More: %v, %v", res, err)
	}
}

func TestSnippet(t *testing.T) {
	db := openStore(t)
	long := strings.Repeat("Filler words before the news. ", 20) +
		"Foreign ministers met the NATO–Ukraine\nCouncil in Brussels, and NATO said more. " +
		strings.Repeat("Filler words after the news. ", 20)
	add(t, db, news.Item{Feed: "wire", ID: "a", Title: "Ministers meet", Text: long, Published: t0})
	add(t, db, news.Item{Feed: "wire", ID: "b", Title: "NATO in the title only", Text: "The lead sentence says little. A second one.", Published: t0.Add(-time.Hour)})
	e := search.New(db, search.Config{Entities: entities}, nil)
	page, err := e.Search(t.Context(), "@nuc OR nato", search.Cursor{}, 5)
	if err != nil || len(page.Results) != 2 {
		t.Fatalf("Search = %v, %v", page, err)
	}
	var marked []string
	for _, f := range page.Results[0].Snippet {
		if f.Hit {
			marked = append(marked, f.Text)
		}
	}
	if want := []string{"NATO–Ukraine Council", "NATO"}; !slices.Equal(marked, want) {
		t.Errorf("marked = %q, want %q", marked, want)
	}
	text := page.Results[0].SnippetText()
	if !strings.HasPrefix(text, "…") || !strings.HasSuffix(text, "…") || len([]rune(text)) > search.SnippetLen+2 {
		t.Errorf("snippet = %q: want a passage marked … at both ends, at most %d characters", text, search.SnippetLen)
	}
	if strings.Contains(text, "\n") || strings.Contains(text, "  ") {
		t.Errorf("snippet %q keeps line breaks or double spaces", text)
	}
	if got := page.Results[1].SnippetText(); got != "The lead sentence says little. A second one." {
		t.Errorf("title-only snippet = %q, want the lead", got)
	}
}
