package config

import (
	"strings"
	"testing"
)

func TestWatchesKeys(t *testing.T) {
	cases := []struct {
		name, yaml string
		on         bool
		perChat    int
		maxQuery   int
		share      Share
	}{
		{"defaults", "", true, DefaultWatchesPerChat, DefaultWatchesMaxQuery, DefaultWatchesMaxShare},
		{"set", "watches:\n  enabled: true\n  per_chat: 5\n  max_query: 80\n  max_share: 10%\n", true, 5, 80, 0.1},
		{"off", "watches:\n  enabled: false\n  per_chat: 0\n  max_share: off\n", false, 0, DefaultWatchesMaxQuery, 0},
		{"fraction", "watches:\n  max_share: 0.35\n", true, DefaultWatchesPerChat, DefaultWatchesMaxQuery, 0.35},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(write(t, "feeds:\n  - name: wire\n    url: feed.xml\n"+tc.yaml), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			w := cfg.Watches
			if w.On() != tc.on || w.PerChat != tc.perChat || w.MaxQuery != tc.maxQuery || w.MaxShare != tc.share {
				t.Errorf("watches = on %t, %+v; want on %t, per_chat %d, max_query %d, max_share %v", w.On(), w, tc.on, tc.perChat, tc.maxQuery, tc.share)
			}
		})
	}
}

func TestWatchesKeyErrors(t *testing.T) {
	// The feeds take the first three lines; the section under test follows.
	cases := []struct{ name, yaml, want string }{
		{"negative", "watches:\n  per_chat: -1\n", "config.yaml:5:13: watches.per_chat: -1 is negative"},
		{"share over 100", "watches:\n  max_share: 150%\n", `config.yaml:5:14: watches.max_share: "150%" is not between 0% and 100%`},
		{"share word", "watches:\n  max_share: lots\n", `config.yaml:5:14: watches.max_share: "lots" is not a share`},
		{"unknown key", "watches:\n  per_user: 3\n", `config.yaml:5:3: watches: unknown key "per_user"`},
		{"reserved rule name", "rules:\n  - name: watch:1\n    query: a\n", `config.yaml:5:11: rule "watch:1": names starting with "watch:" are kept for the watches`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, "feeds:\n  - name: wire\n    url: feed.xml\n"+tc.yaml)
			_, err := Load(p, noEnv)
			if err == nil {
				t.Fatal("accepted")
			}
			out := strings.ReplaceAll(err.Error(), p, "config.yaml")
			want := tc.want
			if !strings.Contains(out, want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, want)
			}
		})
	}
}
