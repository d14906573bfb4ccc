package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"herald/news"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"  two\n\nlines\t here ": "two lines here",
		"soft\u00adhyphen":       "softhyphen",
		"zero\u200bwidth":        "zerowidth",
		"bell\x07 and nul\x00":   "bell and nul",
		"bad \xff utf-8":         "bad \uFFFD utf-8",
		"family 👨\u200d👩\u200d👧": "family 👨\u200d👩\u200d👧",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"fits", 10, "fits"},
		{"One sentence. Another one follows here.", 22, "One sentence.…"},
		{"One sentence. Another one follows here.", 30, "One sentence. Another one…"},
		{"“Quoted.” Then more words follow on.", 16, "“Quoted.”…"},
		{"many words without any full stop in them at all", 30, "many words without any full…"},
		{"averyveryverylongwordwithoutspaces", 10, "averyvery…"},
		{"ünïcödé ünïcödé ünïcödé", 10, "ünïcödé…"},
	}
	for _, tc := range cases {
		got := Shorten(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > tc.max {
			t.Errorf("Shorten(%q, %d) is %d long", tc.in, tc.max, n)
		}
	}
}

func TestMessageText(t *testing.T) {
	var m Message
	m.Add(Para(Bold("Title"), Plain(" and "), Link("link", "https://x.example/")),
		List(Line{Plain("one")}, Line{Code("/two")}),
		Quote(Line{Plain("“said”")}, Line{Plain("— Ann")}))
	want := "Title and link\n\n• one\n• /two\n\n│ “said”\n│ — Ann"
	if got := m.Text(); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestAlertMessage(t *testing.T) {
	a := news.Alert{
		Rule: "grain", Feed: "wire", Title: "Grain\nships <sail>", Link: "javascript:alert(1)",
		Published: time.Date(2026, 11, 18, 16, 40, 0, 0, time.UTC),
		Summary:   strings.Repeat("Long summary sentence. ", 200),
		Quotes:    []news.Quote{{Text: "We sail,", Speaker: "Captain"}, {Text: "  "}},
		Hits:      []news.Hit{{Term: "grain", Field: "title", Text: "Grain"}, {Term: "grain", Field: "title", Text: "Grain"}},
	}
	m := AlertMessage(a, time.FixedZone("CET", 3600), time.Time{})
	text := m.Text()
	for _, want := range []string{"Grain ships <sail>\nwire · Wed 18 Nov 2026 17:40 CET · topic: grain", "│ “We sail”\n│ — Captain", "matched: grain: “Grain” in the headline"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if m.Blocks[0].Lines[0][0].URL != "" {
		t.Error("a javascript: link was kept")
	}
	if len(m.Blocks) != 4 || !m.Blocks[0].Keep || m.Blocks[1].Keep || !m.Blocks[3].Keep {
		t.Errorf("blocks: %+v", m.Blocks)
	}
	if s := m.Blocks[1].Lines[0][0].Text; utf8.RuneCountInString(s) > MaxSummary || !strings.HasSuffix(s, "sentence.…") {
		t.Errorf("summary not shortened at a sentence: %d characters, ends %q", utf8.RuneCountInString(s), s[len(s)-20:])
	}
}
