// Package feedalerts_test pushes feed items of every title class through
// to the alerts Telegram and Slack show. It lives apart from watchers so
// that the watchers fuzz targets do not build the chat adapters and the
// database along.
package feedalerts_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/bot/slack"
	"herald/bot/slack/slacktest"
	"herald/bot/telegram"
	"herald/bot/telegram/telegramtest"
	"herald/news"
	"herald/store"
	"herald/watchers"
)

var update = flag.Bool("update", false, "rewrite testdata/alerts.golden")

// atom and rss wrap an entry's or item's elements in a feed; json wraps an
// item's members.
func atom(entry string) string {
	return `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id><entry><id>urn:1</id>` +
		`<updated>2026-01-01T00:00:00Z</updated>` + entry + `</entry></feed>`
}

func rss(item string) string {
	return `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>F</title><link>https://f.example/</link>` +
		`<description>d</description><item>` + item + `</item></channel></rss>`
}

func json(item string) string {
	return `{"version":"https://jsonfeed.org/version/1.1","title":"F","items":[{"id":"1",` + item + `}]}`
}

// feeds are one feed per title class, each with the title it must show.
var feeds = []struct{ name, doc, title string }{
	{"atom text with angle brackets", atom(`<title type="text">Vector&lt;int&gt; in C++</title>`), "Vector<int> in C++"},
	{"atom text decoded once", atom(`<title>Q&amp;amp;A &amp; more</title>`), "Q&amp;A & more"},
	{"atom html", atom(`<title type="html">x &amp;lt;blink&amp;gt; &lt;b&gt;y&lt;/b&gt;</title>`), "x <blink> y"},
	{"atom html script", atom(`<title type="html">safe&lt;script&gt;steal()&lt;/script&gt; description</title>`), "safe description"},
	{"atom xhtml", atom(`<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> &amp; <i>brave</i> move</div></title>`), "A bold & brave move"},
	{"atom html CDATA", atom(`<title type="html"><![CDATA[<em>Now</em> & then]]></title>`), "Now & then"},
	{"atom 0.3 base64", `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>F</title><entry><id>urn:1</id>` +
		`<title type="text/html" mode="base64">QmFzZTY0IDxiPnRpdGxlPC9iPg==</title></entry></feed>`, "Base64 title"},
	{"rss plain", rss(`<title>AT&amp;T &lt;3 and 5 &gt; 4</title>`), "AT&T <3 and 5 > 4"},
	{"rss escaped markup", rss(`<title>&lt;b&gt;Bold&lt;/b&gt; news</title>`), "Bold news"},
	{"rss CDATA", rss(`<title><![CDATA[Council <b>approves</b> pier & port]]></title>`), "Council approves pier & port"},
	{"rss chat markup", rss("<title>*Breaking* _now_ ~old~ `code` &lt;!channel&gt; @here &lt;@U0ADMIN&gt;</title>"), "*Breaking* _now_ ~old~ `code` <!channel> @here <@U0ADMIN>"},
	{"rss link-like text", rss(`<title>&lt;https://evil.example|click&gt; *here*</title>`), "<https://evil.example|click> *here*"},
	{"rss media:title", rss(`<media:title>Video of the flood</media:title>`), "Video of the flood"},
	{"rss first sentence", rss(`<description>Storm hits coast! More soon.</description>`), "Storm hits coast!"},
	{"rss untitled", rss(`<guid>https://g.example/1</guid>`), ""},
	{"json plain", json(`"title":"<!channel> *x* _y_ @here ` + "`z`" + ` & <b>w</b>"`), "<!channel> *x* _y_ @here `z` & <b>w</b>"},
}

