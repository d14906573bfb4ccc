package telegram

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"herald/alerts/alertstest"
	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/news"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sentences returns n distinct sentences of about 60 characters each.
func sentences(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("Sentence number " + strings.Repeat("x", i%7) + " says what happened & why <it> matters.")
	}
	return b.String()
}

func hostileAlert() news.Alert {
	return news.Alert{
		Rule:      "grain",
		Feed:      "wire<1>",
		Title:     `<script>alert("x")</script> Grain & "wheat" <b>unclosed`,
		Link:      `https://wire.example.org/a?x=1&y="2"&z=<3>`,
		Published: time.Date(2026, 11, 18, 16, 40, 0, 0, time.UTC),
		Summary:   "Prices rose 5% <i>overnight & the </p> port of <Odesa> reopened; see <a href=\"javascript:alert(1)\">this</a>.",
		Quotes:    []news.Quote{{Text: "We will ship <everything> & more", Speaker: "A <b>Minister</b>"}},
		Hits:      []news.Hit{{Term: "grain", Field: "title", Text: "Grain"}, {Term: `"black sea"`, Field: "text", Text: "Black\nSea"}},
	}
}

func longAlert() news.Alert {
	a := sampleAlert(news.Destination{})
	a.Summary = sentences(140) // ~8,000 characters
	for range 8 {
		a.Quotes = append(a.Quotes, news.Quote{Text: sentences(10), Speaker: "Someone Else"})
	}
	return a
}

func TestRenderGolden(t *testing.T) {
	bare := news.Alert{Rule: "r", Feed: "f", Title: "Only a title"}
	jsLink := news.Alert{Rule: "r", Feed: "f", Title: "A link that is not one", Link: "javascript:alert(1)"}
	cases := []struct {
		name  string
		alert news.Alert
	}{
		{"full", sampleAlert(news.Destination{})},
		{"bare", bare},
		{"hostile", hostileAlert()},
		{"javascript-link", jsLink},
		{"long", longAlert()},
	}
	// Real articles too: the seed and three of our own, built by the
	// production pipeline.
	for _, art := range alertstest.Articles(t) {
		cases = append(cases, struct {
			name  string
			alert news.Alert
		}{art.Name, art.Alert})
	}
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			html, text := format(bot.AlertMessage(tc.alert, time.UTC, testNow), MaxLength)
			golden := filepath.Join("testdata", tc.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(html+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/telegram -update to create it)", err)
			}
			if html+"\n" != string(want) {
				t.Errorf("HTML mismatch (go test ./bot/telegram -update rewrites it)\n--- got\n%s\n--- want\n%s", html, want)
			}
			if n := utf8.RuneCountInString(text); n > MaxLength {
				t.Errorf("%d characters after parsing, over %d", n, MaxLength)
			}
			// The strict fake parses it as the server would, and shows text.
			a := tc.alert
			a.Destination = dest("42")
			if err := e.keep(e.client.Send(t.Context(), a)); err != nil {
				t.Fatalf("the fake refused it: %v", err)
			}
			sent := e.fake.Sent()
			if got := sent[len(sent)-1].Text; got != text {
				t.Errorf("the fake shows\n%q\nwe counted\n%q", got, text)
			}
		})
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	html, text := format(bot.AlertMessage(hostileAlert(), time.UTC, time.Time{}), MaxLength)
	for _, bad := range []string{"<script", "<i>overnight", "</p>", "<Odesa>", "<everything>", "<b>Minister", `<a href="javascript`} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML holds raw feed markup %q:\n%s", bad, html)
		}
	}
	for _, want := range []string{`<script>alert("x")</script> Grain & "wheat" <b>unclosed`, "<Odesa>", "We will ship <everything> & more", "— A <b>Minister</b>"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text shown lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `<a href="https://wire.example.org/a?x=1&amp;y=&quot;2&quot;&amp;z=&lt;3&gt;">`) {
		t.Errorf("the link is not escaped as an attribute:\n%s", html)
	}
}

