package slack

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"herald/alerts/alertstest"
	"herald/bot"
	"herald/bot/slack/slacktest"
	"herald/news"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const hostileLink = "https://wire.example.org/a?b=1&c=<2>|3"

// linkTo is where a link to u leads in Slack: '<', '>' and '|', which would
// end the link, are percent-encoded.
func linkTo(u string) string {
	return strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C").Replace(bot.SafeURL(u))
}

func hostileAlert() news.Alert {
	a := sampleAlert(dest(newsChannel))
	a.Title = "<!channel> *Breaking* & <@U0ADMIN> <http://evil.example|click here> _now_ `code`"
	a.Link = hostileLink
	a.Feed = "wire <b>"
	a.Summary = "<!here> Officials said 5 < 6 & 7 > 3; <script>alert('x')</script> AT&amp;T <!everyone> <#C0SECRET|secret> ~gone~ &lt;tag&gt;"
	a.Quotes = []news.Quote{{Text: "Ping <@U0CEO> and <!subteam^S0TEAM|@team> at <mailto:x@evil.example|mail>", Speaker: "<!here> Olena <Kovalenko>"}}
	a.Hits = []news.Hit{{Term: `"<!channel>"`, Field: "title", Text: "<!channel>"}}
	return a
}

func longAlert() news.Alert {
	a := sampleAlert(dest(newsChannel))
	var body strings.Builder
	for i := 0; body.Len() < 8000; i++ {
		fmt.Fprintf(&body, "Sentence %d says that 5 < 6 & 7 > 3 about NATO and Ukraine. ", i)
	}
	a.Summary = body.String()
	a.Quotes = nil
	for i := 0; i < 60; i++ {
		a.Quotes = append(a.Quotes, news.Quote{Text: strings.Repeat(fmt.Sprintf("Quote %d has <angles> & ampersands. ", i), 30), Speaker: fmt.Sprintf("Speaker %d", i)})
	}
	return a
}

// goldenCases are the renderings kept in testdata: made-up alerts for each
// edge, and the alerts of real articles (the seed and three of our own)
// built by the production pipeline.
func goldenCases(t *testing.T) map[string]news.Alert {
	bare := news.Alert{Destination: dest(newsChannel), Rule: "grain", Feed: "wire", Title: "Grain ships sail"}
	js := sampleAlert(dest(newsChannel))
	js.Link = "javascript:alert(1)"
	cases := map[string]news.Alert{
		"full":            sampleAlert(dest(newsChannel)),
		"bare":            bare,
		"hostile":         hostileAlert(),
		"long":            longAlert(),
		"javascript-link": js,
	}
	for _, art := range alertstest.Articles(t) {
		a := art.Alert
		a.Destination = dest(newsChannel)
		cases[art.Name] = a
	}
	return cases
}

// dump is the golden form of a rendering: the blocks as chat.postMessage
// sends them, the notification text, and the text used when blocks are refused.
func dump(t *testing.T, r rendered) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r.blocks); err != nil {
		t.Fatal(err)
	}
	// Context elements are marshalled by slack-go with HTML escaping; the
	// same JSON, made readable.
	js := strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(b.String())
	return js + "--- notification text ---\n" + r.fallback + "\n--- as text ---\n" + r.mrkdwn + "\n"
}

func TestRenderAlertGolden(t *testing.T) {
	for name, a := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			r := renderAlert(a, nil, time.Time{})
			got := dump(t, r)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/slack -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering differs from %s (go test ./bot/slack -update rewrites it):\n%s", path, got)
			}
			checkValid(t, r, linkTo(a.Link))
		})
	}
}