// TestAlertGolden parses each feed, and sends its item's alert to the fake
// Telegram Bot API (which parses the HTML strictly) and the fake Slack Web
// API (which reads mrkdwn as Slack shows it). The headline shows exactly as
// parsed ("(untitled)" when empty), bold and linked to the item, and the
// text formats, mentions and links nothing. testdata/alerts.golden keeps
// what was sent; -update rewrites it.
func TestAlertGolden(t *testing.T) {
	const token = "1234:golden-token"
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tgFake := telegramtest.New(t, token)
	tgFake.AddChat(telegramtest.Chat{ID: 42})
	tg, err := telegram.New(telegram.Options{Token: token, APIURL: tgFake.URL, Store: db, RequestTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	slFake := slacktest.New(t, slacktest.Options{BotToken: "xoxb-golden", AppToken: "xapp-golden", SigningSecret: "s"})
	slFake.AddChannel(slacktest.Channel{ID: "C1", Name: "news"})
	sl, err := slack.New(slack.Options{BotToken: "xoxb-golden", AppToken: "xapp-golden", SigningSecret: "s", APIURL: slFake.APIURL, Store: db, RequestTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tgDest, _ := news.ParseDestination("telegram:42")
	slDest, _ := news.ParseDestination("slack:C1")

	var golden strings.Builder
	for _, tt := range feeds {
		t.Run(tt.name, func(t *testing.T) {
			items, err := watchers.Parse([]byte(tt.doc), "f")
			if err != nil || len(items) != 1 {
				t.Fatalf("parse: %v, %d items", err, len(items))
			}
			it := items[0]
			if it.Title != tt.title {
				t.Errorf("parsed title %q, want %q", it.Title, tt.title)
			}
			shown := it.Title
			if shown == "" {
				shown = "(untitled)"
			}
			link := "https://news.example/item?a=1&b=<2>"
			a := news.Alert{Rule: "r", Feed: "f", Title: it.Title, Link: link, Published: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}

			a.Destination = tgDest
			if err := tg.Send(t.Context(), a); err != nil {
				t.Fatalf("telegram: %v", err)
			}
			sent := tgFake.Sent()
			m := sent[len(sent)-1]
			if line, _, _ := strings.Cut(m.Text, "\n"); line != shown {
				t.Errorf("Telegram shows %q, want %q", line, shown)
			}
			for _, e := range m.Entities {
				if e.Offset == 0 && e.Type != "bold" && e.Type != "text_link" {
					t.Errorf("Telegram entity %+v over the title", e)
				}
			}
			tgRaw, _, _ := strings.Cut(m.Raw, "\n")

			a.Destination = slDest
			if err := sl.Send(t.Context(), a); err != nil {
				t.Fatalf("slack: %v", err)
			}
			posts := slFake.Posts("C1")
			r := posts[len(posts)-1].Rendered
			if len(r.Problems) > 0 || len(r.Mentions) > 0 || len(r.Broadcasts) > 0 {
				t.Errorf("Slack: problems %q, mentions %q, broadcasts %q", r.Problems, r.Mentions, r.Broadcasts)
			}
			if len(r.Emphasis) != 1 || r.Emphasis[0] != "*"+shown+"*" {
				t.Errorf("Slack formats %q, want only the bold %q", r.Emphasis, "*"+shown+"*")
			}
			if len(r.Links) != 1 || r.Links[0].Label != shown || r.Links[0].URL != "https://news.example/item?a=1&b=%3C2%3E" {
				t.Errorf("Slack links %+v, want one to the item labelled %q", r.Links, shown)
			}
			fmt.Fprintf(&golden, "== %s\ntitle: %q\ntelegram: %s\nslack: %s\n\n", tt.name, it.Title, tgRaw, firstText(posts[len(posts)-1].Blocks))
		})
	}
	path := filepath.Join("testdata", "alerts.golden")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/feedalerts -update writes it)", err)
	}
	if golden.String() != string(want) {
		t.Errorf("alerts differ from %s (go test ./internal/feedalerts -update rewrites it); got:\n%s", path, golden.String())
	}
}

// firstText is the mrkdwn of the first block of a blocks parameter, made
// readable: JSON escapes of & < > decoded, zero-width spaces shown as {zwsp}.
func firstText(blocks string) string {
	_, after, ok := strings.Cut(blocks, `"text":"`)
	if !ok {
		return ""
	}
	end := 0
	for end < len(after) && (after[end] != '"' || (end > 0 && after[end-1] == '\\')) {
		end++
	}
	return strings.NewReplacer("\u200b", "{zwsp}", `\u200b`, "{zwsp}", `\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(after[:end])
}
