package rules

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// testEntities are the entities the query tests refer to.
var testEntities = []Entity{
	{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC", "nato ukraine council"}},
	{ID: "erdogan", Name: "Recep Tayyip Erdoğan", Aliases: []string{"Erdogan"}},
	{ID: "blank", Name: "—", Aliases: []string{"  "}},
	{ID: "who", Name: "World Health Organization", Aliases: []string{"case:WHO"}},
}

func TestParseQueryGrouping(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"implicit and", "ukraine grain", "ukraine AND grain"},
		{"explicit and", "ukraine AND grain", "ukraine AND grain"},
		{"and binds tighter than or", "a OR b c", "a OR (b AND c)"},
		{"and binds tighter than or on the left", "a b OR c", "(a AND b) OR c"},
		{"explicit and tighter than or", "a OR b AND c OR d", "a OR (b AND c) OR d"},
		{"not binds tighter than and", "NOT a b", "NOT a AND b"},
		{"minus is not", "b -a", "b AND NOT a"},
		{"minus before a group", "(a OR b) -(c OR d)", "(a OR b) AND NOT (c OR d)"},
		{"minus before a phrase", `a -"b c"`, `a AND NOT "b c"`},
		{"not inside parentheses", "ukraine (grain OR NOT sport)", "ukraine AND (grain OR NOT sport)"},
		{"parentheses override precedence", "(a OR b) c", "(a OR b) AND c"},
		{"nested or is flattened", "x (a OR (b OR c))", "x AND (a OR b OR c)"},
		{"nested and is flattened", "a (b c) AND d", "a AND b AND c AND d"},
		{"lower-case operators are words", "ukraine or not and russia", "ukraine AND or AND not AND and AND russia"},
		{"mixed-case operators are words", "a Or b", "a AND Or AND b"},
		{"parentheses need no spaces", "a(b OR c)", "a AND (b OR c)"},
		{"hyphen inside a word is not minus", "NATO-Ukraine -sport", "NATO-Ukraine AND NOT sport"},
		{"curly quotes", "“black sea” grain", "“black sea” AND grain"},
		{"all term kinds", `@nuc "black sea" F-16 ukrain* NATO’s`, `@nuc AND "black sea" AND F-16 AND ukrain* AND NATO’s`},

		{"near binds tighter than and", "a NEAR/3 b c", "a NEAR/3 b AND c"},
		{"near binds tighter than and on the right", "c a NEAR/3 b", "c AND a NEAR/3 b"},
		{"near binds tighter than or", "a OR b NEAR/2 c", "a OR b NEAR/2 c"},
		{"near of an or", "(a OR b) NEAR/0 c", "(a OR b) NEAR/0 c"},
		{"near of a parenthesised term", "(a) NEAR/1 (b)", "a NEAR/1 b"},
		{"not outside near", "NOT (a NEAR/3 b) c", "NOT (a NEAR/3 b) AND c"},
		{"lower-case near is a word", "a near b", "a AND near AND b"},
		{"field on a word", "title:NATO", "title:NATO"},
		{"field name in any case", "TITLE:nato Text:x", "title:nato AND text:x"},
		{"field on a phrase", `text:"black sea"`, `text:"black sea"`},
		{"field on a group", "title:(a OR b) c", "(title:a OR title:b) AND c"},
		{"field on a group with not", "title:(a -b)", "title:a AND NOT title:b"},
		{"field on near", "title:(a NEAR/2 b)", "title:a NEAR/2 title:b"},
		{"negated field", "x -title:y", "x AND NOT title:y"},
		{"field on an entity", "title:@nuc", "title:@nuc"},
		{"case on a word", "case:US", "case:US"},
		{"case on a phrase", `case:"Black Sea"`, `case:"Black Sea"`},
		{"field and case", "title:case:US", "title:case:US"},
		{"case and field", "case:title:US", "title:case:US"},
		{"case on a group", "case:(US OR UK)", "case:US OR case:UK"},
		{"feed names", "feed:(reuters OR ap) grain", "(feed:reuters OR feed:ap) AND grain"},
		{"tag and author", `tag:energy author:"Jane Smith"`, `tag:energy AND author:"Jane Smith"`},
		{"colon after digits is not a field", "10:30", "10:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.query, testEntities)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("ParseQuery(%q) = %s, want %s", tt.query, got, tt.want)
			}
			if q.Text() != tt.query {
				t.Errorf("Text() = %q, want %q", q.Text(), tt.query)
			}
		})
	}
}

