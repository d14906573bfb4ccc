package config

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestAppendFeeds(t *testing.T) {
	add := []NewFeed{
		{Name: "bbc-world", URL: "https://feeds.example/world.rss?x=1#top", Title: "BBC News: World", Tags: []string{"world", "uk"}, Origin: OriginOPML},
		{Name: "plain", URL: "https://plain.example/feed"},
	}
	entries := "  - name: bbc-world  # BBC News: World\n" +
		"    url: https://feeds.example/world.rss?x=1#top\n" +
		"    tags: [uk, world]\n" +
		"    origin: opml\n" +
		"  - name: plain\n" +
		"    url: https://plain.example/feed\n"
	tests := []struct {
		name, in, want, err string
	}{
		{
			name: "block list, comments after it",
			in:   "database: x.db\n\nfeeds:\n  - name: a\n    url: a.xml   # a file\n    tags: [x,\n      y]\n  # - name: example\n  #   url: https://example.org/\n\nrules: []\n",
			want: "database: x.db\n\nfeeds:\n  - name: a\n    url: a.xml   # a file\n    tags: [x,\n      y]\n" + entries + "  # - name: example\n  #   url: https://example.org/\n\nrules: []\n",
		},
		{
			name: "list at the key's indentation",
			in:   "feeds:\n- name: a\n  url: a.xml\nrules: []\n",
			want: "feeds:\n- name: a\n  url: a.xml\n" + strings.ReplaceAll(entries, "\n  ", "\n")[2:] + "rules: []\n",
		},
		{name: "empty key", in: "feeds:\nrules: []\n", want: "feeds:\n" + entries + "rules: []\n"},
		{name: "empty flow list", in: "feeds: []  # none yet\nrules: []\n", want: "feeds:   # none yet\n" + entries + "rules: []\n"},
		{name: "no feeds key", in: "rules: []", want: "rules: []\n\nfeeds:\n" + entries},
		{name: "empty file", in: "", want: "\nfeeds:\n" + entries},
		{name: "CRLF", in: "feeds:\r\n  - name: a\r\n    url: a.xml\r\n", want: "feeds:\r\n  - name: a\r\n    url: a.xml\r\n" + strings.ReplaceAll(entries, "\n", "\r\n")},
		{name: "flow list", in: "feeds: [{name: a, url: a.xml}]\n", err: "flow list"},
		{name: "not a list", in: "feeds: 3\n", err: "not a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendFeeds([]byte(tt.in), add)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			var doc struct{ Feeds []Feed }
			if err := yaml.Unmarshal(got, &doc); err != nil {
				t.Fatalf("result is not YAML: %v", err)
			}
			last := doc.Feeds[len(doc.Feeds)-2:]
			if last[0].URL != add[0].URL || last[0].Origin != "opml" || strings.Join(last[0].Tags, ",") != "uk,world" || last[1].Name != "plain" {
				t.Errorf("feeds read back as %+v", last)
			}
		})
	}
}

func TestYAMLScalar(t *testing.T) {
	for _, s := range []string{"plain", "https://a.example/x?y=1#z", "a: b", "#x", "- x", "yes", "123", "", " pad", "quo\"te", "a #b", "x,y", "ü"} {
		for _, flow := range []bool{false, true} {
			text := "k: " + yamlScalar(s, flow)
			if flow {
				text = "k: [" + yamlScalar(s, flow) + "]"
			}
			var v map[string]any
			if err := yaml.Unmarshal([]byte(text), &v); err != nil {
				t.Errorf("%q (flow %v) → %s: %v", s, flow, text, err)
				continue
			}
			got := v["k"]
			if flow {
				got = v["k"].([]any)[0]
			}
			if got != s {
				t.Errorf("%q (flow %v) → %s reads back as %#v", s, flow, text, got)
			}
		}
	}
}

func TestMoveFeedURL(t *testing.T) {
	const cfg = `# my feeds
feeds:
  - name: wire   # the main one
    url: https://old.example/rss   # keep this comment
    tags: [world]
  - name: quoted
    url: 'https://old.example/q'
  - name: double
    url: "https://old.example/d"
  - name: env
    url: ${FEED_URL}
  - {name: flow, url: https://old.example/f}
rules: []
`
	for _, tc := range []struct {
		name, feed, old, new string
		want                 string // the changed line, or the error
	}{
		{"plain", "wire", "https://old.example/rss", "https://new.example/rss", "    url: https://new.example/rss   # keep this comment\n"},
		{"single quotes", "quoted", "https://old.example/q", "https://new.example/q?a='b'", "    url: 'https://new.example/q?a=''b'''\n"},
		{"double quotes", "double", "https://old.example/d", "https://new.example/d", `    url: "https://new.example/d"` + "\n"},
		{"flow mapping", "flow", "https://old.example/f", "https://new.example/f", "  - {name: flow, url: https://new.example/f}\n"},
		{"an environment variable", "env", "https://from.env/rss", "https://new.example/rss", "error: not written there as it was polled"},
		{"unknown feed", "nope", "https://old.example/rss", "https://new.example/rss", `error: no feed "nope"`},
		{"downgrade", "wire", "https://old.example/rss", "http://new.example/rss", "error: it moved from https to http"},
		{"credentials", "wire", "https://old.example/rss", "https://u:p@new.example/rss", "error: the URL carries credentials"},
		{"needs quotes", "wire", "https://old.example/rss", "https://new.example/a #b", "error: the new URL would need quotes"},
		{"needs escapes", "double", "https://old.example/d", `https://new.example/d\q`, "error: the new URL would need quotes or escapes"},
	} {
		out, err := MoveFeedURL([]byte(cfg), tc.feed, tc.old, tc.new)
		if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want %q", tc.name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		// Exactly one line changed, to the wanted one.
		before, after := strings.SplitAfter(cfg, "\n"), strings.SplitAfter(string(out), "\n")
		changed := 0
		for i := range before {
			if before[i] != after[i] {
				changed++
				if after[i] != tc.want {
					t.Errorf("%s: line %q, want %q", tc.name, after[i], tc.want)
				}
			}
		}
		if changed != 1 || len(before) != len(after) {
			t.Errorf("%s: %d lines changed:\n%s", tc.name, changed, out)
		}
	}
}

func TestTitleLine(t *testing.T) {
	long := strings.Repeat("é", 80) // 160 bytes
	got := titleLine("  BBC\n News:   World ", 100)
	if got != "BBC News: World" {
		t.Errorf("titleLine = %q", got)
	}
	got = titleLine(long, 101)
	if !strings.HasSuffix(got, "…") || len(got) > 101+len("…") || !utf8Valid(got) {
		t.Errorf("titleLine cut %q", got)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
