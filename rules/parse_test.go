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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.query, testEntities)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			got, ok := q.Root().(*Term)
			if !ok {
				t.Fatalf("ParseQuery(%q) root is %T, want *Term", tt.query, q.Root())
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseQuery(%q) term\n got %+v\nwant %+v", tt.query, *got, tt.want)
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
		{"reserved field", "ukraine title:grain", 8, "field prefix title: is not supported yet"},
		{"reserved field in upper case", "Author:smith", 0, "field prefix Author: is not supported yet"},
		{"reserved near", "a NEAR/3 b", 2, "NEAR is not supported yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.query, testEntities)
			if err == nil {
				t.Fatalf("ParseQuery(%q) = %s, want an error", tt.query, q)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseQuery(%q) error is %T, want *Error", tt.query, err)
			}
			if e.Offset != tt.offset || !strings.Contains(e.Msg, tt.msg) || e.Rule != "" {
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
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("Compile error\n got %s\nwant %s", got, strings.Join(want, "\n"))
	}
	if len(errs) != 3 || errs[0].Rule != "nuclear" || errs[0].Offset != 10 {
		t.Errorf("Compile errors = %+v, want three, the first for rule nuclear at offset 10", errs)
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
		hits, _ := q.Match(Doc{Title: s, Text: q.String()})
		for _, h := range hits {
			if h.Text == "" || (h.Field != "title" && h.Field != "text") {
				t.Fatalf("ParseQuery(%q).Match: bad hit %+v", s, h)
			}
		}
	})
}