// checkValid checks a rendering as Slack would: the blocks are accepted,
// within the limits, and make no mention, broadcast or foreign link; the
// text versions are escaped too.
func checkValid(t *testing.T, r rendered, link string) slacktest.Rendering {
	t.Helper()
	raw, err := json.Marshal(r.blocks)
	if err != nil {
		t.Fatal(err)
	}
	types, rend, code, msgs := slacktest.CheckBlocks(raw)
	if code != "" {
		t.Fatalf("Slack would refuse the blocks: %s %v", code, msgs)
	}
	if len(types) > MaxBlocks {
		t.Errorf("%d blocks", len(types))
	}
	links := []string{}
	if link != "" {
		links = append(links, link)
	}
	inert(t, rend, links...)
	// The text budget is the sections' and context blocks': buttons aside.
	var blocks []json.RawMessage
	_ = json.Unmarshal(raw, &blocks)
	blocks = slices.DeleteFunc(blocks, func(b json.RawMessage) bool { return strings.HasPrefix(string(b), `{"type":"actions"`) })
	textOnly, _ := json.Marshal(blocks)
	if _, tr, _, _ := slacktest.CheckBlocks(textOnly); textLen(tr.Text) > MaxMessageText {
		t.Errorf("%d characters of text in the blocks, over %d", textLen(tr.Text), MaxMessageText)
	}
	inert(t, slacktest.Inspect(r.mrkdwn), links...)
	if n := utf8.RuneCountInString(r.mrkdwn); n > MaxMessageText+2*MaxBlocks {
		t.Errorf("the text version has %d characters", n)
	}
	if utf8.RuneCountInString(r.fallback) > MaxFallback {
		t.Errorf("notification text of %d characters", utf8.RuneCountInString(r.fallback))
	}
	return rend
}

func TestRenderAlertLayout(t *testing.T) {
	r := renderAlert(sampleAlert(dest(newsChannel)), nil, time.Time{})
	raw, _ := json.Marshal(r.blocks)
	types, rend, _, _ := slacktest.CheckBlocks(raw)
	if strings.Join(types, " ") != "section context section section section" {
		t.Fatalf("blocks %v; want the title, a context line, the summary and two quotes", types)
	}
	for _, want := range []string{
		"*NATO–Ukraine Council agrees to speed up air-defence deliveries before winter*",
		"sample-wire · Wed 18 Nov 2026 16:40 UTC · topic: nato-ukraine | matched: NATO-Ukraine Council: “NATO–Ukraine Council” in the headline, “NATO-Ukraine Council” in the article",
		"Foreign ministers of the Alliance agreed",
		"> “Every interceptor that arrives in December protects a power station in January. We are not going to wait for the spring to act”\n> — Ilse Marander",
		"> “We need dates, not declarations.”",
	} {
		if !strings.Contains(rend.Text, want) {
			t.Errorf("the alert lacks %q:\n%s", want, rend.Text)
		}
	}
	if len(rend.Links) != 1 || rend.Links[0].URL != "https://wire.example.org/2026/11/18/nuc-air-defence?a=1&b=2" {
		t.Errorf("links %+v; want the title linking to the article", rend.Links)
	}
	if r.fallback != "NATO–Ukraine Council agrees to speed up air-defence deliveries before winter — sample-wire · Wed 18 Nov 2026 16:40 UTC · topic: nato-ukraine" {
		t.Errorf("notification text %q", r.fallback)
	}
	// Every text object is verbatim: Slack turns no plain URL, #channel or
	// @name in feed text into a link or mention.
	if strings.Count(string(raw), `"verbatim":true`) != 6 {
		t.Errorf("not every text object is verbatim: %s", raw)
	}
}

