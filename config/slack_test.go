package config

import (
	"strings"
	"testing"
)

func TestSlackKeys(t *testing.T) {
	p := write(t, `rules:
  - name: r
    query: a
    notify: ['slack:#news', 'slack:C0123/1700000000.000100']
listen: 127.0.0.1:8080
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  link_unfurl: true
  admins: [U0123ABCD, W0ENTERPRISE]
`)
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A1-2-def", "SLACK_SIGNING_SECRET": "0123abcd"}
	cfg, err := Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := cfg.Slack
	if s.BotToken != "xoxb-1-2-abc" || s.AppToken != "xapp-1-A1-2-def" || s.SigningSecret != "0123abcd" || !s.LinkUnfurl ||
		len(s.Admins) != 2 || s.Admins[1] != "W0ENTERPRISE" || cfg.Listen != "127.0.0.1:8080" {
		t.Errorf("slack = %+v, listen = %q", s, cfg.Listen)
	}
	if len(cfg.Warnings) != 1 { // "no feeds"
		t.Errorf("warnings: %v", cfg.Warnings)
	}

	// Left out, unfurling is off, anyone manages, and nothing listens.
	p = write(t, "slack:\n  bot_token: xoxb-x\n")
	cfg, err = Load(p, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Slack.LinkUnfurl || len(cfg.Slack.Admins) != 0 || cfg.Listen != "" || cfg.Slack.APIURL != DefaultSlackAPI {
		t.Errorf("defaults: %+v, listen %q", cfg.Slack, cfg.Listen)
	}
}

func TestSlackKeyErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"typo", "slack:\n  bot_token: xoxb-x\n  link_unfurls: true\n", `config.yaml:3:3: slack: unknown key "link_unfurls"; did you mean "link_unfurl"?`},
		{"unfurl not a bool", "slack:\n  bot_token: xoxb-x\n  link_unfurl: maybe\n", `config.yaml:3:16: slack.link_unfurl:`},
		{"admin not an id", "slack:\n  bot_token: xoxb-x\n  admins: [ann]\n", `config.yaml:3:11: slack.admins[0]: "ann" is not a Slack user id`},
		{"admin a channel", "slack:\n  bot_token: xoxb-x\n  admins: [U0AB, C0123]\n", `slack.admins[1]: "C0123" is not a Slack user id`},
		{"bot token as app token", "slack:\n  bot_token: xoxb-x\n  app_token: xoxb-secret-value\n", `config.yaml:3:14: slack.app_token: not an app-level token`},
		{"bad listen", "listen: '8080'\nslack:\n  bot_token: xoxb-x\n  signing_secret: s\n", `config.yaml:1:9: listen: "8080" is not an address`},
		{"listen typo", "listn: :8080\n", `config.yaml:1:1: top level: unknown key "listn"; did you mean "listen"?`},
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
			if strings.Contains(out, "secret-value") {
				t.Errorf("an error shows a token:\n%s", out)
			}
		})
	}
}

func TestSlackWarnings(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"secret without listen", "slack:\n  bot_token: xoxb-x\n  signing_secret: s\n", "config.yaml:3:19: slack.signing_secret: set listen:"},
		{"not a bot token", "slack:\n  bot_token: xoxp-user-token\n", "slack.bot_token: a bot token starts with xoxb-"},
		{"commands without a bot token", "slack:\n  app_token: xapp-1\n", "slack.bot_token: not set, so Slack stays off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.yaml)
			cfg, err := Load(p, noEnv)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var all []string
			for _, w := range cfg.Warnings {
				all = append(all, strings.ReplaceAll(w.String(), p, "config.yaml"))
			}
			if joined := strings.Join(all, "\n"); !strings.Contains(joined, tc.want) || strings.Contains(joined, "user-token") {
				t.Errorf("warnings lack %q:\n%s", tc.want, joined)
			}
		})
	}
	// Socket Mode needs no listen:.
	p := write(t, "slack:\n  bot_token: xoxb-x\n  app_token: xapp-y\n  signing_secret: s\n")
	cfg, err := Load(p, noEnv)
	if err != nil || len(cfg.Warnings) != 1 { // "no feeds"
		t.Errorf("Load = %v, warnings %v", err, cfg.Warnings)
	}
}
