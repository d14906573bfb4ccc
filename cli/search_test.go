package cli

import (
	"context"
	"encoding/json"
	"herald/config"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/store"
)

// TestSearchCommand stores the e2e feed with `herald once`, then searches
// it: every item herald has seen is found, the alerted and the old alike.
func TestSearchCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wire.xml"), []byte(e2eFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, `feeds:
  - name: test-wire
    url: wire.xml
    tags: [defence]
entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    query: '@nuc'
    notify: [console]
`)
	if code, _, errOut := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("once: exit %d: %s", code, errOut)
	}

	code, out, errOut := herald(t, "search", "-config", cfg, "-json", "@nuc")
	if code != 0 {
		t.Fatalf("search -json: exit %d: %s", code, errOut)
	}
	var titles []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		var keys []string
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"feed", "link", "published", "snippet", "title"}; !slices.Equal(keys, want) {
			t.Errorf("keys %v, want %v", keys, want)
		}
		if v["feed"] != "test-wire" || !strings.HasPrefix(v["link"].(string), "https://test.example/") {
			t.Errorf("line %s", l)
		}
		if _, err := time.Parse(time.RFC3339, v["published"].(string)); err != nil {
			t.Errorf("published %v: %v", v["published"], err)
		}
		titles = append(titles, v["title"].(string))
	}
	// Newest first; the 2023 item was stored without an alert, and is found.
	if want := []string{"NATO-Ukraine Council meets on winter air defence", "NATO-Ukraine Council founded"}; !slices.Equal(titles, want) {
		t.Errorf("titles %q, want %q", titles, want)
	}
	if !strings.Contains(out, `after a meeting of the NATO–Ukraine Council.`) {
		t.Errorf("snippet lacks the matched passage:\n%s", out)
	}

	code, out, _ = herald(t, "search", "-config", cfg, "-limit", "1", "tag:defence", "@nuc", "since:2024-01-01")
	if code != 0 || !strings.HasPrefix(out, "1. NATO-Ukraine Council meets on winter air defence\n   test-wire · Wed 18 Nov 2026 16:40 UTC\n") ||
		!strings.Contains(out, "a meeting of the **NATO–Ukraine Council**.") {
		t.Errorf("human output:\n%s", out)
	}
	_, _, errOut = herald(t, "search", "-config", cfg, "-limit", "1", "council")
	if !strings.Contains(errOut, "more results; raise -limit") {
		t.Errorf("stderr %q, want a note about more results", errOut)
	}
	if code, out, errOut := herald(t, "search", "-config", cfg, "-json", "tractor"); code != 0 || out != "" || !strings.Contains(errOut, "no stored article matches") {
		t.Errorf("no match: exit %d, %q, %q", code, out, errOut)
	}
}

func TestSearchCommandErrors(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "rules: []\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"search", "-config", cfg}, exitUsage, "write a query"},
		{[]string{"search", "-config", cfg, "-limit", "0", "x"}, exitUsage, "-limit 0"},
		{[]string{"search", "-config", cfg, "grain", "AND"}, exitUsage, "herald search: col 7: dangling operator AND at the end of the query: add a term after it or remove it\n  grain AND\n        ^\n"},
		{[]string{"search", "-config", cfg, "Łódź", "since:x"}, exitUsage, "col 6: since:x:"},
		{[]string{"search", "-config", filepath.Join(t.TempDir(), "none.yaml"), "x"}, exitError, "cannot read the config"},
	}
	for _, tc := range cases {
		code, _, errOut := herald(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("herald %q: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

type fakePruner struct {
	mu    sync.Mutex
	calls []time.Duration
	done  chan struct{}
}

func (f *fakePruner) Prune(_ context.Context, _ time.Time, retention time.Duration) (store.PruneStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, retention)
	if len(f.calls) == 3 {
		close(f.done)
	}
	return store.PruneStats{Items: 1}, nil
}

// TestRunRetention: the job prunes at once, then every period, until the
// context ends.
func TestRunRetention(t *testing.T) {
	f := &fakePruner{done: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	ended := make(chan struct{})
	go func() {
		newRetentionJob(90*24*time.Hour).run(ctx, f, time.Millisecond, time.Now, slog.New(slog.DiscardHandler))
		close(ended)
	}()
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the retention job did not run three times")
	}
	cancel()
	<-ended
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls[0] != 90*24*time.Hour {
		t.Errorf("pruned with %v", f.calls[0])
	}
}

// A reload's retention applies at once: without one the job waits, and a
// retention set later prunes without waiting for the day to pass.
func TestRetentionFollowsReload(t *testing.T) {
	f := &fakePruner{done: make(chan struct{})}
	job := newRetentionJob(0)
	ctx, cancel := context.WithCancel(t.Context())
	ended := make(chan struct{})
	go func() {
		job.run(ctx, f, time.Hour, time.Now, slog.New(slog.DiscardHandler))
		close(ended)
	}()
	calls := func() []time.Duration {
		f.mu.Lock()
		defer f.mu.Unlock()
		return slices.Clone(f.calls)
	}
	waitCalls := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); len(calls()) < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("pruned %v, want %d calls", calls(), n)
			}
		}
	}
	job.set(30 * 24 * time.Hour)
	waitCalls(1)
	job.set(30 * 24 * time.Hour) // the same: nothing to do
	job.set(7 * 24 * time.Hour)
	waitCalls(2)
	cancel()
	<-ended
	if got := calls(); len(got) != 2 || got[0] != 30*24*time.Hour || got[1] != 7*24*time.Hour {
		t.Errorf("pruned with %v; want 720h then 168h, and nothing while there was no retention", got)
	}
}

func TestRestartKeys(t *testing.T) {
	load := func(text string) *config.Config {
		t.Helper()
		cfg, err := config.Parse("config.yaml", []byte(text), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	base := "feeds:\n  - name: a\n    url: https://a.example/rss\nwatchers:\n  per_host: 2\nretention: 30d\n"
	old := load(base)
	// Moved down two lines, with another feed, another retention: nothing
	// that needs a restart.
	same := load("# a comment\n\n" + strings.Replace(base, "retention: 30d", "retention: 7d", 1) + "")
	if keys := restartKeys(old, same); len(keys) != 0 {
		t.Errorf("restartKeys = %v for changes a reload applies", keys)
	}
	changed := load(strings.Replace(base, "per_host: 2", "per_host: 3", 1) + "database: other.db\nlisten: 127.0.0.1:9000\n")
	if keys := restartKeys(old, changed); strings.Join(keys, " ") != "database watchers listen" {
		t.Errorf("restartKeys = %v, want database, watchers and listen", keys)
	}
}
