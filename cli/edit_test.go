package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"herald/config"
)

// feedsSite serves /feed/N.xml, every one titled "Test Wire", so that
// feeds added at once all want the same name.
func feedsSite(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/feed/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, e2eFeed)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Sixteen `herald feeds add` processes at once: every feed ends up in the
// file, under a name of its own, and the file loads.
func TestConcurrentFeedsAddProcesses(t *testing.T) {
	_, bin := buildHerald(t)
	srv := feedsSite(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "# feeds\nfeeds:\n  - name: first\n    url: https://first.example/rss\nwatchers:\n  allow_private: true\n")
	const n = 16
	var wg sync.WaitGroup
	outs := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			cmd := exec.Command(bin, "feeds", "add", "-config", cfg, fmt.Sprintf("%s/feed/%d.xml", srv.URL, i))
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !strings.Contains(outs[i], "added feed test-wire") {
			t.Errorf("process %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	loaded, err := config.Load(cfg, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the config does not load after the adds: %v\n%s", err, mustRead(t, cfg))
	}
	urls := map[string]string{}
	for _, f := range loaded.Feeds {
		urls[f.URL] = f.Name
	}
	for i := range n {
		if _, ok := urls[fmt.Sprintf("%s/feed/%d.xml", srv.URL, i)]; !ok {
			t.Errorf("feed %d is missing from the config:\n%s", i, mustRead(t, cfg))
		}
	}
	if len(loaded.Feeds) != n+1 {
		t.Errorf("%d feeds in the config, want %d", len(loaded.Feeds), n+1)
	}
}

// richConfig has comments everywhere, anchors and aliases, flow and block
// collections, and a block scalar query.
const richConfig = `# herald config, hand-kept
database: herald.db   # beside this file

feeds:   # the wires
  # the main wire
  - name: wire
    url: https://wire.example/rss   # keep
    tags: &world [world, europe]
  - {name: flow, url: "https://flow.example/rss", tags: *world}
  - name: block
    url: 'https://block.example/rss'
    tags:
      - politics   # block list
      - europe

    # a comment between the list and the next key, indented like the list
rules:
  - name: grain
    query: |
      "black sea" AND grain
    feeds: [wire, flow]   # flow list
watchers: {allow_private: true}   # a flow mapping
# the end
`

func TestFeedsAddChangesOnlyTheLinesItMust(t *testing.T) {
	srv := feedsSite(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, richConfig)
	code, out, errOut := herald(t, "feeds", "add", "-config", cfg, "-tags", "extra", srv.URL+"/feed/1.xml")
	if code != 0 {
		t.Fatalf("feeds add: exit %d\n%s%s", code, out, errOut)
	}
	got := mustRead(t, cfg)
	before, after := strings.SplitAfter(richConfig, "\n"), strings.SplitAfter(got, "\n")
	// The new text is the old one with one block of lines inserted.
	i := 0
	for i < len(before) && before[i] == after[i] {
		i++
	}
	added := len(after) - len(before)
	if added <= 0 || strings.Join(after[i+added:], "") != strings.Join(before[i:], "") {
		t.Fatalf("more than an insertion changed:\n%s", got)
	}
	want := "  - name: test-wire\n    url: " + srv.URL + "/feed/1.xml\n    tags: [extra]\n"
	if ins := strings.Join(after[i:i+added], ""); ins != want {
		t.Errorf("inserted:\n%s\nwant:\n%s", ins, want)
	}
	if _, err := config.Load(cfg, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}

	// The moved-feed write-back on the same file changes one line.
	ed := &configEditor{c: &cmdContext{env: Env{Getenv: func(string) string { return "" }}, configPath: cfg}}
	if err := ed.MoveFeed(t.Context(), "block", "https://block.example/rss", "https://block.example/new"); err != nil {
		t.Fatal(err)
	}
	moved := strings.SplitAfter(mustRead(t, cfg), "\n")
	diff := 0
	for k := range after {
		if after[k] != moved[k] {
			diff++
			if moved[k] != "    url: 'https://block.example/new'\n" {
				t.Errorf("changed line %q", moved[k])
			}
		}
	}
	if diff != 1 || len(moved) != len(after) {
		t.Errorf("%d lines changed:\n%s", diff, strings.Join(moved, ""))
	}
}

func TestFailedAddLeavesTheFileByteForByte(t *testing.T) {
	srv := feedsSite(t)
	dir := t.TempDir()
	// A rule restricted to feeds by a flow list: the config loads, but the
	// feeds: list is a flow list, which cannot grow without a rewrite.
	body := "feeds: [{name: a, url: 'https://a.example/rss'}]   # flow\nwatchers:\n  allow_private: true\n"
	cfg := writeConfig(t, dir, body)
	code, _, errOut := herald(t, "feeds", "add", "-config", cfg, srv.URL+"/feed/1.xml")
	if code != 1 || !strings.Contains(errOut, "herald feeds add: ") || !strings.Contains(errOut, "flow list") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if got := mustRead(t, cfg); got != body {
		t.Errorf("the file changed:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "config.yaml" && e.Name() != ".config.yaml.lock" {
			t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}