func TestFit(t *testing.T) {
	title := bot.Block{Kind: bot.KindParagraph, Keep: true, Lines: []bot.Line{{bot.Span{Text: "Title", Bold: true, URL: "https://x.example/"}}}}
	para := func(s string) bot.Block { return bot.Para(bot.Plain(s)) }
	quote := bot.Quote(bot.Line{bot.Plain("“" + strings.Repeat("q", 50) + "”")}, bot.Line{bot.Plain("— Ann")})
	list := bot.List(bot.Line{bot.Plain(strings.Repeat("a", 30))}, bot.Line{bot.Plain(strings.Repeat("b", 30))}, bot.Line{bot.Plain(strings.Repeat("c", 30))})
	cases := []struct {
		name   string
		blocks []bot.Block
		limit  int
		want   string // the text after fitting
	}{
		{"fits", []bot.Block{title, para("Short.")}, 100, "Title\n\nShort."},
		{"cut at a sentence", []bot.Block{title, para("First sentence here. Second sentence is longer than that.")}, 40, "Title\n\nFirst sentence here.…"},
		{"cut at a word", []bot.Block{title, para("one two three four five six seven eight nine ten")}, 40, "Title\n\none two three four five six…"},
		{"quote dropped, not cut", []bot.Block{title, para("Short."), quote, para("tail")}, 60, "Title\n\nShort.\n\n…"},
		{"kept block after the cut", []bot.Block{para(strings.Repeat("word ", 40)), title}, 60, "word word word word word word word word word word…\n\nTitle"},
		{"list cut at an item", []bot.Block{title, list}, 80, "Title\n\n• " + strings.Repeat("a", 30) + "\n• " + strings.Repeat("b", 30) + "\n• …"},
		{"kept blocks alone too long", []bot.Block{para(strings.Repeat("long title ", 20)), para("x")}, 50, "long title long title long title long title…"},
	}
	for i := range cases {
		if cases[i].name == "kept blocks alone too long" {
			cases[i].blocks[0].Keep = true
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fit(bot.Message{Blocks: tc.blocks}, tc.limit)
			_, text := render(m)
			if text != tc.want {
				t.Errorf("fit = %q, want %q", text, tc.want)
			}
			if n := utf8.RuneCountInString(text); n > tc.limit {
				t.Errorf("%d characters, over the limit %d", n, tc.limit)
			}
		})
	}
}

func TestFitNeverBreaksMarkup(t *testing.T) {
	// Styled spans and links cut at every possible limit stay balanced HTML
	// that the strict fake accepts, within the limit.
	line := bot.Line{
		bot.Plain("Start & "), bot.Link("a <linked> headline", "https://x.example/?a=1&b=2"),
		bot.Plain(" then "), bot.Bold("bold & <bright>"), bot.Plain(". More text follows here. "), bot.Italic("The end."),
	}
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	full := bot.Message{Blocks: []bot.Block{bot.Para(line...), bot.Para(line...)}}
	for limit := 30; limit <= messageLen(full.Blocks); limit += 7 {
		m := fit(full, limit)
		html, text := render(m)
		if n := utf8.RuneCountInString(text); n > limit {
			t.Errorf("limit %d: %d characters", limit, n)
		}
		if _, err := e.client.sendMessage(t.Context(), 42, 0, html, "HTML", ""); e.keep(err) != nil {
			t.Errorf("limit %d: the fake refused %q: %v", limit, html, err)
		}
	}
}

// hostileTitles are headlines that hold characters special to Telegram's
// HTML or to other chat markups: each must show as typed, bold and linked
// to the article, and nothing else.
var hostileTitles = []string{
	"Vector<int> & map<K, V>",
	"Q&A: AT&amp;T's <b>results</b> &lt;3",
	`<a href="https://evil.example">click</a> "quoted" 'single'`,
	"*Breaking* _now_ ~struck~ `code` ```fenced```",
	"<!channel> <!here> @here @channel @everyone",
	"<script>alert(1)</script> </b></a> <tg-spoiler>x</tg-spoiler>",
	"5 > 3 & 2 < 4",
}

func TestTitleShowsAsTyped(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	for _, title := range hostileTitles {
		t.Run(title, func(t *testing.T) {
			a := sampleAlert(dest("42"))
			a.Title = title
			a.Summary, a.Quotes, a.Hits = "", nil, nil
			if err := e.keep(e.client.Send(t.Context(), a)); err != nil {
				t.Fatalf("the fake refused it: %v", err)
			}
			sent := e.fake.Sent()
			m := sent[len(sent)-1]
			if first, _, _ := strings.Cut(m.Text, "\n"); first != title {
				t.Errorf("the title shows as %q, want %q", first, title)
			}
			// Within the title, the only entities are the bold and the
			// link to the article, each over the whole title.
			n := len(utf16.Encode([]rune(title))) // entity offsets count UTF-16 units
			var kinds []string
			for _, en := range m.Entities {
				if en.Offset >= n {
					continue
				}
				kinds = append(kinds, en.Type)
				if en.Offset != 0 || en.Length != n {
					t.Errorf("entity %+v does not cover exactly the title (%d units)", en, n)
				}
				if en.Type == "text_link" && en.URL != a.Link {
					t.Errorf("the title links to %q, want %q", en.URL, a.Link)
				}
			}
			slices.Sort(kinds)
			if !slices.Equal(kinds, []string{"bold", "text_link"}) {
				t.Errorf("entities over the title %v, want bold and text_link", kinds)
			}
		})
	}
}
