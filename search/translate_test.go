package search

import (
	"testing"

	"herald/rules"
)

var testEntities = []rules.Entity{
	{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC", "case:WHO"}},
	{ID: "lodz", Name: "Łódź"},
}

func TestTranslate(t *testing.T) {
	const tt = "{title text} : "
	cases := []struct {
		name, query, want string
	}{
		{"word", "NATO", tt + `"nato"`},
		{"folded word", "Łódź Straße", `(` + tt + `"lodz") AND (` + tt + `"strasse")`},
		{"phrase", `"Black Sea"`, tt + `"black sea"`},
		{"inner separators", "F-16", tt + `"f 16"`},
		{"prefix", "ukrain*", tt + `"ukrain"*`},
		{"entity", "@nuc", `(` + tt + `"nato ukraine council") OR (` + tt + `"nuc") OR ((` + tt + `"who") AND (upper : "who"))`},
		{"entity folded", "@lodz", tt + `"lodz"`},
		{"and", "a AND b", `(` + tt + `"a") AND (` + tt + `"b")`},
		{"or", "a OR b", `(` + tt + `"a") OR (` + tt + `"b")`},
		{"not", "a -b", `(` + tt + `"a") NOT (` + tt + `"b")`},
		{"not or", "a NOT (b OR c)", `(` + tt + `"a") NOT ((` + tt + `"b") OR (` + tt + `"c"))`},
		{"double not", "a -(b -c)", `(` + tt + `"a") NOT ((` + tt + `"b") NOT (` + tt + `"c"))`},
		{"or of not", "a OR (b -c)", `(` + tt + `"a") OR ((` + tt + `"b") NOT (` + tt + `"c"))`},
		// case: is looked up without its capitals, narrowed by the words
		// that may be capitalised: a superset. Under a NOT that would
		// exclude too much, so it is dropped there.
		{"case", "case:US", `(` + tt + `"us") AND (upper : "us")`},
		{"case capitalised", "case:Zürich", `(` + tt + `"zurich") AND (caps : "zurich")`},
		{"case lower", "case:us", tt + `"us"`},
		{"case phrase", `case:"Black sea"`, `(` + tt + `"black sea") AND (caps : "black")`},
		{"case prefix", "case:UKR*", `(` + tt + `"ukr"*) AND (caps : "ukr"*)`},
		{"case in title", "title:case:WHO", `(title : "who") AND (upper : "who")`},
		{"case in tags", "tag:case:WHO", `tags : "who"`},
		{"not case", "a -case:B", tt + `"a"`},
		// An entity with a case-sensitive alias: all names for a superset,
		// the others under a NOT.
		{"not entity", "a -@nuc", `(` + tt + `"a") NOT ((` + tt + `"nato ukraine council") OR (` + tt + `"nuc"))`},
		{"title", "title:x", `title : "x"`},
		{"text group", "text:(x OR yz*)", `(text : "x") OR (text : "yz"*)`},
		{"author", "author:doe", `author : "doe"`},
		{"tag with configured feed tags", "tag:energy", `(tags : "energy") OR (feed : ^"bbc ` + feedEnd + `")`},
		{"tag without", "tag:oil", `tags : "oil"`},
		{"not tag: categories only", "a -tag:energy", `(` + tt + `"a") NOT (tags : "energy")`},
		{"feed", "feed:bbc-world", `feed : ^"bbc world ` + feedEnd + `"`},
		{"not feed", "a -feed:tabloid", `(` + tt + `"a") NOT (feed : ^"tabloid ` + feedEnd + `")`},
		{"near", "a NEAR/3 b", tt + `NEAR("a" "b", 3)`},
		{"near adjacent phrase", `"black sea" NEAR/0 grain*`, tt + `NEAR("black sea" "grain"*, 0)`},
		{"near pairs", "(a OR b) NEAR/2 @lodz", tt + `(NEAR("a" "lodz", 2) OR NEAR("b" "lodz", 2))`},
		{"near in a field", "title:(a NEAR/1 b)", `title : NEAR("a" "b", 1)`},
		{"near across fields", "title:a NEAR/2 b", `(title : "a") AND (` + tt + `"b")`},
		{"near in tags", "tag:a NEAR/2 tag:b", `(tags : "a") AND (tags : "b")`},
		{"not near", "x -(y NEAR/2 z)", tt + `"x"`},
		{"near under case", "case:A NEAR/2 b", tt + `NEAR("a" "b", 2)`},
		{"unsafe runes encoded", "Azərbaycan नमस्ते", `(` + tt + `"az` + "\uE000\uEA59" + `rbaycan") AND (` + tt + `"नमस` + "\uE001\uE94D" + `त` + "\uE001\uE947" + `")`},
	}
	tr := translator{feedTags: map[string][]string{"bbc": {"Energy", "world"}, "tabloid": nil}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := rules.ParseQuery(tc.query, testEntities)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tc.query, err)
			}
			s := tr.translate(q.Root(), true)
			if s.kind != setMatch {
				t.Fatalf("translate(%q) is kind %d, want an expression", tc.query, s.kind)
			}
			if got := s.render(); got != tc.want {
				t.Errorf("translate(%q)\n got %s\nwant %s", tc.query, got, tc.want)
			}
		})
	}
}

