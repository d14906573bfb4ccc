package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/news"
	"herald/rules"
)

// write puts a config and a feed file in a temp dir and returns the config path.
func write(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "feed.xml"), []byte("<rss/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) string { return "" }

const good = `database: state/herald.db
feeds:
  - name: wire
    url: feed.xml
    tags: [world]
  - name: remote
    url: https://example.org/rss
    interval: 10m
    backfill: 2d
entities:
  - id: nuc
    name: NATO-Ukraine Council
    aliases: [NUC]
rules:
  - name: nuc
    description: the council
    query: '@nuc OR "black sea"'
    feeds: [wire]
    notify: [console, telegram:-1001234/5]
telegram:
  token: ${TG_TOKEN}
`

func TestLoadGood(t *testing.T) {
	p := write(t, good)
	cfg, err := Load(p, func(k string) string {
		if k == "TG_TOKEN" {
			return "123:abc"
		}
		return ""
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.DatabasePath(), filepath.Join(filepath.Dir(p), "state/herald.db"); got != want {
		t.Errorf("DatabasePath = %q, want %q", got, want)
	}
	if cfg.Telegram.Token != "123:abc" {
		t.Errorf("token = %q, want the expanded env var", cfg.Telegram.Token)
	}
	if cfg.Telegram.APIURL != DefaultTelegramAPI || cfg.Slack.APIURL != DefaultSlackAPI {
		t.Errorf("api urls = %q, %q; want defaults", cfg.Telegram.APIURL, cfg.Slack.APIURL)
	}
	feeds := cfg.NewsFeeds()
	if feeds[0].URL != filepath.Join(filepath.Dir(p), "feed.xml") || !feeds[0].IsFile() {
		t.Errorf("file feed URL = %q, want absolute path next to the config", feeds[0].URL)
	}
	if feeds[0].Interval != 0 || feeds[0].Backfill != 24*time.Hour {
		t.Errorf("defaults: interval %v backfill %v, want 0 (adaptive) and 24h", feeds[0].Interval, feeds[0].Backfill)
	}
	if feeds[1].Interval != 10*time.Minute || feeds[1].Backfill != 48*time.Hour {
		t.Errorf("explicit: interval %v backfill %v, want 10m and 48h", feeds[1].Interval, feeds[1].Backfill)
	}
	want := []news.Destination{{Platform: news.Console}, {Platform: news.Telegram, Chat: "-1001234", Thread: "5"}}
	if got := cfg.Rules[0].Destinations; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("destinations = %+v, want %+v", got, want)
	}
	if cfg.Set == nil || cfg.Set.Len() != 1 {
		t.Errorf("rules not compiled")
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // each must appear in the output, in order
	}{
		{"bad yaml", "feeds: [\n  - name: x\n", []string{"config.yaml:"}},
		{"unknown top key", "databse: x.db\n", []string{`config.yaml:1:1: top level: unknown key "databse"; did you mean "database"?`}},
		{"unknown feed key", "feeds:\n  - name: a\n    url: feed.xml\n    intervall: 5m\n", []string{`config.yaml:4:5: feeds[0]: unknown key "intervall"; did you mean "interval"?`}},
		{"duplicate key", "database: a\ndatabase: b\n", []string{`config.yaml:2:1: top level: key "database" appears twice`}},
		{"bad duration", "feeds:\n  - name: a\n    url: feed.xml\n    interval: soon\n", []string{`config.yaml:4:15: feeds[0].interval: bad duration "soon"`}},
		{"duplicate feed", "feeds:\n  - name: a\n    url: feed.xml\n  - name: A\n    url: feed.xml\n", []string{`config.yaml:4:11: feed "A": the name is used by another feed at line 2`}},
		{"missing url", "feeds:\n  - name: a\n", []string{`config.yaml:2:5: feed "a": url is missing`}},
		{"bad scheme", "feeds:\n  - name: a\n    url: ftp://x/y\n", []string{`config.yaml:3:10: feed "a": "ftp://x/y": only http, https and local files`}},
		{"empty query", "rules:\n  - name: r\n    query: ''\n", []string{`config.yaml:3:12: rule "r": query is empty`}},
		{"duplicate rule", "rules:\n  - name: r\n    query: a\n  - name: r\n    query: b\n", []string{`config.yaml:4:11: rule "r": the name is used by another rule at line 2`}},
		{"unknown entity", "rules:\n  - name: r\n    query: 'ukraine @nuc'\n", []string{`config.yaml:3:21: rule "r": `, "@nuc"}},
		{"unknown rule feed", "rules:\n  - name: r\n    query: a\n    feeds: [ghost]\n", []string{`rule "r": feeds[0] "ghost" is not a feed`}},
		{"bad destination", "rules:\n  - name: r\n    query: a\n    notify: [pager:1]\n", []string{`config.yaml:4:13: rule "r": destination "pager:1": unknown platform`}},
		{"missing secret", "rules:\n  - name: r\n    query: a\n    notify: ['slack:#news']\nslack:\n  bot_token: ${SLACK_BOT_TOKEN}\n", []string{`config.yaml:6:14: slack.bot_token: environment variable SLACK_BOT_TOKEN is not set`}},
		{"telegram without token", "rules:\n  - name: r\n    query: a\n    notify: ['telegram:1']\n", []string{`telegram.token: rules notify Telegram chats but no bot token is set`}},
		{"every error reported", "feeds:\n  - name: a\n    url: feed.xml\n  - name: a\n    url: feed.xml\nrules:\n  - name: r\n    query: ''\n", []string{`config.yaml:4:11: feed "a"`, `config.yaml:8:12: rule "r"`}},
		{"wrong shape", "feeds: wire\n", []string{`config.yaml:1:8: feeds: expected a list`}},
		{"bad log level", "log:\n  level: loud\n", []string{`config.yaml:2:10: log.level: "loud" is not a level`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.yaml)
			_, err := Load(p, noEnv)
			if err == nil {
				t.Fatalf("Load accepted:\n%s", tc.yaml)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, want *config.Error", err)
			}
			out := strings.ReplaceAll(err.Error(), p, "config.yaml")
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error output lacks %q (in order); got:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, line := range strings.Split(out, "\n") {
				if !strings.HasPrefix(line, "config.yaml:") {
					t.Errorf("line does not start with FILE:LINE:COL: %q", line)
				}
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	p := write(t, "rules:\n  - name: r\n    query: a\ntelegram:\n  token: ${NOPE}\n")
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var all []string
	for _, w := range cfg.Warnings {
		all = append(all, w.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"no feeds", `rule "r": no notify`, "telegram.token: environment variable NOPE is not set; telegram stays off"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
}

func TestMissingFeedFileWarns(t *testing.T) {
	// A missing feed file is that feed failing, not a config error that
	// would stop every command: herald check warns, with line and column.
	p := write(t, "feeds:\n  - name: a\n    url: nope.xml\n")
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	joined := warningText(cfg, p)
	if !strings.Contains(joined, `config.yaml:3:10: feed "a": feed file `) || !strings.Contains(joined, "no such file") {
		t.Errorf("warnings lack the missing feed file at 3:10:\n%s", joined)
	}
	if n := len(cfg.NewsFeeds()); n != 1 {
		t.Errorf("%d feeds, want the feed kept", n)
	}
}

// warningText is every warning of cfg, loaded from path, one a line, the
// path shown as config.yaml.
func warningText(cfg *Config, path string) string {
	var b strings.Builder
	for _, w := range cfg.Warnings {
		b.WriteString(strings.ReplaceAll(w.String(), path, "config.yaml") + "\n")
	}
	return b.String()
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "none.yaml:1:1: cannot read the config") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"90s", 90 * time.Second, false},
		{"5m", 5 * time.Minute, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"0", 0, false},
		{"all", time.Duration(Forever), false},
		{"-5m", 0, true},
		{"five", 0, true},
		{"d", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseDuration(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || time.Duration(got) != tc.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// The shipped config.yaml must load: it is what the README's first command runs.
func TestShippedConfig(t *testing.T) {
	cfg, err := Load("../config.yaml", noEnv)
	if err != nil {
		t.Fatalf("the default config.yaml does not load:\n%v", err)
	}
	if len(cfg.Feeds) == 0 || len(cfg.Rules) == 0 {
		t.Fatalf("default config has %d feeds and %d rules", len(cfg.Feeds), len(cfg.Rules))
	}
}

func TestTelegramKeys(t *testing.T) {
	p := write(t, `rules:
  - name: r
    query: a
    notify: ['telegram:-100123']
telegram:
  token: ${TG_TOKEN}
  link_preview: true
  admins: [111, 222]
  webhook:
    url: https://herald.example.org/telegram
    listen: 127.0.0.1:8443
    secret_token: ${TG_SECRET}
`)
	env := map[string]string{"TG_TOKEN": "123:abc", "TG_SECRET": "s3cret_-x"}
	cfg, err := Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tg := cfg.Telegram
	if !tg.LinkPreview || len(tg.Admins) != 2 || tg.Admins[0] != 111 || tg.Admins[1] != 222 {
		t.Errorf("link_preview = %t, admins = %v; want true, [111 222]", tg.LinkPreview, tg.Admins)
	}
	w := tg.Webhook
	if w.URL != "https://herald.example.org/telegram" || w.Listen != "127.0.0.1:8443" || w.SecretToken != "s3cret_-x" {
		t.Errorf("webhook = %+v", w)
	}

	// Left out, link previews are off and there is no webhook.
	p = write(t, "telegram:\n  token: x\n")
	cfg, err = Load(p, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Telegram.LinkPreview || cfg.Telegram.Webhook.URL != "" || len(cfg.Telegram.Admins) != 0 {
		t.Errorf("defaults: %+v", cfg.Telegram)
	}
}

func TestTelegramKeyErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"typo", "telegram:\n  token: x\n  link_previews: true\n", `config.yaml:3:3: telegram: unknown key "link_previews"; did you mean "link_preview"?`},
		{"preview not a bool", "telegram:\n  token: x\n  link_preview: sometimes\n", `config.yaml:3:17: telegram.link_preview:`},
		{"admin not a number", "telegram:\n  token: x\n  admins: [ann]\n", `config.yaml:3:12: telegram.admins[0]:`},
		{"admin not positive", "telegram:\n  token: x\n  admins: [-5]\n", `config.yaml:3:11: telegram.admins[0]: -5 is not a Telegram user id`},
		{"webhook without url", "telegram:\n  token: x\n  webhook:\n    listen: :8443\n", `config.yaml:4:5: telegram.webhook: url is missing`},
		{"webhook bad url", "telegram:\n  token: x\n  webhook:\n    url: herald.example.org\n    listen: :8443\n    secret_token: abc\n", `config.yaml:4:10: telegram.webhook.url: "herald.example.org" is not an https URL`},
		{"webhook bad listen", "telegram:\n  token: x\n  webhook:\n    url: https://h.example/tg\n    listen: '8443'\n    secret_token: abc\n", `config.yaml:5:13: telegram.webhook.listen: "8443" is not an address`},
		{"webhook without secret", "telegram:\n  token: x\n  webhook:\n    url: https://h.example/tg\n    listen: :8443\n", `telegram.webhook.secret_token: missing`},
		{"webhook bad secret", "telegram:\n  token: x\n  webhook:\n    url: https://h.example/tg\n    listen: :8443\n    secret_token: 'not ok!'\n", `config.yaml:6:19: telegram.webhook.secret_token: use 1-256 letters`},
		{"webhook unknown key", "telegram:\n  token: x\n  webhook:\n    url: https://h.example/tg\n    secret: abc\n", `config.yaml:5:5: telegram.webhook: unknown key "secret"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.yaml)
			_, err := Load(p, noEnv)
			if err == nil {
				t.Fatalf("Load accepted:\n%s", tc.yaml)
			}
			out := strings.ReplaceAll(err.Error(), p, "config.yaml")
			if !strings.Contains(out, tc.want) {
				t.Errorf("error output lacks %q; got:\n%s", tc.want, out)
			}
		})
	}
}

func TestRuleDigest(t *testing.T) {
	p := write(t, "digest:\n  timezone: Europe/Brussels\nrules:\n  - name: a\n    query: x\n    digest: daily 08:00\n  - name: b\n    query: y\n    digest: 10m\n")
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Skipf("no time zone data? %v", err)
	}
	if cfg.Rules[0].Batch == nil || cfg.Rules[0].Batch.String() != "daily 08:00" || cfg.Rules[1].Batch.Every != 10*time.Minute {
		t.Errorf("batches %+v %+v", cfg.Rules[0].Batch, cfg.Rules[1].Batch)
	}
	p = write(t, "digest:\n  timezone: Mars/Olympus\nrules:\n  - name: a\n    query: x\n    digest: hourly\n")
	_, err = Load(p, noEnv)
	if err == nil || !strings.Contains(err.Error(), `config.yaml:2:13: digest.timezone: "Mars/Olympus" is not a time zone`) ||
		!strings.Contains(err.Error(), `config.yaml:6:13: rule "a": bad digest "hourly"`) {
		t.Errorf("err = %v", err)
	}
}

func TestSlackRate(t *testing.T) {
	p := write(t, "slack:\n  rate:\n    chat: 2/s\n    global: 50/min\n")
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Slack.Rate; r.Chat == nil || r.Chat.String() != "2/s" || r.Global.String() != "50/min" {
		t.Errorf("slack.rate = %+v", r)
	}
	p = write(t, "slack:\n  rate:\n    group: 1/s\n")
	if _, err := Load(p, noEnv); err == nil || !strings.Contains(err.Error(), "config.yaml:3:12: slack.rate.group: Slack has no group limit") {
		t.Errorf("err = %v", err)
	}
}

func TestRuleExclude(t *testing.T) {
	p := write(t, "rules:\n  - name: a\n    query: ukraine\n    exclude: 'sport OR (football'\n")
	_, err := Load(p, noEnv)
	if err == nil || !strings.Contains(err.Error(), `config.yaml:4:24: rule "a": exclude: `) {
		t.Fatalf("err = %v", err)
	}
	p = write(t, "rules:\n  - name: a\n    query: ukraine\n    exclude: sport\n")
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Set.Match(rules.Doc{Title: "Ukraine wins the football", Text: "A sport story."}); len(got) != 0 {
		t.Errorf("the exclude did not stop the rule: %+v", got)
	}
	if got := cfg.Set.Match(rules.Doc{Title: "Ukraine talks"}); len(got) != 1 {
		t.Errorf("the rule did not fire without the excluded words: %+v", got)
	}
}

func TestAlertsSection(t *testing.T) {
	cfg, err := Load(write(t, "alerts:\n  timezone: Europe/Brussels\n  quotes: 1\n  quote_max: 120\ntelegram:\n  token: x\n  rate:\n    group_burst: 5\n"), noEnv)
	if err != nil {
		t.Skipf("no time zone data? %v", err)
	}
	if cfg.Alerts.Location().String() != "Europe/Brussels" || *cfg.Alerts.Quotes != 1 || *cfg.Alerts.QuoteMax != 120 || cfg.Telegram.Rate.GroupBurst != 5 {
		t.Errorf("alerts %+v, group burst %d", cfg.Alerts, cfg.Telegram.Rate.GroupBurst)
	}
	_, err = Load(write(t, "alerts:\n  timezone: Mars/Olympus\n  quotes: -1\n  quote_max: 5\ntelegram:\n  token: x\n  rate:\n    group_burst: -2\nslack:\n  rate:\n    group_burst: 2\n"), noEnv)
	for _, want := range []string{
		`config.yaml:2:13: alerts.timezone: "Mars/Olympus" is not a time zone`,
		`config.yaml:3:11: alerts.quotes: -1 is out of range`,
		`config.yaml:4:14: alerts.quote_max: 5 characters is out of range`,
		`config.yaml:8:18: telegram.rate.group_burst: -2 is negative`,
		`config.yaml:11:18: slack.rate.group_burst: Slack has no group limit`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %s", err, want)
		}
	}
}
