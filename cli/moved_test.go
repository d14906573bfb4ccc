package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

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
		out, err := moveFeedURL([]byte(cfg), tc.feed, tc.old, tc.new)
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

// TestOnceWritesAMovedFeedsURL: a feed that answers with a 301 is polled at
// its new address, which herald writes into the config, so that the next
// run goes there directly.
func TestOnceWritesAMovedFeedsURL(t *testing.T) {
	feeds := newFeedServer(t)
	var oldHits atomic.Int32
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		oldHits.Add(1)
		http.Redirect(w, r, feeds.URL+"/feed.xml", http.StatusMovedPermanently)
	}))
	t.Cleanup(old.Close)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("feeds:\n  - name: wire\n    url: %s/rss   # moved in 2026\nrules:\n  - name: nuc\n    query: council\n    notify: [console]\n", old.URL))
	code, out, errOut := herald(t, "once", "-config", cfg)
	if code != 0 || !strings.Contains(out, "NATO-Ukraine Council") {
		t.Fatalf("once: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("    url: %s/feed.xml   # moved in 2026\n", feeds.URL); !strings.Contains(string(data), want) {
		t.Errorf("config after the move:\n%s\nwant the line %q", data, want)
	}
	if !strings.Contains(errOut, "its url in the config is updated") {
		t.Errorf("no log line about the config:\n%s", errOut)
	}
	if code, _, errOut := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("second once: exit %d\n%s", code, errOut)
	}
	if n := oldHits.Load(); n != 1 {
		t.Errorf("the old address was asked %d times, want once", n)
	}
	feeds.mu.Lock()
	conditionals := feeds.conditionals
	feeds.mu.Unlock()
	if conditionals == 0 {
		t.Error("the second run did not poll the new address with the first run's validators")
	}
}