// TestSetAlgebra checks union, intersection and complement of sets that
// are "every item but …", which no query produces at the top but NOTs
// inside ORs do.
func TestSetAlgebra(t *testing.T) {
	a, b, c := matching("A"), matching("B"), matching("C")
	allBut := func(x ...string) set { return set{kind: setAll, not: x} }
	cases := []struct {
		name string
		got  set
		want set
	}{
		{"complement of none", complement(none()), all()},
		{"complement of all", complement(all()), none()},
		{"complement of all but", complement(allBut("A", "B")), matching("(A) OR (B)")},
		{"complement of match", complement(set{kind: setMatch, expr: "A", not: []string{"B"}}), allBut("(A) NOT (B)")},
		{"and with none", intersect([]set{a, none()}), none()},
		{"and all but", intersect([]set{a, allBut("B")}), set{kind: setMatch, expr: "A", not: []string{"B"}}},
		{"and only all but", intersect([]set{allBut("A"), allBut("B")}), allBut("A", "B")},
		{"or with all", unite([]set{a, all()}), all()},
		{"or of nothing", unite([]set{none(), none()}), none()},
		{"or all but", unite([]set{a, allBut("B")}), allBut("(B) NOT (A)")},
		{"or two all but", unite([]set{allBut("A"), allBut("B"), c}), allBut("((A) AND (B)) NOT (C)")},
		{"or renders minus", unite([]set{{kind: setMatch, expr: "A", not: []string{"B"}}, c}), matching("((A) NOT (B)) OR (C)")},
		{"or skips none", unite([]set{b, none()}), b},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.kind != tc.want.kind || tc.got.expr != tc.want.expr || len(tc.got.not) != len(tc.want.not) {
				t.Fatalf("got %+v, want %+v", tc.got, tc.want)
			}
			for i := range tc.got.not {
				if tc.got.not[i] != tc.want.not[i] {
					t.Fatalf("got %+v, want %+v", tc.got, tc.want)
				}
			}
		})
	}
}

func TestEncodeWord(t *testing.T) {
	cases := []struct{ in, want string }{
		{"nato", "nato"},
		{"2026", "2026"},
		{"киев", "киев"},
		{"σας", "σα\uE000\uEBC2"}, // ς, which unicode61 folds to σ
		{"ə", "\uE000\uEA59"},
		{"\U0001F600x", "\uE03E\uEE00x"}, // U+1F600: 0x1F600>>11 = 0x3E, 0x1F600&0x7FF = 0x600
		{"北京", "北京"},
	}
	for _, tc := range cases {
		if got := encodeWord(tc.in); got != tc.want {
			t.Errorf("encodeWord(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
