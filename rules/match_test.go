package rules

import (
	"os"
	"reflect"
	"testing"

	"herald/news"
)

// title and text build hits briefly in the tables below.
func title(term, text string) news.Hit { return news.Hit{Term: term, Field: "title", Text: text} }
func text(term, text string) news.Hit  { return news.Hit{Term: term, Field: "text", Text: text} }

func TestMatch(t *testing.T) {
	const council = `"NATO-Ukraine Council"`
	tests := []struct {
		name  string
		query string
		doc   Doc
		want  []news.Hit // nil: the rule must not match
	}{
		// Phrases across every kind of separator.
		{"phrase with hyphen", council, Doc{Text: "in the NATO-Ukraine Council."}, []news.Hit{text(council, "NATO-Ukraine Council")}},
		{"phrase with en dash, lower case", council, Doc{Text: "the NATO–Ukraine council met"}, []news.Hit{text(council, "NATO–Ukraine council")}},
		{"phrase with spaced em dash and line break", council, Doc{Text: "NATO — Ukraine\nCouncil"}, []news.Hit{text(council, "NATO — Ukraine\nCouncil")}},
		{"phrase with non-breaking hyphen", council, Doc{Text: "NATO\u2011Ukraine Council"}, []news.Hit{text(council, "NATO\u2011Ukraine Council")}},
		{"phrase with spaces, any case", council, Doc{Text: "nato ukraine COUNCIL"}, []news.Hit{text(council, "nato ukraine COUNCIL")}},
		{"phrase with hyphen at a line break", council, Doc{Text: "NATO-\nUkraine  Council"}, []news.Hit{text(council, "NATO-\nUkraine  Council")}},
		{"phrase with html entity dash", council, Doc{Text: "NATO&#8211;Ukraine Council"}, []news.Hit{text(council, "NATO&#8211;Ukraine Council")}},
		{"phrase needs consecutive words", council, Doc{Text: "NATO and the Ukraine Council"}, nil},
		{"phrase needs its order", council, Doc{Text: "Ukraine-NATO Council"}, nil},
		{"bare hyphenated word is a phrase", "NATO-Ukraine", Doc{Text: "NATO–Ukraine ties"}, []news.Hit{text("NATO-Ukraine", "NATO–Ukraine")}},
		{"bare hyphenated word needs consecutive words", "NATO-Ukraine", Doc{Text: "NATO helps Ukraine"}, nil},
		{"slashed word", "CDU/CSU", Doc{Text: "the CDU-CSU bloc"}, []news.Hit{text("CDU/CSU", "CDU-CSU")}},
		{"phrase across fields does not match", `"black sea"`, Doc{Title: "Grain deal in the Black", Text: "Sea ports reopen"}, nil},
		{"words across fields match", "black sea", Doc{Title: "Grain deal in the Black", Text: "Sea ports reopen"},
			[]news.Hit{title("black", "Black"), text("sea", "Sea")}},

		// Possessives and plurals.
		{"curly possessive", "NATO", Doc{Text: "NATO’s role"}, []news.Hit{text("NATO", "NATO")}},
		{"upper-case possessive", "NATO", Doc{Text: "NATO'S ROLE"}, []news.Hit{text("NATO", "NATO")}},
		{"possessive in a phrase", `"Ukraine role"`, Doc{Text: "Ukraine’s role"}, []news.Hit{text(`"Ukraine role"`, "Ukraine’s role")}},
		{"no plural stemming", "NATO", Doc{Text: "two NATOs"}, nil},
		{"no suffix stemming", "Ukraine", Doc{Text: "Ukrainian forces"}, nil},

		// Accents and case.
		{"polish l in text", "Radoslaw", Doc{Text: "Radosław Sikorski"}, []news.Hit{text("Radoslaw", "Radosław")}},
		{"polish l in query", "Radosław", Doc{Text: "RADOSLAW SIKORSKI"}, []news.Hit{text("Radosław", "RADOSLAW")}},
		{"turkish g", "ERDOGAN", Doc{Text: "Recep Tayyip Erdoğan said"}, []news.Hit{text("ERDOGAN", "Erdoğan")}},
		{"umlaut", "Zurich", Doc{Title: "Talks in Zürich"}, []news.Hit{title("Zurich", "Zürich")}},
		{"decomposed umlaut", "zürich", Doc{Text: "Zu\u0308rich"}, []news.Hit{text("zürich", "Zu\u0308rich")}},
		{"soft hyphen inside a word", "Zelenskyy", Doc{Text: "Zelen\u00adskyy spoke"}, []news.Hit{text("Zelenskyy", "Zelen\u00adskyy")}},

		// Prefixes.
		{"prefix matches several words", "Ukrain*", Doc{Text: "Ukrainian forces in Ukraine"},
			[]news.Hit{text("Ukrain*", "Ukrainian"), text("Ukrain*", "Ukraine")}},
		{"prefix matches the whole stem", "ukrain*", Doc{Text: "ukrain"}, []news.Hit{text("ukrain*", "ukrain")}},
		{"prefix only at a word start", "ukrain*", Doc{Text: "pro-ukrainian proukrainian"}, []news.Hit{text("ukrain*", "ukrainian")}},
		{"prefix with accents", "Zü*", Doc{Text: "ZURICH"}, []news.Hit{text("Zü*", "ZURICH")}},

		// Entities.
		{"entity by name", "@nuc", Doc{Text: "the NATO–Ukraine council met"}, []news.Hit{text("@nuc", "NATO–Ukraine council")}},
		{"entity by alias", "@nuc", Doc{Title: "NUC meets", Text: "The nuc met."}, []news.Hit{title("@nuc", "NUC"), text("@nuc", "nuc")}},
		{"entity alias with accent", "@erdogan", Doc{Text: "ERDOĞAN and Erdogan"}, []news.Hit{text("@erdogan", "ERDOĞAN"), text("@erdogan", "Erdogan")}},
		{"entity absent", "@nuc", Doc{Text: "NATO and Ukraine"}, nil},

		// Operators.
		{"and needs both", "ukraine grain", Doc{Text: "Ukraine exports"}, nil},
		{"and explains both", "ukraine AND grain", Doc{Text: "grain from Ukraine"}, []news.Hit{text("grain", "grain"), text("ukraine", "Ukraine")}},
		{"or needs one", "sport OR grain", Doc{Text: "grain prices"}, []news.Hit{text("grain", "grain")}},
		{"not excludes", "ukraine -sport", Doc{Text: "Ukraine sport news"}, nil},
		{"not term gives no hits", "ukraine NOT sport", Doc{Text: "Ukraine news"}, []news.Hit{text("ukraine", "Ukraine")}},
		{"not inside parentheses excludes", "ukraine -(sport OR football)", Doc{Text: "Ukraine football"}, nil},
		{"not inside parentheses passes", "ukraine -(sport OR football)", Doc{Text: "Ukraine grain"}, []news.Hit{text("ukraine", "Ukraine")}},
		{"not within an or group", "ukraine (grain OR NOT sport)", Doc{Text: "Ukraine news"}, []news.Hit{text("ukraine", "Ukraine")}},
		{"only the true side of or explains", "(ukraine -sport) OR russia", Doc{Text: "Russia, Ukraine and sport"}, []news.Hit{text("russia", "Russia")}},
		{"precedence: the lone or side", "a OR b c", Doc{Text: "a"}, []news.Hit{text("a", "a")}},
		{"precedence: half the and side", "a OR b c", Doc{Text: "b"}, nil},
		{"precedence: the whole and side", "a OR b c", Doc{Text: "c b"}, []news.Hit{text("c", "c"), text("b", "b")}},
		{"lower-case or is a word that is missing", "ukraine or russia", Doc{Text: "Ukraine and Russia"}, nil},
		{"lower-case or is a word that is there", "ukraine or russia", Doc{Text: "Ukraine or Russia"},
			[]news.Hit{text("ukraine", "Ukraine"), text("or", "or"), text("russia", "Russia")}},

		// Hits.
		{"title before text", "grain", Doc{Title: "Grain", Text: "More grain, grain"},
			[]news.Hit{title("grain", "Grain"), text("grain", "grain"), text("grain", "grain")}},
		{"a term repeated in the query hits once", "NATO OR (NATO russia)", Doc{Text: "NATO and Russia"},
			[]news.Hit{text("NATO", "NATO"), text("russia", "Russia")}},
		{"overlapping terms each hit", `NATO "NATO-Ukraine Council"`, Doc{Text: "NATO-Ukraine Council"},
			[]news.Hit{text("NATO", "NATO"), text(`"NATO-Ukraine Council"`, "NATO-Ukraine Council")}},
		{"cjk phrase inside a run of characters", "中国", Doc{Text: "中国外交部发言人"}, []news.Hit{text("中国", "中国")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Compile([]Rule{{Name: "topic", Query: tt.query}}, testEntities)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.query, err)
			}
			got := set.Match(tt.doc)
			var want []news.Match
			if tt.want != nil {
				want = []news.Match{{Rule: "topic", Hits: tt.want}}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("query %q on %+v\n got %+v\nwant %+v", tt.query, tt.doc, got, want)
			}

			// A query parsed on its own agrees with the compiled rule.
			q, err := ParseQuery(tt.query, testEntities)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			hits, ok := q.Match(tt.doc)
			if ok != (tt.want != nil) || !reflect.DeepEqual(hits, tt.want) {
				t.Errorf("Query.Match = %+v, %v; want %+v, %v", hits, ok, tt.want, tt.want != nil)
			}
		})
	}
}

