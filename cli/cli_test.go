package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"herald/bot"
	"herald/bot/ratelimit"
	"herald/config"
	"herald/news"
	"herald/store"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const inspectConfig = `entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    query: '@nuc'
    notify: [console]
  - name: sport
    query: marathon OR runners
    notify: [console]
`

func TestMatchJSON(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), inspectConfig)
	feed := filepath.Join(t.TempDir(), "wire.xml")
	if err := os.WriteFile(feed, []byte(e2eFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := herald(t, "match", "-config", cfg, "-json", "testdata/council.txt", "testdata/marathon.html", feed)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	type hit struct{ Term, Field, Text string }
	type match struct {
		Rule string
		Hits []hit
	}
	type line struct {
		Title   string
		Link    string
		Matches *[]match
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		if v.Matches == nil {
			t.Fatalf("line without a matches array (must be [] when empty): %s", l)
		}
		lines = append(lines, v)
	}
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 5 (txt, html, three feed items):\n%s", len(lines), out)
	}
	rulesOf := func(l line) string {
		var names []string
		for _, m := range *l.Matches {
			names = append(names, m.Rule)
		}
		return strings.Join(names, ",")
	}
	want := []struct{ title, rules string }{
		{"Ministers meet in the NATO–Ukraine Council", "nuc"},
		{"Harbour marathon draws a record field", "sport"},
		{"NATO-Ukraine Council meets on winter air defence", "nuc"},
		{"Harbour marathon draws a record field", "sport"},
		{"NATO-Ukraine Council founded", "nuc"},
	}
	for i, w := range want {
		if lines[i].Title != w.title || rulesOf(lines[i]) != w.rules {
			t.Errorf("line %d: %q matched [%s]; want %q matched [%s]", i, lines[i].Title, rulesOf(lines[i]), w.title, w.rules)
		}
	}
	first := (*lines[0].Matches)[0].Hits
	if len(first) != 2 || first[0] != (hit{"@nuc", "title", "NATO–Ukraine Council"}) || first[1] != (hit{"@nuc", "text", "NATO-Ukraine Council"}) {
		t.Errorf("hits of the .txt article = %+v", first)
	}
	if lines[1].Link != "https://test.example/marathon" {
		t.Errorf("html canonical link = %q", lines[1].Link)
	}
}

func TestMatchNoMatchAndStdin(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), inspectConfig)
	var out strings.Builder
	code := Main(t.Context(), []string{"match", "-config", cfg, "-json", "-"}, Env{
		Stdin:  strings.NewReader("Budget talks resume\n\nThe finance committee met again."),
		Stdout: &out, Stderr: &out,
	})
	if code != 0 || strings.TrimSpace(out.String()) != `{"title":"Budget talks resume","link":"","matches":[]}` {
		t.Fatalf("exit %d, out %q", code, out.String())
	}
}

