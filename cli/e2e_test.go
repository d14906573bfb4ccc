package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// now is the clock of these tests: a day after the feed's newest item.
var now = time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)

const e2eFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>https://test.example/</link>
<item>
  <title>NATO-Ukraine Council meets on winter air defence</title>
  <link>https://test.example/a1</link>
  <guid>a1</guid>
  <pubDate>Wed, 18 Nov 2026 16:40:00 +0000</pubDate>
  <description><![CDATA[<p>BRUSSELS, 18 November (Test Wire) — Ministers agreed on Wednesday to speed up deliveries of interceptors after a meeting of the NATO&#8211;Ukraine
Council.</p><p>“We need dates, not declarations. Our engineers plan repairs a week at a time,” said Foreign Minister Andriy Sokil.</p>]]></description>
</item>
<item>
  <title>Harbour marathon draws a record field</title>
  <link>https://test.example/a2</link>
  <guid>a2</guid>
  <pubDate>Tue, 17 Nov 2026 10:00:00 +0000</pubDate>
  <description>Runners enjoyed mild weather.</description>
</item>
<item>
  <title>NATO-Ukraine Council founded</title>
  <link>https://test.example/old</link>
  <guid>old</guid>
  <pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate>
  <description>An old item outside the backfill window.</description>
</item>
</channel></rss>`

// feedServer serves e2eFeed with an ETag and answers 304 to a request that
// sends it back. It counts what it saw.
type feedServer struct {
	*httptest.Server
	mu           sync.Mutex
	requests     int
	notModified  int
	userAgents   []string
	conditionals int
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.requests++
		fs.userAgents = append(fs.userAgents, r.UserAgent())
		switch r.URL.Path {
		case "/feed.xml":
			if r.Header.Get("If-None-Match") != "" {
				fs.conditionals++
			}
			if r.Header.Get("If-None-Match") == `"v1"` {
				fs.notModified++
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			fmt.Fprint(w, e2eFeed)
		case "/broken.xml":
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
		case "/page.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fs.Close)
	return fs
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// herald runs one command in-process and returns its exit code, stdout and stderr.
func herald(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, Env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return now },
	})
	return code, out.String(), errOut.String()
}

func TestOnceEndToEnd(t *testing.T) {
	srv := newFeedServer(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`database: state/herald.db
feeds:
  - name: test-wire
    url: %s/feed.xml
  - name: broken
    url: %s/broken.xml
  - name: webpage
    url: %s/page.html
entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    query: '@nuc'
    notify: [console]
`, srv.URL, srv.URL, srv.URL))

	code, out, logs := herald(t, "once", "-config", cfg)
	if code != 0 {
		t.Fatalf("first once: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, logs)
	}
	for _, want := range []string{
		"■ NATO-Ukraine Council meets on winter air defence",
		"test-wire · Wed 18 Nov 2026",
		"topic: nuc",
		"Ministers agreed on Wednesday to speed up deliveries",
		"“We need dates, not declarations.",
		"— Andriy Sokil",
		`matched: NATO-Ukraine Council: "NATO-Ukraine Council" in title, "NATO–Ukraine Council" in text`,
		"https://test.example/a1",
	} {
		if !strings.Contains(unwrapped(out), want) {
			t.Errorf("first run output lacks %q\n--- stdout\n%s", want, out)
		}
	}
	if n := strings.Count(out, "■ "); n != 1 {
		t.Errorf("first run printed %d alerts, want exactly 1 (the old item is outside backfill, the marathon does not match)\n%s", n, out)
	}
	if strings.Contains(out, "BRUSSELS") || strings.Contains(out, "(Test Wire)") {
		t.Errorf("the summary kept the dateline:\n%s", out)
	}
	for _, want := range []string{"feed=broken", "500", "feed=webpage", "not a feed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q\n--- stderr\n%s", want, logs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "herald.db")); err != nil {
		t.Errorf("database not created next to the config: %v", err)
	}

	code, out, logs = herald(t, "once", "-config", cfg)
	if code != 0 {
		t.Fatalf("second once: exit %d\n%s", code, logs)
	}
	if out != "" {
		t.Errorf("second run printed alerts again:\n%s", out)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.notModified != 1 || srv.conditionals != 1 {
		t.Errorf("second poll: %d conditional requests, %d answered 304; want 1 and 1", srv.conditionals, srv.notModified)
	}
	for _, ua := range srv.userAgents {
		if !strings.HasPrefix(ua, "herald/") {
			t.Errorf("User-Agent %q does not name herald", ua)
		}
	}
}

func TestOnceBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "feeds:\n  - name: a\n    url: https://x.example/rss\nrules:\n  - name: r\n    query: '@ghost'\n")
	code, out, errOut := herald(t, "once", "-config", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out != "" || !strings.Contains(errOut, cfg+":6:") || !strings.Contains(errOut, "@ghost") {
		t.Errorf("want a FILE:LINE:COL error naming @ghost; stdout %q stderr %q", out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.db")); err == nil {
		t.Errorf("a bad config still created the database")
	}
}

// unwrapped undoes the console's line wrapping, so tests can look for phrases.
func unwrapped(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func TestOnceFullText(t *testing.T) {
	mux := http.NewServeMux()
	var srvURL string
	mux.HandleFunc("/teasers.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
<item><title>Council meets on grain</title><link>%[1]s/story</link><guid>t1</guid><pubDate>Thu, 19 Nov 2026 08:00:00 +0000</pubDate><description>Read more on our site.</description></item>
<item><title>Council meets again</title><link>%[1]s/missing</link><guid>t2</guid><pubDate>Thu, 19 Nov 2026 09:00:00 +0000</pubDate><description>The council met again on grain.</description></item>
</channel></rss>`, srvURL)
	})
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Council meets on grain</title></head><body>
<nav>Home · World</nav><article><h1>Council meets on grain</h1>
<p>The harbour council agreed on Wednesday to open a second grain terminal before the spring, after a year of queues at the old one.</p>
<p>“Ships wait nine days on average. That has to end,” said Mira Holm, who chairs the council.</p>
<p>Work on the terminal starts in January and should take eleven weeks, according to the port authority, which will pay half of the cost.</p>
</article><footer>Subscribe</footer></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	srvURL = srv.URL
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`feeds:
  - name: teasers
    url: %s/teasers.xml
    full_text: true
rules:
  - name: grain
    query: grain
    notify: [console]
`, srv.URL))
	code, out, logs := herald(t, "once", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	flat := unwrapped(out)
	for _, want := range []string{
		"The harbour council agreed on Wednesday to open a second grain terminal",
		"— Mira Holm",
		"■ Council meets again", "The council met again on grain.", // the page is missing: the feed text stays
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if !strings.Contains(logs, "full text not fetched") || !strings.Contains(logs, "feed=teasers") {
		t.Errorf("the failed page fetch is not logged with its feed:\n%s", logs)
	}
}
