package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/config"
)

// site serves a home page that advertises its feed, the feed, and an OPML
// file's worth of pages.
func site(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><head><title>Harbour</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml"></head><body>hi</body></html>`)
	})
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, e2eFeed)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestImportAndExport(t *testing.T) {
	srv := site(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "feeds:\n  - name: local\n    url: local.xml\n  - name: known\n    url: https://known.example/rss\nwatchers:\n  allow_private: true\n")
	if err := os.WriteFile(filepath.Join(dir, "local.xml"), []byte(e2eFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	opml := filepath.Join(dir, "subs.opml")
	if err := os.WriteFile(opml, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>subs</title></head><body>
  <outline text="World News">
    <outline type="rss" text="Wire: World" xmlUrl="https://wire.example/world.rss"/>
    <outline type="rss" text="Known again" xmlUrl="https://KNOWN.example/rss/"/>
    <outline text="Harbour site" htmlUrl="`+srv.URL+`/"/>
  </outline>
  <outline type="rss" text="Wire: World" xmlUrl="https://wire.example/world2.rss" category="/Politics/EU,/Economy"/>
  <outline type="rss" text="Passwords" xmlUrl="file:///etc/passwd"/>
  <outline text="nothing here"/>
</body></opml>`), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := herald(t, "import", "-config", cfg, "-dry-run", opml)
	if code != 0 || !strings.Contains(out, "3 feeds to import, 2 skipped; nothing written") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = herald(t, "import", "-config", cfg, opml)
	if code != 0 || !strings.Contains(out, "imported 3 feeds") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{`skipped "Known again": already the feed "known"`, `skipped "Passwords": not an http(s) URL`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("import's messages lack %q:\n%s", want, errOut)
		}
	}
	loaded, err := config.Load(cfg, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the config does not load after the import: %v", err)
	}
	got := map[string]config.Feed{}
	for _, f := range loaded.Feeds {
		got[f.Name] = f
	}
	if f := got["wire-world"]; f.URL != "https://wire.example/world.rss" || f.Origin != "opml" || strings.Join(f.Tags, ",") != "world-news" {
		t.Errorf("wire-world = %+v", f)
	}
	if f := got["wire-world-2"]; f.URL != "https://wire.example/world2.rss" || strings.Join(f.Tags, ",") != "economy,eu" {
		t.Errorf("wire-world-2 = %+v", f)
	}
	if f := got["harbour-site"]; f.URL != srv.URL+"/feed.xml" {
		t.Errorf("the site's feed was not discovered: %+v", f)
	}
	if len(loaded.Feeds) != 5 {
		t.Errorf("%d feeds after the import, want 5", len(loaded.Feeds))
	}
	// Importing again adds nothing.
	if code, out, _ := herald(t, "import", "-config", cfg, opml); code != 0 || !strings.Contains(out, "nothing to import") {
		t.Errorf("second import: exit %d: %s", code, out)
	}

	code, out, errOut = herald(t, "export", "-config", cfg)
	if code != 0 || !strings.Contains(errOut, "1 file feeds left out") {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	entries, err := parseOPML([]byte(out))
	if err != nil {
		t.Fatalf("export is not OPML: %v\n%s", err, out)
	}
	var urls []string
	for _, e := range entries {
		urls = append(urls, e.xmlURL)
	}
	want := "https://known.example/rss https://wire.example/world.rss " + srv.URL + "/feed.xml https://wire.example/world2.rss"
	if strings.Join(urls, " ") != want {
		t.Errorf("exported %v, want %s", urls, want)
	}
	if entries[3].title != "wire-world-2" || strings.Join(entries[3].tags, ",") != "economy,eu" {
		t.Errorf("exported entry %+v", entries[3])
	}
}

func TestImportRefusesPrivateSites(t *testing.T) {
	srv := site(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "feeds: []\n")
	opml := filepath.Join(dir, "subs.opml")
	os.WriteFile(opml, []byte(`<opml version="2.0"><body><outline text="Harbour" htmlUrl="`+srv.URL+`/"/></body></opml>`), 0o644)
	code, out, errOut := herald(t, "import", "-config", cfg, opml)
	if code != 0 || !strings.Contains(out, "nothing to import (1 skipped)") || !strings.Contains(errOut, "watchers.allow_private") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := herald(t, "import", "-config", cfg, filepath.Join(dir, "missing.opml")); code != 1 || errOut == "" {
		t.Errorf("missing file: exit %d %s", code, errOut)
	}
	os.WriteFile(opml, []byte(`<html><body>not opml</body></html>`), 0o644)
	if code, _, errOut := herald(t, "import", "-config", cfg, opml); code != 1 || !strings.Contains(errOut, "not an OPML file") {
		t.Errorf("not OPML: exit %d %s", code, errOut)
	}
}

func TestFeedsAddAndList(t *testing.T) {
	srv := site(t)
	feeds := newFeedServer(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf("feeds:\n  - name: wire\n    url: %s/feed.xml\n    interval: 10m\n  - name: broken\n    url: %s/broken.xml\n", feeds.URL, feeds.URL))

	code, out, errOut := herald(t, "feeds", "-config", cfg)
	if code != 0 || !strings.Contains(out, "2 feeds: 2 new") {
		t.Fatalf("feeds before any poll: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.db")); err == nil {
		t.Error("listing the feeds created the database")
	}

	code, out, errOut = herald(t, "feeds", "add", "-config", cfg, srv.URL+"/")
	if code != 0 || !strings.Contains(out, "leads to the feed "+srv.URL+"/feed.xml") || !strings.Contains(out, "added feed test-wire") {
		t.Fatalf("feeds add: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := herald(t, "feeds", "add", "-config", cfg, srv.URL+"/feed.xml"); code != 1 || !strings.Contains(errOut, `already the feed "test-wire"`) {
		t.Errorf("adding it again: exit %d %s", code, errOut)
	}
	if code, _, errOut := herald(t, "feeds", "add", "-config", cfg, "ftp://x/"); code != 2 || !strings.Contains(errOut, "not an http(s) URL") {
		t.Errorf("an ftp URL: exit %d %s", code, errOut)
	}

	if code, _, errOut := herald(t, "once", "-config", cfg); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, errOut)
	}
	code, out, _ = herald(t, "feeds", "-config", cfg)
	for _, want := range []string{"3 feeds: 2 ok, 1 failing", "wire       ok       10m ", "6h00m (adaptive)", "failing since 19 Nov 12:00 UTC (1 polls)", "HTTP 500"} {
		if !strings.Contains(out, want) {
			t.Errorf("herald feeds lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = herald(t, "feeds", "-config", cfg, "-json")
	var lines []feedLine
	for l := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var fl feedLine
		if err := json.Unmarshal([]byte(l), &fl); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		lines = append(lines, fl)
	}
	if code != 0 || len(lines) != 3 || lines[0].Interval != "10m0s" || lines[0].Adaptive || lines[1].Health != "failing" || !lines[2].Adaptive {
		t.Errorf("feeds -json: %+v", lines)
	}
}

func TestOnceNoticesAGoneFeedToTheAdmin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("feeds:\n  - name: old-wire\n    url: %s/rss\nwatchers:\n  admin: console\n", srv.URL))
	code, out, errOut := herald(t, "once", "-config", cfg)
	if code != 0 || !strings.Contains(out, "Feed old-wire is gone; herald stopped polling it") || !strings.Contains(out, "topic: feed-health") {
		t.Fatalf("once: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, _ = herald(t, "once", "-config", cfg)
	if code != 0 || strings.Contains(out, "gone") {
		t.Errorf("second once noticed again:\n%s", out)
	}
	if _, out, _ := herald(t, "status", "-config", cfg); !strings.Contains(out, "old-wire — disabled") {
		t.Errorf("status does not show the feed disabled:\n%s", out)
	}
}

// freePort returns a loopback address no one listens on (for now).
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRunServesHealthAndMetrics(t *testing.T) {
	feeds := newFeedServer(t)
	addr := freePort(t)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("listen: %s\nfeeds:\n  - name: wire\n    url: %s/feed.xml\nrules:\n  - name: nuc\n    query: council\n    notify: [console]\n", addr, feeds.URL))
	var out, logs syncBuffer
	cancel, done := startRun(t, cfg, Env{}, &out, &logs)
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("/metrics")
		// The feed's health comes from its saved state, which is written
		// just after the poll's items are counted: wait for both.
		if code == 200 && strings.Contains(body, `herald_polls_total{outcome="ok"} 1`) && strings.Contains(body, "herald_items_new_total 3") &&
			strings.Contains(body, `herald_feeds{health="ok"} 1`) {
			for _, want := range []string{"herald_outbox_pending", "herald_poll_duration_seconds_bucket", "herald_matches_total"} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics: %d\n%s\nlogs:\n%s", code, body, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, _ := get("/slack/commands"); code != 404 {
		t.Errorf("/slack/commands without Slack: %d, want 404", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("run exited %d\n%s", code, logs.String())
	}
	if code, _ := get("/healthz"); code != 0 {
		t.Errorf("the server still answers after run returned")
	}
}

func TestRunRefusesABusyListenAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := writeConfig(t, t.TempDir(), "listen: "+ln.Addr().String()+"\nfeeds: []\n")
	var out, logs syncBuffer
	code := Main(t.Context(), []string{"run", "-config", cfg}, Env{Stdout: &out, Stderr: &logs})
	if code != 1 || !strings.Contains(logs.String(), "listen on "+ln.Addr().String()) {
		t.Errorf("exit %d\n%s", code, logs.String())
	}
}
