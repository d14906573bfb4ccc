package config

import (
	"strings"
	"testing"
	"time"

	"herald/news"
)

func TestWatchersKeys(t *testing.T) {
	p := write(t, `feeds:
  - name: own
    url: https://a.example/rss
    interval: 10m
  - name: adaptive
    url: https://b.example/rss
  - name: imported
    url: https://c.example/rss
    origin: opml
  - name: d
    url: https://d.example/feed
    origin: chat
watchers:
  min_interval: 1m
  max_interval: 2h
  per_host: 4
  allow_private: true
  admin: 'telegram:-100123'
telegram:
  token: t
`)
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	w := cfg.Watchers
	if w.MinInterval != Duration(time.Minute) || w.MaxInterval != Duration(2*time.Hour) || w.PerHost != 4 || !w.AllowPrivate {
		t.Errorf("watchers %+v", w)
	}
	if w.AdminDest == nil || *w.AdminDest != (news.Destination{Platform: news.Telegram, Chat: "-100123"}) {
		t.Errorf("admin %+v", w.AdminDest)
	}
	feeds := cfg.NewsFeeds()
	if feeds[0].Interval != 10*time.Minute || feeds[1].Interval != 0 || feeds[0].Untrusted || !feeds[2].Untrusted || !feeds[3].Untrusted {
		t.Errorf("feeds %+v; want an explicit interval, an adaptive one, and the OPML and chat feeds untrusted", feeds)
	}

	// A watchers.interval turns adaptation off for feeds without their own.
	p = write(t, "feeds:\n  - name: a\n    url: https://a.example/rss\nwatchers:\n  interval: 20m\n")
	cfg, err = Load(p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if f := cfg.NewsFeeds()[0]; f.Interval != 20*time.Minute {
		t.Errorf("interval %v, want watchers.interval's 20m", f.Interval)
	}
	if w := cfg.Watchers; w.MinInterval != DefaultMinInterval || w.MaxInterval != DefaultMaxInterval || w.PerHost != DefaultPerHost || w.AllowPrivate {
		t.Errorf("defaults %+v", w)
	}
}

func TestLocalFeedsMayPollEverySecond(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/rss", "http://localhost/feed", "http://[::1]:9/x", "feed.xml"} {
		p := write(t, "feeds:\n  - name: a\n    url: '"+u+"'\n    interval: 1s\n")
		cfg, err := Load(p, noEnv)
		if err != nil {
			t.Errorf("%s every 1s: %v", u, err)
			continue
		}
		if f := cfg.NewsFeeds()[0]; f.Interval != time.Second {
			t.Errorf("%s: interval %v, want 1s", u, f.Interval)
		}
	}
}

func TestWatchersKeysErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"min too short", "watchers:\n  min_interval: 10s\n", "config.yaml:2:17: watchers.min_interval: 10s is too short"},
		{"max below min", "watchers:\n  min_interval: 10m\n  max_interval: 5m\n", "config.yaml:3:17: watchers.max_interval: 5m0s is shorter than watchers.min_interval (10m0s)"},
		{"per_host negative", "watchers:\n  per_host: -1\n", "config.yaml:2:13: watchers.per_host: must be at least 1"},
		{"admin not a destination", "watchers:\n  admin: 'irc:#news'\n", `config.yaml:2:10: watchers.admin: destination "irc:#news": unknown platform`},
		{"admin without token", "watchers:\n  admin: 'slack:#ops'\n", "config.yaml:2:10: watchers.admin: slack:#ops needs the slack token set"},
		{"unknown origin", "feeds:\n  - name: a\n    url: https://a.example/\n    origin: rss\n", `config.yaml:4:13: feed "a": origin "rss" is not known`},
		{"typo", "watchers:\n  per_hots: 3\n", "per_host"},
		{"remote interval under 30s, scheme in capitals", "feeds:\n  - name: a\n    url: HTTPS://a.example/\n    interval: 5s\n", `feed "a": interval 5s is too short; poll no more often than every 30s`},
		{"remote interval under 30s", "feeds:\n  - name: a\n    url: https://a.example/\n    interval: 5s\n", `config.yaml:4:15: feed "a": interval 5s is too short; poll no more often than every 30s`},
		{"inherited interval under 30s", "feeds:\n  - name: a\n    url: https://a.example/\nwatchers:\n  interval: 5s\n", `config.yaml:5:13: watchers.interval: 5s is too short for feed "a" at line 2`},
		{"local interval under 1s", "feeds:\n  - name: a\n    url: http://127.0.0.1:8080/\n    interval: 500ms\n", `feed "a": interval 500ms is too short; poll no more often than every 1s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.yaml), noEnv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