func TestSetMatchSeveralRules(t *testing.T) {
	rules := []Rule{
		{Name: "ukraine", Query: "ukraine -sport"},
		{Name: "sport", Query: "sport OR football"},
		{Name: "nuc", Query: "@nuc"},
		{Name: "wire only", Query: "NATO", Feeds: []string{"Wire", "agency"}},
		{Name: "blog only", Query: "NATO", Feeds: []string{"blog"}},
	}
	set, err := Compile(rules, testEntities)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	tests := []struct {
		name string
		doc  Doc
		want []news.Match
	}{
		{
			name: "several rules in configuration order",
			doc:  Doc{Feed: "wire", Title: "Ukraine at the NUC", Text: "NATO ministers met in the NATO-Ukraine Council."},
			want: []news.Match{
				{Rule: "ukraine", Hits: []news.Hit{title("ukraine", "Ukraine"), text("ukraine", "Ukraine")}},
				{Rule: "nuc", Hits: []news.Hit{title("@nuc", "NUC"), text("@nuc", "NATO-Ukraine Council")}},
				{Rule: "wire only", Hits: []news.Hit{text("NATO", "NATO"), text("NATO", "NATO")}},
			},
		},
		{
			name: "feed filter and exclusion",
			doc:  Doc{Feed: "blog", Title: "Ukraine sport", Text: "NATO"},
			want: []news.Match{
				{Rule: "sport", Hits: []news.Hit{title("sport", "sport")}},
				{Rule: "blog only", Hits: []news.Hit{text("NATO", "NATO")}},
			},
		},
		{
			name: "nothing",
			doc:  Doc{Feed: "wire", Title: "Weather", Text: "Rain"},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.Match(tt.doc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Match\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSetSharesTerms(t *testing.T) {
	set, err := Compile([]Rule{
		{Name: "a", Query: "NATO ukraine"},
		{Name: "b", Query: `nato OR "black sea"`},
		{Name: "c", Query: "@nuc OR nuc OR \"NATO–Ukraine council\""},
	}, testEntities)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	// nato, ukraine, black sea, nato ukraine council, nuc.
	if got := len(set.dict.atoms); got != 5 {
		t.Errorf("dictionary has %d atoms, want 5: %+v", got, set.dict.atoms)
	}
}

func TestSeedArticle(t *testing.T) {
	raw, err := os.ReadFile("../../shared/fixtures/seed-article.txt")
	if err != nil {
		t.Skipf("seed article not available: %v", err)
	}
	set, err := Compile([]Rule{
		{Name: "entity", Query: "@nuc"},
		{Name: "phrase", Query: `"NATO-Ukraine Council"`},
		{Name: "not ukrainian", Query: "Ukrainian -Ukraine"},
	}, []Entity{{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC"}}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	want := []news.Match{
		{Rule: "entity", Hits: []news.Hit{text("@nuc", "NATO-Ukraine Council")}},
		{Rule: "phrase", Hits: []news.Hit{text(`"NATO-Ukraine Council"`, "NATO-Ukraine Council")}},
	}
	if got := set.Match(Doc{Feed: "wire", Title: "NATO backs a bigger role", Text: string(raw)}); !reflect.DeepEqual(got, want) {
		t.Errorf("Match(seed)\n got %+v\nwant %+v", got, want)
	}
}

func BenchmarkMatch(b *testing.B) {
	raw, err := os.ReadFile("../../shared/fixtures/seed-article.txt")
	if err != nil {
		b.Skipf("seed article not available: %v", err)
	}
	rules := []Rule{
		{Name: "nuc", Query: "@nuc"},
		{Name: "ukraine", Query: "ukrain* -sport"},
		{Name: "sea", Query: `"black sea" OR (grain export*)`},
		{Name: "none", Query: "weather OR rain"},
	}
	set, err := Compile(rules, testEntities)
	if err != nil {
		b.Fatal(err)
	}
	doc := Doc{Title: "NATO backs a bigger role", Text: string(raw)}
	b.ReportAllocs()
	for b.Loop() {
		set.Match(doc)
	}
}
