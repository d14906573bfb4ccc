package rules

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"herald/news"
)

// title and text build hits briefly in the tables below.
func title(term, text string) news.Hit  { return news.Hit{Term: term, Field: "title", Text: text} }
func text(term, text string) news.Hit   { return news.Hit{Term: term, Field: "text", Text: text} }
func tag(term, text string) news.Hit    { return news.Hit{Term: term, Field: "tag", Text: text} }
func author(term, text string) news.Hit { return news.Hit{Term: term, Field: "author", Text: text} }
func feed(term, text string) news.Hit   { return news.Hit{Term: term, Field: "feed", Text: text} }

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

		// More dashes and separators.
		{"phrase with figure dash", council, Doc{Text: "NATO‒Ukraine Council"}, []news.Hit{text(council, "NATO‒Ukraine Council")}},
		{"phrase with minus sign", council, Doc{Text: "NATO−Ukraine Council"}, []news.Hit{text(council, "NATO−Ukraine Council")}},
		{"phrase with full stop", `"Black Sea grain"`, Doc{Text: "the Black Sea. Grain"}, []news.Hit{text(`"Black Sea grain"`, "Black Sea. Grain")}},
		{"phrase with soft hyphen", `"black sea"`, Doc{Text: "Bla­ck Sea"}, []news.Hit{text(`"black sea"`, "Bla­ck Sea")}},
		{"phrase with CRLF", `"black sea"`, Doc{Text: "Black\r\nSea"}, []news.Hit{text(`"black sea"`, "Black\r\nSea")}},
		{"en dash in the query", "NATO–Ukraine", Doc{Text: "NATO-Ukraine"}, []news.Hit{text("NATO–Ukraine", "NATO-Ukraine")}},

		// Word boundaries.
		{"word inside a longer word", "sea", Doc{Text: "seaside overseas"}, nil},
		{"word before a digit", "ukraine", Doc{Text: "ukraine2024"}, nil},
		{"word after a hyphen", "ukraine", Doc{Text: "pro-Ukraine rally"}, []news.Hit{text("ukraine", "Ukraine")}},
		{"word between slashes", "csu", Doc{Text: "CDU/CSU/FDP"}, []news.Hit{text("csu", "CSU")}},
		{"word with an apostrophe inside", "don", Doc{Text: "don't"}, []news.Hit{text("don", "don")}},

		// HTML left in the text.
		{"named entity", `"AT&T"`, Doc{Text: "AT&amp;T shares"}, []news.Hit{text(`"AT&T"`, "AT&amp;T")}},
		{"doubly escaped dash", council, Doc{Text: "NATO&amp;#8211;Ukraine Council"}, []news.Hit{text(council, "NATO&amp;#8211;Ukraine Council")}},
		{"entity apostrophe", "NATO", Doc{Text: "NATO&rsquo;s role"}, []news.Hit{text("NATO", "NATO")}},
		{"entity letter", "cafe", Doc{Text: "Caf&eacute; owners"}, []news.Hit{text("cafe", "Caf&eacute;")}},

		// Capitalisation.
		{"case acronym", "case:US", Doc{Text: "US troops"}, []news.Hit{text("case:US", "US")}},
		{"case acronym against lower case", "case:US", Doc{Text: "tell us, Us"}, nil},
		{"case who", "case:WHO", Doc{Text: "who said"}, nil},
		{"case who found", "case:WHO", Doc{Text: "who said the WHO"}, []news.Hit{text("case:WHO", "WHO")}},
		{"case phrase", `case:"Black Sea"`, Doc{Text: "black sea, BLACK SEA, Black Sea"}, []news.Hit{text(`case:"Black Sea"`, "Black Sea")}},
		{"case ignores accents", "case:Zurich", Doc{Text: "zürich Zürich"}, []news.Hit{text("case:Zurich", "Zürich")}},
		{"case with possessive", "case:US", Doc{Text: "the US’s role"}, []news.Hit{text("case:US", "US")}},
		{"case with a transliterated capital", "case:Lodz", Doc{Text: "Łódź łódź"}, []news.Hit{text("case:Lodz", "Łódź")}},
		{"case prefix", "case:Ukr*", Doc{Text: "ukraine Ukrainian"}, []news.Hit{text("case:Ukr*", "Ukrainian")}},
		{"case in an entity alias", "@who", Doc{Text: "who knows"}, nil},
		{"case in an entity alias found", "@who", Doc{Text: "who knows the WHO"}, []news.Hit{text("@who", "WHO")}},
		{"entity name stays case-insensitive", "@who", Doc{Text: "world health organization"}, []news.Hit{text("@who", "world health organization")}},
		{"case on a group", "case:(US OR UK)", Doc{Text: "us and UK"}, []news.Hit{text("UK", "UK")}},

		// NEAR.
		{"near at the distance", "nato NEAR/2 ukraine", Doc{Text: "NATO and the Ukraine"}, []news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		{"near one word too far", "nato NEAR/2 ukraine", Doc{Text: "NATO and then the Ukraine"}, nil},
		{"near/0 is adjacent", "nato NEAR/0 ukraine", Doc{Text: "NATO–Ukraine"}, []news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		{"near/0 with a word between", "nato NEAR/0 ukraine", Doc{Text: "NATO, the Ukraine"}, nil},
		{"near in either order", "ukraine NEAR/1 nato", Doc{Text: "NATO helps Ukraine"}, []news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		// A NEAR farther than an index entry holds (maxNearEntry) is evaluated.
		{"near far apart", "nato NEAR/1500 ukraine", Doc{Text: "NATO" + strings.Repeat(" word", 1500) + " Ukraine"}, []news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		{"near far, one too far", "nato NEAR/1499 ukraine", Doc{Text: "NATO" + strings.Repeat(" word", 1500) + " Ukraine"}, nil},
		{"near of a word and itself", "nato NEAR/1 nato", Doc{Text: "NATO and NATO"}, []news.Hit{text("nato", "NATO"), text("nato", "NATO")}},
		{"near of a word and itself, once", "nato NEAR/1 nato", Doc{Text: "NATO and Ukraine"}, nil},
		{"near measures between phrases' nearest ends", `"black sea" NEAR/1 "grain deal"`, Doc{Text: "grain deal in the Black Sea"}, nil},
		{"near between phrases at the distance", `"black sea" NEAR/2 "grain deal"`, Doc{Text: "grain deal in the Black Sea"},
			[]news.Hit{text(`"grain deal"`, "grain deal"), text(`"black sea"`, "Black Sea")}},
		{"near never spans fields", "nato NEAR/5 ukraine", Doc{Title: "NATO", Text: "Ukraine"}, nil},
		{"near with an or", "(kyiv OR kiev) NEAR/3 talks", Doc{Text: "talks in Kiev"}, []news.Hit{text("talks", "talks"), text("kiev", "Kiev")}},
		{"near with a prefix", "ukrain* NEAR/0 forces", Doc{Text: "Ukraine and Ukrainian forces"}, []news.Hit{text("ukrain*", "Ukrainian"), text("forces", "forces")}},
		{"near with an entity", "@nuc NEAR/1 meets", Doc{Text: "The NUC meets"}, []news.Hit{text("@nuc", "NUC"), text("meets", "meets")}},
		{"near needs two occurrences", `nato NEAR/3 "nato ukraine"`, Doc{Text: "NATO-Ukraine"}, nil},
		{"near of a term and itself", `nato NEAR/3 nato`, Doc{Text: "NATO and NATO"}, []news.Hit{text("nato", "NATO"), text("nato", "NATO")}},
		{"near hits only the near occurrences", "nato NEAR/1 ukraine", Doc{Text: "NATO far far far away. NATO, Ukraine. Then Ukraine"},
			[]news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		{"near across a line break", "nato NEAR/0 ukraine", Doc{Text: "NATO\n\nUkraine"}, []news.Hit{text("nato", "NATO"), text("ukraine", "Ukraine")}},
		{"near in the title", "title:(nato NEAR/1 ukraine)", Doc{Title: "NATO backs Ukraine", Text: "NATO Ukraine"},
			[]news.Hit{title("nato", "NATO"), title("ukraine", "Ukraine")}},
		{"not near", "ukraine -(nato NEAR/1 ukraine)", Doc{Text: "NATO backs Ukraine"}, nil},
		{"not near passes", "ukraine -(nato NEAR/1 ukraine)", Doc{Text: "NATO and then Ukraine"}, []news.Hit{text("ukraine", "Ukraine")}},

		// Fields.
		{"title field", "title:grain", Doc{Title: "Grain prices", Text: "grain"}, []news.Hit{title("title:grain", "Grain")}},
		{"title field not in text", "title:grain", Doc{Text: "grain"}, nil},
		{"text field", "text:grain", Doc{Title: "grain", Text: "Grain"}, []news.Hit{text("text:grain", "Grain")}},
		{"title group", "title:(grain OR wheat) ukraine", Doc{Title: "Wheat", Text: "Ukraine"}, []news.Hit{title("wheat", "Wheat"), text("ukraine", "Ukraine")}},
		{"title entity", "title:@nuc", Doc{Title: "NUC meets", Text: "nuc"}, []news.Hit{title("title:@nuc", "NUC")}},
		{"title case", "title:case:US", Doc{Title: "US and us", Text: "US"}, []news.Hit{title("title:case:US", "US")}},
		{"negated field", "grain -title:wheat", Doc{Title: "Grain", Text: "wheat"}, []news.Hit{title("grain", "Grain")}},
		{"tag", "tag:energy", Doc{Tags: []string{"Energy policy"}, Text: "energy"}, []news.Hit{tag("tag:energy", "Energy")}},
		{"tag phrase in one tag", `tag:"energy policy"`, Doc{Tags: []string{"World", "Energy policy"}}, []news.Hit{tag(`tag:"energy policy"`, "Energy policy")}},
		{"tag phrase never spans two tags", `tag:"energy policy"`, Doc{Tags: []string{"Energy", "Policy"}}, nil},
		{"tags are not text", "energy", Doc{Tags: []string{"energy"}}, nil},
		{"author", "author:smith", Doc{Authors: []string{"Jane Smith", "John Doe"}}, []news.Hit{author("author:smith", "Smith")}},
		{"author near", "author:(jane NEAR/0 smith)", Doc{Authors: []string{"Jane Smith"}}, []news.Hit{author("jane", "Jane"), author("smith", "Smith")}},
		{"author names are separate", `author:"smith john"`, Doc{Authors: []string{"Jane Smith", "John Doe"}}, nil},
		{"feed", "feed:reuters", Doc{Feed: "Reuters"}, []news.Hit{feed("feed:reuters", "Reuters")}},
		{"feed is the whole name", "feed:bbc", Doc{Feed: "BBC World"}, nil},
		{"feed name with separators", "feed:bbc-world", Doc{Feed: "BBC World"}, []news.Hit{feed("feed:bbc-world", "BBC World")}},
		{"feed of a quoted name", `feed:"bbc world"`, Doc{Feed: "bbc-world"}, []news.Hit{feed(`feed:"bbc world"`, "bbc-world")}},
		{"feed and a word", "feed:(reuters OR ap) ukraine", Doc{Feed: "AP", Title: "Ukraine"}, []news.Hit{title("ukraine", "Ukraine"), feed("ap", "AP")}},
		{"feed other", "feed:reuters ukraine", Doc{Feed: "AP", Title: "Ukraine"}, nil},
		{"not feed", "ukraine -feed:reuters", Doc{Feed: "Reuters", Title: "Ukraine"}, nil},
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
		{Name: "grain", Query: `grain OR wheat`, Exclude: `"grain of salt" OR title:recipe`},
		{Name: "near", Query: `NATO NEAR/3 Ukraine`, Exclude: "sport"},
		{Name: "exclude without hits", Query: "wheat", Exclude: "-grain nonsense"},
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
				{Rule: "near", Hits: []news.Hit{text("NATO", "NATO"), text("Ukraine", "Ukraine")}},
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
		{
			name: "exclude stops a rule",
			doc:  Doc{Feed: "wire", Title: "Take it with a grain of salt", Text: "Wheat prices"},
			want: []news.Match{{Rule: "exclude without hits", Hits: []news.Hit{text("wheat", "Wheat")}}},
		},
		{
			name: "exclude in a field",
			doc:  Doc{Feed: "wire", Title: "A recipe", Text: "Wheat bread"},
			want: []news.Match{{Rule: "exclude without hits", Hits: []news.Hit{text("wheat", "Wheat")}}},
		},
		{
			name: "exclude that does not match",
			doc:  Doc{Feed: "wire", Title: "Wheat harvest", Text: "Grain prices, nonsense"},
			want: []news.Match{
				{Rule: "grain", Hits: []news.Hit{title("wheat", "Wheat"), text("grain", "Grain")}},
				{Rule: "exclude without hits", Hits: []news.Hit{title("wheat", "Wheat")}},
			},
		},
		{
			name: "exclude with a NOT",
			doc:  Doc{Feed: "wire", Title: "Wheat", Text: "nonsense"},
			want: []news.Match{{Rule: "grain", Hits: []news.Hit{title("wheat", "Wheat")}}},
		},
		{
			name: "exclude of a near rule",
			doc:  Doc{Feed: "wire", Text: "NATO backs Ukraine in sport"},
			want: []news.Match{
				{Rule: "sport", Hits: []news.Hit{text("sport", "sport")}},
				{Rule: "wire only", Hits: []news.Hit{text("NATO", "NATO")}},
			},
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

// TestSetIndex checks rules whose index keys are unusual: prefixes that
// begin one another, feed names, entities with several names, phrases keyed
// on their longest word.
func TestSetIndex(t *testing.T) {
	rules := []Rule{
		{Name: "uk", Query: "uk*"},
		{Name: "ukr", Query: "ukr* -sport"},
		{Name: "ukrainian", Query: "ukrainian*"},
		{Name: "case prefix", Query: "case:UKR*"},
		{Name: "feed", Query: "feed:wire"},
		{Name: "feed and word", Query: "feed:wire grain"},
		{Name: "entity", Query: "@nuc"},
		{Name: "phrase", Query: `"a black sea"`},
		{Name: "or", Query: "grain OR wheat OR @erdogan"},
		{Name: "near", Query: "(kyiv OR kiev) NEAR/2 talks"},
		{Name: "tag", Query: "tag:energy"},
		{Name: "author", Query: `author:"jane smith"`},
	}
	set, err := Compile(rules, testEntities)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	tests := []struct {
		name string
		doc  Doc
		want []string
	}{
		{"prefixes of one word", Doc{Text: "Ukrainians"}, []string{"uk", "ukr", "ukrainian"}},
		{"prefix excluded", Doc{Text: "Ukraine sport"}, []string{"uk"}},
		{"case prefix", Doc{Text: "UKRAINE"}, []string{"uk", "ukr", "case prefix"}},
		{"feed alone", Doc{Feed: "Wire", Text: "nothing"}, []string{"feed"}},
		{"feed and word", Doc{Feed: "wire", Text: "grain"}, []string{"feed", "feed and word", "or"}},
		{"entity alias", Doc{Text: "the nuc"}, []string{"entity"}},
		{"phrase", Doc{Text: "a Black Sea port"}, []string{"phrase"}},
		{"phrase words apart", Doc{Text: "a black and a sea"}, nil},
		{"or by an entity", Doc{Text: "Recep Tayyip Erdoğan"}, []string{"or"}},
		{"near", Doc{Text: "talks in Kiev"}, []string{"near"}},
		{"tag", Doc{Tags: []string{"Energy"}}, []string{"tag"}},
		{"author", Doc{Authors: []string{"Jane Smith"}}, []string{"author"}},
		{"author in the text", Doc{Text: "Jane Smith"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := set.Match(tt.doc)
			var names []string
			for _, m := range got {
				names = append(names, m.Rule)
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Errorf("Match = %v, want %v", names, tt.want)
			}
			if each := set.matchEach(tt.doc); !reflect.DeepEqual(got, each) {
				t.Errorf("Match = %+v, but rule by rule %+v", got, each)
			}
		})
	}
}

// TestMatchConcurrent matches from several goroutines at once: a Set is
// shared by the pipeline's workers.
func TestMatchConcurrent(t *testing.T) {
	set, err := Compile([]Rule{{Name: "a", Query: "ukrain* NEAR/3 @nuc"}, {Name: "b", Query: "grain -wheat"}}, testEntities)
	if err != nil {
		t.Fatal(err)
	}
	doc := Doc{Title: "Grain", Text: "Ukraine at the NATO-Ukraine Council"}
	want := set.Match(doc)
	done := make(chan []news.Match)
	for range 8 {
		go func() {
			var last []news.Match
			for range 200 {
				last = set.Match(doc)
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Errorf("concurrent Match = %+v, want %+v", got, want)
		}
	}
}

// TestSetManyWords grows the dictionary and the per-article tables past
// their first sizes: a rule with hundreds of words, and a hundred phrase
// rules that all match one article.
func TestSetManyWords(t *testing.T) {
	var words []string
	for i := range 500 {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	rules := []Rule{{Name: "many", Query: strings.Join(words, " OR ")}}
	var text strings.Builder
	for i := range 100 {
		rules = append(rules, Rule{Name: fmt.Sprintf("phrase %d", i), Query: fmt.Sprintf(`"p%d q%d"`, i, i)})
		fmt.Fprintf(&text, "p%d q%d. ", i, i)
	}
	set, err := Compile(rules, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	got := set.Match(Doc{Title: "w499 and w7", Text: text.String()})
	if len(got) != 101 || got[0].Rule != "many" || !reflect.DeepEqual(got[0].Hits, []news.Hit{title("w499", "w499"), title("w7", "w7")}) {
		t.Fatalf("Match: %d matches, the first %+v", len(got), got[0])
	}
	for i, m := range got[1:] {
		want := fmt.Sprintf("p%d q%d", i, i)
		if m.Rule != fmt.Sprintf("phrase %d", i) || len(m.Hits) != 1 || m.Hits[0].Text != want {
			t.Errorf("match %d = %+v, want rule phrase %d on %q", i+1, m, i, want)
		}
	}
}

// TestSetLongPostingList: a word that tens of thousands of rules need has
// a posting list longer than a dictionary slot counts (see wslot.npost),
// and a word of more bytes than a slot counts is still found.
func TestSetLongPostingList(t *testing.T) {
	long := strings.Repeat("abc", 30000) // 90,000 letters
	rules := []Rule{{Name: "long", Query: long}, {Name: "long and nato", Query: long + " nato"}}
	for i := range 20000 {
		// An OR of words and a prefix is an inline plan of four values
		// under each key (an OR of plain words only would be one value in
		// each word's run).
		rules = append(rules, Rule{Name: fmt.Sprintf("r%d", i), Query: fmt.Sprintf("nato OR x%dq* OR y%d", i, i)})
	}
	set, err := Compile(rules, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if sl := findWord(&set.dict.words, "nato", hashWord("nato")); sl == nil || sl.npost != maxNPost {
		t.Fatalf("the slot of nato = %+v, want a saturated count of its postings", sl)
	}
	got := set.Matching(Doc{Text: "NATO met. " + long}, nil)
	if len(got) != len(rules) {
		t.Fatalf("Matching: %d rules, want all %d", len(got), len(rules))
	}
	got = set.Matching(Doc{Text: "x17qa " + long[:len(long)-1]}, nil)
	if len(got) != 1 || set.Name(got[0]) != "r17" {
		t.Errorf("Matching without nato or the long word = %v, want only r17", got)
	}
}

// TestMatchingAndExplain: Matching gives indices in configuration order,
// Name their rules, and Explain the hits of those asked for; indices out of
// order are a programming error.
func TestMatchingAndExplain(t *testing.T) {
	set, err := Compile([]Rule{
		{Name: "grain", Query: `grain`},
		{Name: "sea", Query: `"black sea"`},
		{Name: "rain", Query: `rain`},
		{Name: "both", Query: `grain "black sea"`},
	}, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	doc := Doc{Title: "Grain from the Black Sea", Text: "Shipments of grain rose."}
	got := set.Matching(doc, []int{99})
	if want := []int{99, 0, 1, 3}; !slices.Equal(got, want) {
		t.Fatalf("Matching = %v, want %v (appended to what dst held)", got, want)
	}
	if set.Name(3) != "both" {
		t.Errorf("Name(3) = %q", set.Name(3))
	}
	ex := set.Explain(doc, []int{1, 2, 3})
	want := []news.Match{
		{Rule: "sea", Hits: []news.Hit{title(`"black sea"`, "Black Sea")}},
		{Rule: "both", Hits: []news.Hit{title("grain", "Grain"), title(`"black sea"`, "Black Sea"), text("grain", "grain")}},
	}
	if !reflect.DeepEqual(ex, want) {
		t.Errorf("Explain = %+v\nwant %+v", ex, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Explain of indices out of order did not panic")
		}
	}()
	set.Explain(doc, []int{3, 1})
}

// TestSetEntryKinds: an OR of plain words and phrases is in its keys' runs,
// and an AND of a plain key and one other operand is a pair; both match
// exactly when evaluating the rule says so, a key in the tags only counting
// for neither, and the rules that cannot be either keep their plans.
func TestSetEntryKinds(t *testing.T) {
	rules := []Rule{
		{Name: "sea", Query: `"black sea"`},
		{Name: "or words", Query: `grain OR wheat`},
		{Name: "or phrase", Query: `"black sea" OR wheat`},
		{Name: "or prefix", Query: `grain OR whea*`},
		{Name: "and", Query: `grain wheat`},
		{Name: "not", Query: `grain -wheat`},
		{Name: "phrase and", Query: `"black sea" grain`},
		{Name: "phrase not", Query: `"black sea" -"grain export"`},
		{Name: "and tag", Query: `grain tag:wheat`},
	}
	set, err := Compile(rules, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	nw := int32(set.dict.words.len())
	kind := func(r int32) uint8 { return entryKind(r, &set.plans[r], set.dict, nw) }
	if kind(1) != entryRun || kind(2) != entryRun || kind(3) != entryInline {
		t.Errorf("entry kinds of the ORs = %d, %d, %d, want run, run, inline", kind(1), kind(2), kind(3))
	}
	grain := findWord(&set.dict.words, "grain", hashWord("grain")).id
	wheat := findWord(&set.dict.words, "wheat", hashWord("wheat")).id
	for _, r := range []int32{4, 5} {
		_, ok1 := set.pairOf(grain, r)
		_, ok2 := set.pairOf(wheat, r)
		if !ok1 && !ok2 {
			t.Errorf("rule %q is a pair under neither of its words", rules[r].Name)
		}
	}
	if _, ok := set.pairOf(grain, 8); ok {
		t.Errorf("rule %q, whose other operand is a tag, is a pair", rules[8].Name)
	}
	tests := []struct {
		name string
		doc  Doc
		want []string
	}{
		{"grain in the tags only", Doc{Tags: []string{"grain"}, Text: "wheat"}, []string{"or words", "or phrase", "or prefix"}},
		{"grain alone", Doc{Title: "Grain"}, []string{"or words", "or prefix", "not"}},
		{"both words", Doc{Text: "grain and wheat"}, []string{"or words", "or phrase", "or prefix", "and"}},
		{"the phrase", Doc{Title: "Black Sea grain export"}, []string{"sea", "or phrase", "or prefix", "or words", "not", "phrase and"}},
		{"the phrase, no export", Doc{Text: "black sea"}, []string{"sea", "or phrase", "phrase not"}},
		{"the phrase in the tags only", Doc{Tags: []string{"black sea"}, Text: "grain"}, []string{"or words", "or prefix", "not"}},
		{"a tag", Doc{Tags: []string{"wheat"}, Text: "grain"}, []string{"or words", "or prefix", "not", "and tag"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got, ref []string
			for _, r := range set.Matching(tc.doc, nil) {
				got = append(got, set.Name(r))
			}
			for _, r := range set.matchingEach(tc.doc, nil) {
				ref = append(ref, set.Name(r))
			}
			want := slices.Clone(tc.want)
			slices.SortFunc(want, func(a, b string) int {
				return slices.IndexFunc(rules, func(r Rule) bool { return r.Name == a }) - slices.IndexFunc(rules, func(r Rule) bool { return r.Name == b })
			})
			if !slices.Equal(got, want) || !slices.Equal(ref, want) {
				t.Errorf("Matching = %q, evaluating every rule = %q, want %q", got, ref, want)
			}
		})
	}
}

// TestMatchingReadout: the rules that match are appended in order to what
// dst holds, across words of the bitset and as dst grows.
func TestMatchingReadout(t *testing.T) {
	var rules []Rule
	var want []int
	for i := range 1000 {
		q := "grain"
		if i%3 == 1 || i/64%5 == 2 {
			q = "rain" // gaps within words, and whole words without a match
		} else {
			want = append(want, i)
		}
		rules = append(rules, Rule{Name: fmt.Sprintf("r%d", i), Query: q})
	}
	set, err := Compile(rules, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	for _, c := range []int{3, 70, 1000} {
		dst := append(make([]int, 0, c), -1, -2, -3)
		got := set.Matching(Doc{Text: "grain"}, dst)
		if !slices.Equal(got[:3], []int{-1, -2, -3}) || !slices.Equal(got[3:], want) {
			t.Errorf("capacity %d: Matching = %v…, %d rules, want %d", c, got[:min(len(got), 8)], len(got)-3, len(want))
		}
		// The bitset is clean for the next article.
		if got := set.Matching(Doc{Text: "rain"}, nil); len(got) != 1000-len(want) {
			t.Errorf("capacity %d: then %d rules match rain, want %d", c, len(got), 1000-len(want))
		}
	}
}