func TestSummarizeJSON(t *testing.T) {
	code, out, errOut := herald(t, "summarize", "-json", "testdata/council.txt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v struct {
		Title   string
		Summary string
		Quotes  []struct {
			Text    string
			Speaker *string
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %q", out)
	}
	if v.Title != "Ministers meet in the NATO–Ukraine Council" {
		t.Errorf("title %q", v.Title)
	}
	if !strings.HasPrefix(v.Summary, "Foreign ministers met in the NATO-Ukraine Council") {
		t.Errorf("summary %q should start after the dateline", v.Summary)
	}
	if len(v.Quotes) != 1 || !strings.HasPrefix(v.Quotes[0].Text, "We will keep the lights on") || v.Quotes[0].Speaker == nil || *v.Quotes[0].Speaker != "Andriy Sokil" {
		t.Errorf("quotes %+v", v.Quotes)
	}
}

func TestSummarizeUnknownSpeakerIsNull(t *testing.T) {
	var out strings.Builder
	code := Main(t.Context(), []string{"summarize", "-json", "-"}, Env{
		Stdin:  strings.NewReader("Title\n\nThe sign on the door read: “Closed until further notice. Please use the side entrance.”"),
		Stdout: &out, Stderr: &out,
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), `"speaker":null`) {
		t.Errorf("want speaker null, got %s", out.String())
	}
}

func TestCommandErrors(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), inspectConfig)
	broken := filepath.Join(t.TempDir(), "broken.xml")
	if err := os.WriteFile(broken, []byte("<rss><channel><item><title>cut off"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := writeConfig(t, t.TempDir(), "rules:\n  - name: a\n    query: x\n  - name: a\n    query: ''\nfeedz: []\n")
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"no command", nil, 2, "usage: herald COMMAND"},
		{"help", []string{"help"}, 0, "commands:"},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`},
		{"subcommand help", []string{"match", "--help"}, 0, "usage: herald match"},
		{"bad flag", []string{"once", "-nope"}, 2, "flag provided but not defined"},
		{"version", []string{"version"}, 0, "herald "},
		{"check ok", []string{"check", "-config", cfg}, 0, ": ok: 0 feeds, 1 entities, 2 rules"},
		{"check warns", []string{"check", "-config", cfg}, 0, "no feeds"},
		{"check bad", []string{"check", "-config", bad}, 1, bad + ":4:11: rule \"a\": the name is used by another rule"},
		{"check unknown key", []string{"check", "-config", bad}, 1, bad + `:6:1: top level: unknown key "feedz"; did you mean "feeds"?`},
		{"check missing file", []string{"check", "-config", "/nonexistent/config.yaml"}, 1, "/nonexistent/config.yaml:1:1: cannot read the config"},
		{"match missing input", []string{"match", "-config", cfg, "testdata/nope.txt"}, 1, "read testdata/nope.txt: no such file"},
		{"match no args", []string{"match", "-config", cfg}, 2, "name at least one"},
		{"summarize empty", []string{"summarize", "-"}, 1, "stdin is empty"},
		{"summarize bad feed", []string{"summarize", broken}, 1, broken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := herald(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.want) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.want, out, errOut)
			}
		})
	}
}

func TestStatusAndRetry(t *testing.T) {
	srv := newFeedServer(t)
	cfg := writeConfig(t, t.TempDir(), "feeds:\n  - name: test-wire\n    url: "+srv.URL+"/feed.xml\n  - name: broken\n    url: "+srv.URL+"/broken.xml\n"+
		"entities:\n  - id: nuc\n    name: NATO-Ukraine Council\nrules:\n  - name: nuc\n    query: '@nuc'\n    notify: [console, 'slack:C1']\nslack:\n  bot_token: xoxb-test\n  api_url: http://127.0.0.1:1/api/\n")
	if code, _, logs := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("once: %s", logs)
	}
	// The Slack alert cannot be delivered; make it dead as a day of errors would.
	db, err := store.Open(t.Context(), filepath.Join(filepath.Dir(cfg), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pending(t.Context(), now.Add(48*time.Hour), 10)
	if err != nil || len(rows) != 1 || rows[0].Destination.String() != "slack:C1" {
		t.Fatalf("pending = %+v, %v; want the one Slack alert", rows, err)
	}
	if err := db.MarkFailed(t.Context(), rows[0].ID, "channel_not_found", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, errOut := herald(t, "status", "-config", cfg)
	if code != 0 {
		t.Fatalf("status exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Feeds: 1 ok, 1 failing", "broken — failing", "HTTP 500", "Rules loaded: 1",
		"Undelivered: 1", fmt.Sprintf("#%d  slack:C1  nuc", rows[0].ID), "last error: channel_not_found"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := herald(t, "retry", "-config", cfg, "x"); code != 2 || !strings.Contains(errOut, `"x" is not an outbox ID`) {
		t.Errorf("retry x: exit %d, %s", code, errOut)
	}
	code, out, _ = herald(t, "retry", "-config", cfg, fmt.Sprint(rows[0].ID))
	if code != 0 || !strings.Contains(out, "requeued 1 undelivered alerts") {
		t.Errorf("retry: exit %d, %s", code, out)
	}
	code, out, _ = herald(t, "retry", "-config", cfg)
	if code != 0 || !strings.Contains(out, "requeued 0 undelivered alerts") {
		t.Errorf("retry with nothing dead: exit %d, %s", code, out)
	}
}

func TestLimitsOf(t *testing.T) {
	def := bot.DefaultLimits[news.Telegram]
	cases := []struct {
		name string
		yaml string
		want bot.Limits
	}{
		{"defaults", "", def},
		{"paid broadcast", "global: 1000/s\n", bot.Limits{PerChat: def.PerChat, PerGroup: def.PerGroup, Global: ratelimit.Per(1000, time.Second, 1)}},
		{"stricter chat, no burst", "chat: 20/min\nburst: 1\n", bot.Limits{PerChat: ratelimit.Per(20, time.Minute, 1), PerGroup: def.PerGroup, Global: def.Global}},
		{"group off", "group: off\n", bot.Limits{PerChat: def.PerChat, Global: def.Global}},
		{"group burst", "group_burst: 5\n", bot.Limits{PerChat: def.PerChat, PerGroup: ratelimit.Within(20, time.Minute, 5), Global: def.Global}},
		{"slower group keeps the default burst", "group: 10/min\n", bot.Limits{PerChat: def.PerChat, PerGroup: ratelimit.Within(10, time.Minute, 3), Global: def.Global}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse("c.yaml", []byte("telegram:\n  rate:\n"+indent(tc.yaml)), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if got := limitsOf(def, cfg.Telegram.Rate); got != tc.want {
				t.Errorf("limits = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := config.Parse("c.yaml", []byte("telegram:\n  rate:\n    chat: fast\n"), func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), `c.yaml:3:11: telegram.rate.chat: bad rate "fast"`) {
		t.Errorf("bad rate error = %v", err)
	}
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l != "" {
			b.WriteString("    " + l + "\n")
		}
	}
	return b.String()
}