func TestRenderHostileIsInert(t *testing.T) {
	a := hostileAlert()
	r := renderAlert(a, nil, time.Time{})
	rend := checkValid(t, r, linkTo(hostileLink))
	if len(rend.Links) != 1 || rend.Links[0].URL != "https://wire.example.org/a?b=1&c=%3C2%3E%7C3" {
		t.Errorf("links %+v; want only the article, its URL intact", rend.Links)
	}
	for _, want := range []string{
		"<!channel> *Breaking* & <@U0ADMIN> <http://evil.example|click here>", // the title, shown as typed
		"<!here> Officials said 5 < 6 & 7 > 3; <script>alert('x')</script> AT&amp;T <!everyone>",
		"— <!here> Olena <Kovalenko>",
	} {
		if !strings.Contains(rend.Text, want) {
			t.Errorf("readers do not see %q in:\n%s", want, rend.Text)
		}
	}
	if strings.Contains(r.fallback, "<!") && !strings.Contains(r.fallback, "<!channel>") {
		t.Errorf("notification text %q", r.fallback)
	}
	// The notification text is escaped when sent (MsgOptionText(…, true)).
	inert(t, slacktest.Inspect(escape(r.fallback)))
}

func TestRenderLongKeepsLimits(t *testing.T) {
	r := renderAlert(longAlert(), nil, time.Time{})
	rend := checkValid(t, r, "https://wire.example.org/2026/11/18/nuc-air-defence?a=1&b=2")
	if len(rend.Links) != 1 {
		t.Errorf("the title lost its link: %+v", rend.Links)
	}
	raw, _ := json.Marshal(r.blocks)
	var blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	summary := blocks[2].Text.Text
	if !strings.HasSuffix(summary, "Ukraine. …") && !strings.HasSuffix(summary, "Ukraine.…") {
		t.Errorf("the summary is not cut at a sentence end: …%s", summary[max(0, len(summary)-80):])
	}
	for i, b := range blocks {
		if b.Text != nil && textLen(b.Text.Text) > MaxSectionText {
			t.Errorf("block %d has %d characters", i, textLen(b.Text.Text))
		}
		if b.Text != nil && strings.HasPrefix(b.Text.Text, "> ") && strings.Contains(b.Text.Text, "…\n") {
			t.Errorf("block %d: a quote was cut to fit the message", i)
		}
	}
	if last := blocks[len(blocks)-1]; last.Text == nil || last.Text.Text != "…" {
		t.Errorf("the dropped quotes are not marked: last block %+v", last)
	}
}

// TestRenderWithinLimits renders many random messages built from hostile
// pieces and checks each the way Slack would.
func TestRenderWithinLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"NATO", "<!channel>", "&", "&amp;", "<@U1>", "*bold*", "_it_", "`c`", ">", "<", "|", "é", "😀", "。", ".", " ", "  ", "word", "Sentence ends. ", "https://x.example/", "\u200b"}
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for i := 0; i < 60; i++ {
		a := news.Alert{
			Destination: dest(newsChannel), Rule: "r", Feed: text(rng.IntN(40) + 1),
			Title: text(rng.IntN(600)), Link: "https://x.example/" + strings.Repeat("&", rng.IntN(2100)),
			Summary: text(rng.IntN(9000)),
		}
		for j := rng.IntN(70); j > 0; j-- {
			a.Quotes = append(a.Quotes, news.Quote{Text: text(rng.IntN(1500)), Speaker: text(rng.IntN(80))})
		}
		for j := rng.IntN(30); j > 0; j-- {
			a.Hits = append(a.Hits, news.Hit{Term: text(10), Field: "text", Text: text(rng.IntN(200))})
		}
		checkValid(t, renderAlert(a, time.UTC, time.Time{}), linkTo(a.Link))

		var m bot.Message
		for j := rng.IntN(60); j > 0; j-- {
			var lines []bot.Line
			for k := rng.IntN(20) + 1; k > 0; k-- {
				lines = append(lines, bot.Line{bot.Code(text(20)), bot.Plain(" — " + text(rng.IntN(400))), bot.Italic(" " + text(30))})
			}
			m.Add(bot.Block{Kind: bot.BlockKind(rng.IntN(3)), Lines: lines, Keep: rng.IntN(10) == 0})
		}
		for j := rng.IntN(4) * rng.IntN(15); j > 0; j-- {
			m.Actions = append(m.Actions, bot.Action{Label: text(rng.IntN(100)), Command: "search", Args: []string{"more", text(rng.IntN(30))}})
		}
		checkValid(t, render(m), "")
		if t.Failed() {
			t.Fatalf("case %d failed", i)
		}
	}
}