func TestParseQueryTerms(t *testing.T) {
	tests := []struct {
		name, query string
		want        Term
	}{
		{"word", "NATO", Term{Kind: WordTerm, Raw: "NATO", Phrases: [][]string{{"nato"}}}},
		{"word with accent", "Erdoğan", Term{Kind: WordTerm, Raw: "Erdoğan", Phrases: [][]string{{"erdogan"}}}},
		{"possessive in a query", "NATO’s", Term{Kind: WordTerm, Raw: "NATO’s", Phrases: [][]string{{"nato"}}}},
		{"hyphenated word is a phrase", "F-16", Term{Kind: PhraseTerm, Raw: "F-16", Phrases: [][]string{{"f", "16"}}}},
		{"slashed word is a phrase", "CDU/CSU", Term{Kind: PhraseTerm, Raw: "CDU/CSU", Phrases: [][]string{{"cdu", "csu"}}}},
		{"quoted phrase", `"NATO-Ukraine  Council"`, Term{Kind: PhraseTerm, Raw: `"NATO-Ukraine  Council"`, Phrases: [][]string{{"nato", "ukraine", "council"}}}},
		{"quoted single word", `"Kyiv"`, Term{Kind: PhraseTerm, Raw: `"Kyiv"`, Phrases: [][]string{{"kyiv"}}}},
		{"prefix", "Ukrain*", Term{Kind: PrefixTerm, Raw: "Ukrain*", Phrases: [][]string{{"ukrain"}}}},
		{"two-letter prefix", "Zü*", Term{Kind: PrefixTerm, Raw: "Zü*", Phrases: [][]string{{"zu"}}}},
		{"entity with aliases, duplicates folded away", "@nuc", Term{Kind: EntityTerm, Raw: "@nuc", Entity: "nuc", Phrases: [][]string{{"nato", "ukraine", "council"}, {"nuc"}}}},
		{"entity ID is case-insensitive", "@NUC", Term{Kind: EntityTerm, Raw: "@NUC", Entity: "NUC", Phrases: [][]string{{"nato", "ukraine", "council"}, {"nuc"}}}},
		{"word with inner at sign", "press@nato", Term{Kind: PhraseTerm, Raw: "press@nato", Phrases: [][]string{{"press", "nato"}}}},
		{"entity with a case-sensitive alias", "@who", Term{Kind: EntityTerm, Raw: "@who", Entity: "who",
			Phrases: [][]string{{"world", "health", "organization"}, {"who"}}, Exact: [][]string{nil, {"WHO"}}}},
		{"case on an entity", "case:@who", Term{Kind: EntityTerm, Raw: "case:@who", Entity: "who", Case: true,
			Phrases: [][]string{{"world", "health", "organization"}, {"who"}}, Exact: [][]string{{"World", "Health", "Organization"}, {"WHO"}}}},
		{"title", "title:NATO", Term{Kind: WordTerm, Raw: "title:NATO", Field: "title", Phrases: [][]string{{"nato"}}}},
		{"text phrase", `text:"black sea"`, Term{Kind: PhraseTerm, Raw: `text:"black sea"`, Field: "text", Phrases: [][]string{{"black", "sea"}}}},
		{"tag", "tag:energy", Term{Kind: WordTerm, Raw: "tag:energy", Field: "tag", Phrases: [][]string{{"energy"}}}},
		{"author", "author:Smith", Term{Kind: WordTerm, Raw: "author:Smith", Field: "author", Phrases: [][]string{{"smith"}}}},
		{"feed", "feed:BBC-World", Term{Kind: PhraseTerm, Raw: "feed:BBC-World", Field: "feed", Phrases: [][]string{{"bbc", "world"}}}},
		{"case", "case:US", Term{Kind: WordTerm, Raw: "case:US", Case: true, Phrases: [][]string{{"us"}}, Exact: [][]string{{"US"}}}},
		{"case keeps capitals, drops accents", "case:ZÜRICH", Term{Kind: WordTerm, Raw: "case:ZÜRICH", Case: true, Phrases: [][]string{{"zurich"}}, Exact: [][]string{{"ZURICH"}}}},
		{"case phrase", `case:"Black Sea"`, Term{Kind: PhraseTerm, Raw: `case:"Black Sea"`, Case: true, Phrases: [][]string{{"black", "sea"}}, Exact: [][]string{{"Black", "Sea"}}}},
		{"case prefix", "case:Ukr*", Term{Kind: PrefixTerm, Raw: "case:Ukr*", Case: true, Phrases: [][]string{{"ukr"}}, Exact: [][]string{{"Ukr"}}}},
		{"field and case", "title:case:US", Term{Kind: WordTerm, Raw: "title:case:US", Field: "title", Case: true, Phrases: [][]string{{"us"}}, Exact: [][]string{{"US"}}}},
		{"field on a parenthesised term", "title:(US)", Term{Kind: WordTerm, Raw: "US", Field: "title", Phrases: [][]string{{"us"}}, Pos: 7}},
		{"term after others", "a OR  NATO", Term{Kind: WordTerm, Raw: "NATO", Phrases: [][]string{{"nato"}}, Pos: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.query, testEntities)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			root := q.Root()
			if o, ok := root.(*Or); ok {
				root = o.Nodes[len(o.Nodes)-1]
			}
			got, ok := root.(*Term)
			if !ok {
				t.Fatalf("ParseQuery(%q) root is %T, want *Term", tt.query, q.Root())
			}
			g := *got
			g.bare = ""
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("ParseQuery(%q) term\n got %+v\nwant %+v", tt.query, g, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		name, query string
		offset      int
		msg         string // a part of the message
	}{
		{"empty", "", 0, "empty query"},
		{"blank", "  \t ", 0, "empty query"},
		{"unclosed parenthesis", "(a OR b", 0, `unbalanced parenthesis: this "(" is never closed`},
		{"unclosed inner parenthesis", "a (b (c) d", 2, `"(" is never closed`},
		{"lone open parenthesis", "a (", 2, `"(" is never closed`},
		{"unopened parenthesis", "a) b", 1, `this ")" has no matching "("`},
		{"parenthesis at start", ")a", 0, `this ")" has no matching "("`},
		{"empty parentheses", "a ()", 2, "empty parentheses"},
		{"unterminated quote", `ukraine "black sea`, 8, "unterminated quote"},
		{"unterminated curly quote", `x “black sea`, 2, "unterminated quote"},
		{"dangling or", "ukraine OR", 8, "dangling operator OR at the end of the query"},
		{"dangling and", "ukraine AND", 8, "dangling operator AND at the end of the query"},
		{"dangling not", "ukraine NOT", 8, "dangling operator NOT at the end of the query"},
		{"leading or", "OR ukraine", 0, "operator OR has nothing on its left"},
		{"or after parenthesis", "(AND a)", 1, "operator AND has nothing on its left"},
		{"or before parenthesis", "(a OR) b", 3, `operator OR has nothing on its right before ")"`},
		{"two operators", "a OR AND b", 5, "operator AND right after operator OR"},
		{"operator after not", "a NOT OR b", 6, "operator OR right after operator NOT"},
		{"operator after minus", "a -OR b", 3, `operator OR right after "-"`},
		{"double negation", "a NOT NOT b", 6, "double negation"},
		{"double negation with minus", "a NOT -b", 6, "double negation"},
		{"lone minus", "ukraine - sport", 8, `a lone "-"`},
		{"minus at end", "ukraine -", 8, `a lone "-"`},
		{"minus before parenthesis", "(ukraine -)", 9, `a lone "-"`},
		{"double minus", "ukraine --sport", 8, `"--"`},
		{"only a minus term", "-sport", 0, "no term to look for"},
		{"only a not term", "NOT sport", 0, "no term to look for"},
		{"only negated terms", "NOT a -b", 0, "no term to look for"},
		{"negated group", "-(a OR b)", 0, "no term to look for"},
		{"not alone on a side of or", "ukraine OR -sport", 11, "alone on one side of an OR"},
		{"not alone inside a group", "(a -b) OR (NOT c)", 11, "alone on one side of an OR"},
		{"lone star", "a *", 2, `a lone "*"`},
		{"leading star", "*kraine", 0, `"*" can only end a word`},
		{"inner star", "uk*raine", 2, `"*" can only end a word`},
		{"two stars", "ukrain**", 6, `"*" can only end a word`},
		{"one-letter prefix", "u*", 0, "too short"},
		{"one-letter prefix after folding", "Ü*", 0, "too short"},
		{"prefix without letters", "–* x", 0, `has no letters before "*"`},
		{"prefix of several words", "F-1*", 0, "spans several words"},
		{"star inside phrase", `a "black se*"`, 11, `"*" is not allowed inside a phrase`},
		{"unknown entity", "ukraine @nato", 8, "unknown entity @nato; define it under entities:"},
		{"entity without id", "@ x", 0, `"@" needs an entity ID`},
		{"entity with star", "@nuc*", 0, "an entity ID is written @id"},
		{"entity without names", "@blank", 0, "has no name or alias"},
		{"empty phrase", `a ""`, 2, "empty phrase"},
		{"phrase of punctuation", `a "–"`, 2, "empty phrase"},
		{"not a word", "black & white", 6, `"&" is not a word`},

		{"near without a distance", "a NEAR b", 2, "NEAR without a distance: write NEAR/5"},
		{"near with a slash only", "a NEAR/ b", 2, "NEAR without a distance: write NEAR/5"},
		{"near without a distance at the start", "NEAR a", 0, "NEAR without a distance"},
		{"near with letters", "a NEAR/x b", 2, "a whole number of words, as in NEAR/5"},
		{"near with a negative distance", "a NEAR/-1 b", 2, "a whole number of words"},
		{"near too far", "a NEAR/99999999999999999999 b", 2, "too large"},
		{"dangling near", "ukraine NEAR/3", 8, "dangling operator NEAR/3 at the end of the query"},
		{"near with nothing on its left", "NEAR/3 a", 0, "operator NEAR/3 has nothing on its left"},
		{"near before parenthesis", "(a NEAR/3) b", 3, `operator NEAR/3 has nothing on its right before ")"`},
		{"near then or", "a NEAR/2 OR b", 9, "operator OR right after operator NEAR/2"},
		{"or then near", "a OR NEAR/2 b", 5, "operator NEAR/2 right after operator OR"},
		{"near chain", "a NEAR/1 b NEAR/2 c", 11, "NEAR/2 right after another NEAR"},
		{"not on the left of near", "NOT a NEAR/2 b", 0, "a NOT next to NEAR/2"},
		{"minus on the right of near", "a NEAR/2 -b", 9, "a NOT next to NEAR/2"},
		{"and inside near", "(a b) NEAR/2 c", 1, "an AND next to NEAR/2"},
		{"near inside near", "(a NEAR/1 b) NEAR/2 c", 1, "a NEAR next to NEAR/2"},
		{"and inside an or of near", "(a OR b c) NEAR/2 d", 6, "an AND next to NEAR/2"},
		{"feed near a word", "feed:x NEAR/2 y", 0, "feed:x cannot be near anything"},
		{"near inside feed", "feed:(a NEAR/2 b)", 8, "NEAR inside feed:"},
		{"unknown field", "ukraine foo:bar", 8, "unknown field foo: the fields are title:, text:, feed:, tag: and author:"},
		{"unknown field in upper case", "Subject:x", 0, "unknown field Subject:"},
		{"field before a space", "title: x", 0, "title: needs a word, a phrase or a parenthesised expression right after it"},
		{"field at the end", "x title:", 2, "title: needs a word"},
		{"field before an operator", "title:OR x", 0, "title: needs a word"},
		{"field before a minus", "title:-x y", 0, "write the - before the field"},
		{"field before near", "x title:NEAR/2 y", 2, "title: needs a word"},
		{"field inside another field", "title:(a OR text:b)", 12, "text: inside title:"},
		{"same field twice", "title:title:a", 6, "title: inside title:"},
		{"case on a feed", "case:feed:x", 0, "case: does not apply to feed names"},
		{"feed on a case term", "feed:case:x", 5, "case: does not apply to feed names"},
		{"feed prefix", "feed:reu*", 5, "without *"},
		{"feed entity", "feed:@nuc", 5, "not an @entity"},
		{"field inside a phrase is quoted text", `a "title:" b`, -1, ""},
		{"only a negated field", "-title:x", 0, "no term to look for"},
		{"unknown field inside parentheses", "(a OR bogus:(b))", 6, "unknown field bogus:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.query, testEntities)
			if tt.offset < 0 {
				if err != nil {
					t.Fatalf("ParseQuery(%q): %v, want no error", tt.query, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseQuery(%q) = %s, want an error", tt.query, q)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseQuery(%q) error is %T, want *Error", tt.query, err)
			}
			if e.Offset != tt.offset || !strings.Contains(e.Msg, tt.msg) || e.Rule != "" || e.Field != RuleQuery {
				t.Errorf("ParseQuery(%q) error = {Rule:%q Offset:%d Msg:%q}, want offset %d and a message with %q",
					tt.query, e.Rule, e.Offset, e.Msg, tt.offset, tt.msg)
			}
		})
	}
}

func TestCompileReportsEveryBadRule(t *testing.T) {
	rules := []Rule{
		{Name: "good", Query: "ukraine"},
		{Name: "nuclear", Query: "energy OR @nuk"},
		{Name: "fine too", Query: "@nuc -sport"},
		{Name: "quotes", Query: `"black sea`},
		{Name: "empty", Query: ""},
		{Name: "bad exclude", Query: "grain", Exclude: "sport OR"},
		{Name: "both bad", Query: "a NEAR b", Exclude: "x foo:y"},
	}
	set, err := Compile(rules, testEntities)
	if set != nil {
		t.Errorf("Compile returned a set along with errors")
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Compile error is %T (%v), want Errors", err, err)
	}
	want := []string{
		`rule "nuclear": col 11: unknown entity @nuk; define it under entities:`,
		`rule "quotes": col 1: unterminated quote: the phrase that starts here is never closed; add the closing "`,
		`rule "empty": col 1: empty query: write at least one word to look for`,
		`rule "bad exclude": exclude: col 7: dangling operator OR at the end of the query: add a term after it or remove it`,
		`rule "both bad": col 3: NEAR without a distance: write NEAR/5 for at most 5 words between the two terms`,
		`rule "both bad": exclude: col 3: unknown field foo: the fields are title:, text:, feed:, tag: and author:, and case: for exact capitalisation; to look for the words, quote them, as in "foo: …"`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("Compile error\n got %s\nwant %s", got, strings.Join(want, "\n"))
	}
	if len(errs) != 6 || errs[0].Rule != "nuclear" || errs[0].Offset != 10 || errs[0].Field != RuleQuery {
		t.Errorf("Compile errors = %+v, want six, the first for rule nuclear's query at offset 10", errs)
	}
	if e := errs[3]; e.Rule != "bad exclude" || e.Field != RuleExclude || e.Offset != 6 {
		t.Errorf("Compile error %+v, want rule bad exclude's exclude at offset 6", e)
	}
}

func TestCompileOK(t *testing.T) {
	set, err := Compile([]Rule{{Name: "a", Query: "ukraine"}, {Name: "b", Query: "@nuc"}}, testEntities)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if set.Len() != 2 {
		t.Errorf("Len() = %d, want 2", set.Len())
	}
	empty, err := Compile(nil, nil)
	if err != nil || empty.Len() != 0 {
		t.Errorf("Compile(nil, nil) = %v, %v; want an empty set", empty, err)
	}
	var none *Set
	if none.Len() != 0 || none.Match(Doc{Title: "ukraine"}) != nil {
		t.Errorf("a nil *Set should be empty and match nothing")
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"with rule", &Error{Rule: "energy", Offset: 4, Msg: "unterminated quote"}, `rule "energy": col 5: unterminated quote`},
		{"without rule", &Error{Offset: 0, Msg: "empty query"}, "rules: col 1: empty query"},
		{"in the query", &Error{Rule: "energy", Field: RuleQuery, Offset: 4, Msg: "x"}, `rule "energy": col 5: x`},
		{"in the exclude", &Error{Rule: "energy", Field: RuleExclude, Offset: 4, Msg: "x"}, `rule "energy": exclude: col 5: x`},
		{"several", Errors{{Rule: "a", Offset: 1, Msg: "x"}, {Rule: "b", Offset: 2, Msg: "y"}}, "rule \"a\": col 2: x\nrule \"b\": col 3: y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"ukraine", `"NATO-Ukraine Council" -sport`, "a OR b c", "(a OR (NOT b c)) d", "@nuc OR ukrain*",
		"F-16 CDU/CSU", `“x” -"y"`, "a OR", "((", "-", "--x", "*", "a*b", "@", "title:x", "NEAR/2", "&amp; &#8211;",
		"NOT NOT a", ")", `"`, "\xff(", "x -(y OR z)",
		"a NEAR/3 b", "(a OR @nuc) NEAR/0 \"b c\"", "a NEAR b", "NEAR/x", "title:case:US", "case:(US OR \"Black Sea\")",
		"feed:(reuters OR \"bbc world\") -tag:sport", "author:smith text:x", "foo:bar", "title:(a NEAR/2 b*)", "@who -case:WHO",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s, testEntities)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseQuery(%q) error is %T, want *Error", s, err)
			}
			if e.Offset < 0 || e.Offset > len(s) || e.Msg == "" {
				t.Fatalf("ParseQuery(%q) error %+v: offset outside the query or no message", s, e)
			}
			return
		}
		// Writing a query back must give a query that means the same.
		again, err := ParseQuery(q.String(), testEntities)
		if err != nil {
			t.Fatalf("ParseQuery(%q).String() = %q does not parse: %v", s, q.String(), err)
		}
		if again.String() != q.String() {
			t.Fatalf("ParseQuery(%q): String %q reparses as %q", s, q.String(), again.String())
		}
		hits, _ := q.Match(Doc{Feed: s, Title: s, Text: q.String(), Tags: []string{s}, Authors: []string{q.String()}})
		for _, h := range hits {
			switch {
			case h.Text == "", !strings.Contains(s+q.String(), h.Text):
				t.Fatalf("ParseQuery(%q).Match: hit %+v is not in the document", s, h)
			case h.Field != FieldTitle && h.Field != FieldText && h.Field != FieldFeed && h.Field != FieldTag && h.Field != FieldAuthor:
				t.Fatalf("ParseQuery(%q).Match: hit %+v in an unknown field", s, h)
			}
		}
	})
}
