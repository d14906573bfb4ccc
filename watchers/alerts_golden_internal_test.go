package watchers

import (
	"flag"
	"fmt"
	"net/url"
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
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestAlertGolden pushes the first item of every conformance feed through
// to the alert each chat shows: Telegram's HTML (parsed by the strict fake
// Bot API) and Slack's Block Kit (read by the fake Web API as Slack shows
// mrkdwn). The headline must show exactly as parsed, bold and linked to the
// item, with nothing formatted, mentioned or linked by the text itself.
// testdata/alerts.golden keeps what was sent; -update rewrites it.
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

	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var golden strings.Builder
	for _, tt := range conformanceCases {
		if tt.contentType != "" {
			continue // the encodings are in TestConformance; their titles are plain
		}
		t.Run(tt.name, func(t *testing.T) {
			var base *url.URL
			if tt.base != "" {
				base, _ = url.Parse(tt.base)
			}
			p, err := parse([]byte(tt.doc), "f", base, now)
			if err != nil || len(p.items) == 0 {
				t.Fatalf("parse: %v, %d items", err, len(p.items))
			}
			it := p.items[0]
			// An item without a link gets one, so that every title is
			// tried inside the link too.
			link := firstNonEmpty(it.Link, "https://news.example/item?a=1&b=<2>")
			a := news.Alert{Rule: "r", Feed: "f", Title: it.Title, Link: link, Published: now}
			shown := it.Title
			if shown == "" {
				shown = "(untitled)"
			}

			a.Destination = tgDest
			if err := tg.Send(t.Context(), a); err != nil {
				t.Fatalf("telegram: %v", err)
			}
			sent := tgFake.Sent()
			m := sent[len(sent)-1]
			tgLine, _, _ := strings.Cut(m.Text, "\n")
			if tgLine != shown {
				t.Errorf("Telegram shows %q, want %q", tgLine, shown)
			}
			tgRaw, _, _ := strings.Cut(m.Raw, "\n")

			a.Destination = slDest
			if err := sl.Send(t.Context(), a); err != nil {
				t.Fatalf("slack: %v", err)
			}
			posts := slFake.Posts("C1")
			r := posts[len(posts)-1].Rendered
			slLine, _, _ := strings.Cut(r.Text, "\n")
			if len(r.Problems) > 0 || len(r.Mentions) > 0 || len(r.Broadcasts) > 0 {
				t.Errorf("Slack: problems %q, mentions %q, broadcasts %q", r.Problems, r.Mentions, r.Broadcasts)
			}
			{
				if slLine != "*"+shown+"*" || len(r.Emphasis) != 1 || r.Emphasis[0] != "*"+shown+"*" {
					t.Errorf("Slack shows %q formatted as %q, want only the bold %q", slLine, r.Emphasis, "*"+shown+"*")
				}
				if len(r.Links) != 1 || r.Links[0].Label != shown {
					t.Errorf("Slack links %+v, want one to the item labelled %q", r.Links, shown)
				}
			}
			fmt.Fprintf(&golden, "== %s\ntitle: %q\nlink: %q\ntelegram: %s\nslack: %s\n\n", tt.name, it.Title, it.Link, tgRaw, slackFirstText(posts[len(posts)-1].Blocks))
		})
	}
	path := filepath.Join("testdata", "alerts.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./watchers -run TestAlertGolden -update writes it)", err)
	}
	if golden.String() != string(want) {
		t.Errorf("alerts differ from %s (go test ./watchers -run TestAlertGolden -update rewrites it); got:\n%s", path, golden.String())
	}
}

// slackFirstText is the mrkdwn of the first block of a blocks parameter,
// with zero-width spaces shown as {zwsp}.
func slackFirstText(blocks string) string {
	_, after, ok := strings.Cut(blocks, `"text":"`)
	if !ok {
		return ""
	}
	// The text is JSON-escaped; find its closing quote.
	end := 0
	for end < len(after) && (after[end] != '"' || (end > 0 && after[end-1] == '\\')) {
		end++
	}
	return strings.NewReplacer("\u200b", "{zwsp}", `\u200b`, "{zwsp}", `\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(after[:end])
}