func TestRenderSpan(t *testing.T) {
	for _, tc := range []struct {
		span bot.Span
		want string
	}{
		{bot.Plain("a < b & c > d"), "a &lt; b &amp; c &gt; d"},
		{bot.Italic(" (paused) "), " _(paused)_ "},
		{bot.Bold("x"), "*x*"},
		{bot.Code("/herald help"), "`/herald help`"},
		{bot.Link("the <title>", "https://e.example/?a=1&b=2"), "<https://e.example/?a=1&amp;b=2|the &lt;title&gt;>"},
		{bot.Link("evil", "javascript:alert(1)"), "evil"},
		{bot.Span{Text: "T", Bold: true, URL: "https://e.example/a|b"}, "*<https://e.example/a%7Cb|T>*"},
		{bot.Plain("   "), "   "},
	} {
		if got := renderSpan(tc.span); got != tc.want {
			t.Errorf("renderSpan(%+v) = %q, want %q", tc.span, got, tc.want)
		}
	}
}

func TestMentionText(t *testing.T) {
	for _, tc := range []struct{ text, bot, want string }{
		{"<@U0HERALD> subscribe nato-ukraine", "U0HERALD", "subscribe nato-ukraine"},
		{"<@U0HERALD|herald>: status", "U0HERALD", "status"},
		{"hey <@U0OTHER> and <@U0HERALD> latest 3", "U0HERALD", "latest 3"},
		{"<@U0HERALD> topics &amp; more", "", "topics & more"},
		{"<@U0HERALD>", "U0HERALD", ""},
	} {
		if got := mentionText(tc.text, tc.bot); got != tc.want {
			t.Errorf("mentionText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// hostileTitles are headlines that hold mrkdwn's special characters as
// text: each must show as typed, inside the bold link to the article, and
// format, mention or link nothing.
var hostileTitles = []string{
	"Vector<int> & map<K, V>",
	"Q&A: AT&amp;T's <b>results</b>",
	"*Breaking*: markets fall",
	"_italic_ and __double__",
	"~struck~ plans revived",
	"`code` and ```fenced```",
	"<!channel> evacuate now",
	"@here and @channel: vote",
	"<@U0ADMIN> <#C0SECRET|secret> <!subteam^S1|@team>",
	"<https://evil.example|click me> *now*",
	"a*b*c _d_e ~f~g `h`i",
	"*<https://evil.example|nested>*",
	"5 > 3 * 2_000 ~ `x`",
}

func TestTitleShowsAsTyped(t *testing.T) {
	for _, title := range hostileTitles {
		t.Run(title, func(t *testing.T) {
			a := sampleAlert(dest(newsChannel))
			a.Title = title
			a.Summary, a.Quotes, a.Hits = "", nil, nil
			r := renderAlert(a, nil, time.Time{})
			rend := checkValid(t, r, linkTo(a.Link))
			// The one span formatted is the bold link, which shows the
			// title exactly; the link is the article's alone.
			if len(rend.Emphasis) != 1 || rend.Emphasis[0] != "*"+title+"*" {
				t.Errorf("formatted spans %q; want only the bold title %q", rend.Emphasis, "*"+title+"*")
			}
			if len(rend.Links) != 1 || rend.Links[0].Label != title {
				t.Errorf("links %+v; want the article, labelled with the title as typed", rend.Links)
			}
			// Text keeps the bold markers, which Emphasis says are the only ones.
			if first, _, _ := strings.Cut(rend.Text, "\n"); first != "*"+title+"*" {
				t.Errorf("the title line shows as %q, want %q", first, "*"+title+"*")
			}
		})
	}
}
