package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       time.Duration
		err        string // in the error output, after the config's path
	}{
		{"absent keeps everything", "log:\n  level: info\n", 0, ""},
		{"days", "retention: 90d\n", 90 * 24 * time.Hour, ""},
		{"weeks and hours", "retention: 2w12h\n", 14*24*time.Hour + 12*time.Hour, ""},
		{"zero keeps everything", "retention: 0\n", 0, ""},
		{"too short", "retention: 36h\n", 0, `:1:12: retention: 36h0m0s is too short; keep items at least 2d`},
		{"all", "retention: all\n", 0, `:1:12: retention: all is not a retention`},
		{"not a duration", "retention: forever\n", 0, `:1:12: retention: bad duration "forever"`},
		{"wrong shape", "retention: [90d]\n", 0, `:1:12: retention: expected a duration`},
		{"typo", "retension: 90d\n", 0, `:1:1: top level: unknown key "retension"; did you mean "retention"?`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.yaml)
			cfg, err := Load(p, noEnv)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), p+tc.err) {
					t.Fatalf("Load(%q) = %v, want an error containing %q", tc.yaml, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q): %v", tc.yaml, err)
			}
			if got := time.Duration(cfg.Retention); got != tc.want {
				t.Errorf("Retention = %v, want %v", got, tc.want)
			}
		})
	}
}
