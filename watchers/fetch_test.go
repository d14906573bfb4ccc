package watchers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"herald/news"
	"herald/watchers"
)

// t0 is the fixed time of the injected clock.
var t0 = time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

// origin is a feed server: it serves one document with validators and
// answers conditional requests the way a well-behaved server does.
type origin struct {
	mu           sync.Mutex
	body         []byte
	contentType  string
	etag         string
	lastModified string
	requests     []http.Header
}

func newOrigin(body []byte) *origin {
	return &origin{body: body, contentType: "application/rss+xml; charset=utf-8"}
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, r.Header.Clone())
	body, ct, etag, lm := o.body, o.contentType, o.etag, o.lastModified
	o.mu.Unlock()

	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	if lm != "" {
		w.Header().Set("Last-Modified", lm)
	}
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if (etag != "" && inm == etag) || (inm == "" && lm != "" && ims == lm) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(body)
}

func (o *origin) set(f func(o *origin)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f(o)
}

func (o *origin) request(i int) http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests[i]
}

func (o *origin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.requests)
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func newWatcher(opts watchers.Options) *watchers.Watcher {
	if opts.Clock == nil {
		opts.Clock = fixedClock
	}
	return watchers.New(nil, nil, opts)
}

func TestFetchConditional(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	o.etag = `"v1"`
	o.lastModified = "Fri, 08 Mar 2024 11:00:00 GMT"
	srv := serve(t, o)
	w := newWatcher(watchers.Options{})
	feed := news.Feed{Name: "gazette", URL: srv.URL + "/rss"}

	first, err := w.Fetch(t.Context(), feed, news.FeedState{})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || first.Status != 200 || len(first.Items) != 3 {
		t.Fatalf("first fetch: NotModified %v, status %d, %d items; want a 200 with 3 items", first.NotModified, first.Status, len(first.Items))
	}
	if first.ETag != `"v1"` || first.LastModified != o.lastModified || first.URL != feed.URL {
		t.Errorf("first fetch: ETag %q, LastModified %q, URL %q", first.ETag, first.LastModified, first.URL)
	}
	if h := o.request(0); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
		t.Errorf("first request was conditional: %v", h)
	}

	st := news.FeedState{URL: first.URL, ETag: first.ETag, LastModified: first.LastModified}
	second, err := w.Fetch(t.Context(), feed, st)
	if err != nil {
		t.Fatal(err)
	}
	h := o.request(1)
	if h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != o.lastModified {
		t.Errorf("second request: If-None-Match %q, If-Modified-Since %q", h.Get("If-None-Match"), h.Get("If-Modified-Since"))
	}
	if !second.NotModified || second.Status != 304 || len(second.Items) != 0 {
		t.Errorf("second fetch: NotModified %v, status %d, %d items; want a 304", second.NotModified, second.Status, len(second.Items))
	}
	if second.ETag != `"v1"` || second.LastModified != o.lastModified {
		t.Errorf("second fetch lost the validators: ETag %q, LastModified %q", second.ETag, second.LastModified)
	}
}

func TestFetchRequestHeaders(t *testing.T) {
	o := newOrigin(readFixture(t, "rss.xml"))
	srv := serve(t, o)
	tests := []struct {
		name string
		opts watchers.Options
		want string
	}{
		{name: "default", opts: watchers.Options{Version: "1.2.3"}, want: "herald/1.2.3 (+https://github.com/herald; news alerts)"},
		{name: "no version", opts: watchers.Options{}, want: "herald/dev (+https://github.com/herald; news alerts)"},
		{name: "configured", opts: watchers.Options{UserAgent: "custom/1"}, want: "custom/1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWatcher(tt.opts)
			if _, err := w.Fetch(t.Context(), news.Feed{Name: "g", URL: srv.URL}, news.FeedState{}); err != nil {
				t.Fatal(err)
			}
			h := o.request(i)
			if got := h.Get("User-Agent"); got != tt.want {
				t.Errorf("User-Agent %q, want %q", got, tt.want)
			}
			for _, typ := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
				if !strings.Contains(h.Get("Accept"), typ) {
					t.Errorf("Accept %q lacks %s", h.Get("Accept"), typ)
				}
			}
			if h.Get("Accept-Encoding") != "gzip" {
				t.Errorf("Accept-Encoding %q, want gzip", h.Get("Accept-Encoding"))
			}
		})
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipServer serves body gzip-compressed when the client accepts it.
func gzipServer(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	compressed := gzipped(t, body)
	return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write(body)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compressed)
	}))
}

func TestFetchGzip(t *testing.T) {
	srv := gzipServer(t, readFixture(t, "rss.xml"))
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "g", URL: srv.URL}, news.FeedState{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 3 || f.Items[0].ID != "gazette-1001" {
		t.Errorf("got %+v, want the 3 fixture items", f.Items)
	}
}

// bigFeed returns a valid RSS document of at least n bytes.
func bigFeed(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>`)
	for i := 0; b.Len() < n; i++ {
		b.WriteString("<item><title>Filler</title><description>" + strings.Repeat("lorem ipsum ", 20) + "</description></item>")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

func TestFetchBodyCap(t *testing.T) {
	const limit = 4096
	big := bigFeed(4 * limit)
	plain := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(big)
	}))
	chunked := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		for chunk := range slices(big, 1000) {
			w.Write(chunk)
			w.(http.Flusher).Flush() // No Content-Length: the cap must hold while reading.
		}
	}))
	compressed := gzipServer(t, big)
	if n := len(gzipped(t, big)); n >= limit {
		t.Fatalf("test setup: compressed feed is %d bytes, want it under the %d limit", n, limit)
	}

	w := newWatcher(watchers.Options{MaxBody: limit})
	for name, srv := range map[string]*httptest.Server{"content-length": plain, "chunked": chunked, "gzip bomb": compressed} {
		t.Run(name, func(t *testing.T) {
			_, err := w.Fetch(t.Context(), news.Feed{Name: "big", URL: srv.URL}, news.FeedState{})
			if !errors.Is(err, watchers.ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
			if !strings.HasPrefix(err.Error(), `watchers: feed "big": fetch `) {
				t.Errorf("error %q lacks the feed and URL", err)
			}
		})
	}

	// Under the cap, the same feed is fine.
	if _, err := newWatcher(watchers.Options{MaxBody: int64(2 * len(big))}).Fetch(t.Context(), news.Feed{Name: "big", URL: compressed.URL}, news.FeedState{}); err != nil {
		t.Errorf("feed under the cap: %v", err)
	}
}

// slices yields data in pieces of at most n bytes.
func slices(data []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(data) > 0 {
			k := min(n, len(data))
			if !yield(data[:k]) {
				return
			}
			data = data[k:]
		}
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/no-headers", stall)
	mux.HandleFunc("/half-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>`))
		w.(http.Flusher).Flush()
		stall(w, r)
	})
	srv := serve(t, mux)
	t.Cleanup(func() { close(release) }) // Runs before srv.Close.

	w := newWatcher(watchers.Options{Client: &http.Client{Timeout: 200 * time.Millisecond}})
	for _, path := range []string{"/no-headers", "/half-body"} {
		t.Run(path, func(t *testing.T) {
			_, err := w.Fetch(t.Context(), news.Feed{Name: "slow", URL: srv.URL + path}, news.FeedState{})
			if err == nil {
				t.Fatal("Fetch succeeded, want a timeout")
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("error %q is not a timeout", err)
			}
		})
	}
}

func TestFetchCancelled(t *testing.T) {
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := newWatcher(watchers.Options{}).Fetch(ctx, news.Feed{Name: "g", URL: srv.URL}, news.FeedState{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestFetchStatusErrors(t *testing.T) {
	tests := []struct {
		code       int
		retryAfter string
		wantAfter  time.Duration
		want       string
	}{
		{code: 404, want: "HTTP 404 Not Found: there is no feed at this URL"},
		{code: 403, want: "needs a login or blocks bots"},
		{code: 410, want: "drop it from the config"},
		{code: 500, want: "HTTP 500 Internal Server Error: the server failed; herald retries"},
		{code: 429, retryAfter: "120", wantAfter: 2 * time.Minute, want: "HTTP 429 Too Many Requests (retry after 2m0s)"},
		{code: 503, retryAfter: t0.Add(3 * time.Hour).Format(http.TimeFormat), wantAfter: 3 * time.Hour, want: "retry after 3h0m0s"},
		{code: 503, retryAfter: "soon", want: "HTTP 503 Service Unavailable: "},
		{code: 400, retryAfter: "60", want: "HTTP 400 Bad Request: the server rejected the request"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.code)+" "+tt.retryAfter, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				http.Error(w, "no", tt.code)
			}))
			_, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "s", URL: srv.URL + "/feed"}, news.FeedState{})
			se, ok := errors.AsType[*watchers.StatusError](err)
			if !ok {
				t.Fatalf("error %v is not a *StatusError", err)
			}
			if se.Code != tt.code || se.RetryAfter != tt.wantAfter {
				t.Errorf("Code %d, RetryAfter %v; want %d, %v", se.Code, se.RetryAfter, tt.code, tt.wantAfter)
			}
			prefix := `watchers: feed "s": fetch ` + srv.URL + "/feed: "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q followed by %q", err, prefix, tt.want)
			}
		})
	}
}

func TestFetchUnexpected304(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	_, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "odd", URL: srv.URL}, news.FeedState{})
	if se, ok := errors.AsType[*watchers.StatusError](err); !ok || se.Code != 304 {
		t.Errorf("error %v, want a 304 StatusError: a 304 to an unconditional request carries no items", err)
	}
}

func TestFetchURLVerbatim(t *testing.T) {
	// net/url would spell this URL differently; without a redirect the
	// configured spelling must come back, or every poll would look like a move.
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	feed := news.Feed{Name: "v", URL: srv.URL + "/news feed.xml"}
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), feed, news.FeedState{})
	if err != nil {
		t.Fatal(err)
	}
	if f.URL != feed.URL {
		t.Errorf("URL %q, want %q", f.URL, feed.URL)
	}
}

func TestFetchNotAFeed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(readFixture(t, "page.html"))
	})
	mux.HandleFunc("/fragment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<div>Sorry, our feed moved.</div>"))
	})
	srv := serve(t, mux)
	w := newWatcher(watchers.Options{})
	tests := []struct{ path, want string }{
		{"/page", "not a feed (got an HTML page); the page links a feed at " + srv.URL + "/feed.xml, use that URL"},
		{"/fragment", "not a feed (got an HTML page)"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := w.Fetch(t.Context(), news.Feed{Name: "site", URL: srv.URL + tt.path}, news.FeedState{})
			if !errors.Is(err, watchers.ErrNotFeed) {
				t.Fatalf("error %v, want ErrNotFeed", err)
			}
			if !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("error %q, want it to end in %q", err, tt.want)
			}
		})
	}
}

func TestFetchTruncated(t *testing.T) {
	rss := readFixture(t, "rss.xml")
	// Cut inside the second item: the first one is complete and kept.
	cut := bytes.Index(rss, []byte("Council <b>approves"))
	srv := serve(t, newOrigin(rss[:cut]))
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "cut", URL: srv.URL}, news.FeedState{})
	if err != nil {
		t.Fatalf("Fetch of a feed cut after its first item: %v", err)
	}
	if len(f.Items) != 1 || f.Items[0].ID != "gazette-1001" || f.Damage == nil {
		t.Errorf("got %d items (%+v), damage %v; want the first item and the damage", len(f.Items), f.Items, f.Damage)
	}

	// Cut before any item is complete: nothing to keep, an error.
	srv = serve(t, newOrigin(rss[:bytes.Index(rss, []byte("</item>"))]))
	_, err = newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "cut", URL: srv.URL}, news.FeedState{})
	if err == nil {
		t.Fatal("Fetch succeeded on a feed cut inside its first item")
	}
	if !strings.HasPrefix(err.Error(), `watchers: feed "cut": parse `+srv.URL+": ") {
		t.Errorf("error %q lacks the feed and URL", err)
	}
}

func TestFetchFormats(t *testing.T) {
	tests := []struct{ fixture, contentType, firstID string }{
		{"rss.xml", "application/rss+xml", "gazette-1001"},
		{"atom.xml", "application/atom+xml", "tag:observer.example,2024:dam-inspection"},
		{"feed.json", "application/feed+json", "post-77"},
		{"rss.xml", "text/plain", "gazette-1001"}, // Careless labels still parse.
	}
	for _, tt := range tests {
		t.Run(tt.fixture+" as "+tt.contentType, func(t *testing.T) {
			o := newOrigin(readFixture(t, tt.fixture))
			o.contentType = tt.contentType
			srv := serve(t, o)
			f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "n", URL: srv.URL}, news.FeedState{})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) == 0 || f.Items[0].ID != tt.firstID || f.Items[0].Feed != "n" {
				t.Errorf("got %+v, want first ID %q", f.Items, tt.firstID)
			}
		})
	}
}

func TestFetchResolvesRelativeLinks(t *testing.T) {
	srv := serve(t, newOrigin(readFixture(t, "rss.xml")))
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "g", URL: srv.URL + "/feeds/main.xml"}, news.FeedState{})
	if err != nil {
		t.Fatal(err)
	}
	pier := f.Items[1]
	if pier.Link != srv.URL+"/2024/pier" || pier.ID != "/2024/pier" {
		t.Errorf("Link %q, ID %q; want the link resolved and the ID as the feed wrote it", pier.Link, pier.ID)
	}
}

func TestFetchFile(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("testdata", "atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	w := newWatcher(watchers.Options{})
	for _, u := range []string{path, "file://" + filepath.ToSlash(path)} {
		t.Run(u, func(t *testing.T) {
			// Validators mean nothing to a file: it is always parsed.
			f, err := w.Fetch(t.Context(), news.Feed{Name: "local", URL: u}, news.FeedState{ETag: `"x"`, LastModified: "yesterday"})
			if err != nil {
				t.Fatal(err)
			}
			if f.NotModified || f.Status != 0 || len(f.Items) != 2 || f.Items[0].Feed != "local" || f.URL != u {
				t.Errorf("got NotModified %v, Status %d, URL %q, items %+v", f.NotModified, f.Status, f.URL, f.Items)
			}
		})
	}

	t.Run("missing", func(t *testing.T) {
		_, err := w.Fetch(t.Context(), news.Feed{Name: "local", URL: filepath.Join(t.TempDir(), "nope.xml")}, news.FeedState{})
		if err == nil || !strings.HasPrefix(err.Error(), `watchers: feed "local": read `) {
			t.Errorf("error %v, want a read error naming the feed", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		_, err := newWatcher(watchers.Options{MaxBody: 100}).Fetch(t.Context(), news.Feed{Name: "local", URL: path}, news.FeedState{})
		if !errors.Is(err, watchers.ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})
}

// redirector serves the fixture at /feed and redirects the other paths.
func redirector(t *testing.T, o *origin) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/feed", o)
	mux.Handle("/moved", http.RedirectHandler("/feed", http.StatusMovedPermanently))
	mux.Handle("/moved308", http.RedirectHandler("/feed", http.StatusPermanentRedirect))
	mux.Handle("/temp", http.RedirectHandler("/feed", http.StatusFound))
	mux.Handle("/moved-then-temp", http.RedirectHandler("/temp", http.StatusMovedPermanently))
	mux.Handle("/temp-then-moved", http.RedirectHandler("/moved", http.StatusTemporaryRedirect))
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.Handle("/ftp", http.RedirectHandler("ftp://files.example/feed.xml", http.StatusMovedPermanently))
	return serve(t, mux)
}

func TestFetchRedirects(t *testing.T) {
	srv := redirector(t, newOrigin(readFixture(t, "rss.xml")))
	w := newWatcher(watchers.Options{})
	tests := []struct{ path, want string }{
		{"/feed", "/feed"},
		{"/moved", "/feed"},
		{"/moved308", "/feed"},
		{"/temp", "/temp"},
		{"/moved-then-temp", "/temp"},
		{"/temp-then-moved", "/temp-then-moved"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, err := w.Fetch(t.Context(), news.Feed{Name: "r", URL: srv.URL + tt.path}, news.FeedState{})
			if err != nil {
				t.Fatal(err)
			}
			if f.URL != srv.URL+tt.want {
				t.Errorf("URL %q, want %q", f.URL, srv.URL+tt.want)
			}
		})
	}

	for _, tt := range []struct{ path, want string }{
		{"/loop", "stopped after 5 redirects"},
		{"/ftp", `refused redirect to a "ftp" URL`},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, err := w.Fetch(t.Context(), news.Feed{Name: "r", URL: srv.URL + tt.path}, news.FeedState{})
			if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("error %v, want one ending in %q", err, tt.want)
			}
		})
	}
}

func TestFetchConfigURLChanged(t *testing.T) {
	// Two feeds on one server that happen to share an ETag; the state holds
	// the validators of /old, but the config now says /new.
	oldFeed, newFeed := newOrigin(readFixture(t, "rss.xml")), newOrigin(readFixture(t, "atom.xml"))
	oldFeed.etag, newFeed.etag = `"same"`, `"same"`
	mux := http.NewServeMux()
	mux.Handle("/old", oldFeed)
	mux.Handle("/new", newFeed)
	srv := serve(t, mux)

	st := news.FeedState{URL: srv.URL + "/old", ETag: `"same"`}
	f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "n", URL: srv.URL + "/new"}, st)
	if err != nil {
		t.Fatal(err)
	}
	if f.NotModified || len(f.Items) != 2 || f.URL != srv.URL+"/new" {
		t.Fatalf("got NotModified %v, %d items, URL %q; want the new feed's 2 items", f.NotModified, len(f.Items), f.URL)
	}
	if n := newFeed.count(); n != 2 || newFeed.request(1).Get("If-None-Match") != "" {
		t.Errorf("new feed saw %d requests; want a conditional one then an unconditional one", n)
	}
}

func TestFetchCharset(t *testing.T) {
	const title = "Café au lait à Genève"
	latin1 := func(s string) []byte {
		b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	doc := `<rss version="2.0"><channel><title>Été</title><item><title>` + title + `</title><guid>c1</guid></item></channel></rss>`
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"header only", latin1(doc), "application/rss+xml; charset=ISO-8859-1"},
		{"declaration without encoding", latin1(`<?xml version="1.0"?>` + doc), "text/xml; charset=iso-8859-1"},
		{"declaration and header", latin1(`<?xml version="1.0" encoding="ISO-8859-1"?>` + doc), "application/xml; charset=ISO-8859-1"},
		{"declaration only", latin1(`<?xml version="1.0" encoding="ISO-8859-1"?>` + doc), "application/xml"},
		{"utf-8", []byte(doc), "application/rss+xml; charset=utf-8"},
		{"windows-1252 label", latin1(doc), "application/rss+xml; charset=windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrigin(tt.body)
			o.contentType = tt.contentType
			srv := serve(t, o)
			f, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "fr", URL: srv.URL}, news.FeedState{})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 || f.Items[0].Title != title {
				t.Errorf("got %+v, want one item titled %q", f.Items, title)
			}
		})
	}
}

func TestFetchRedactsPassword(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	u := strings.Replace(srv.URL, "http://", "http://reader:hunter2@", 1)
	_, err := newWatcher(watchers.Options{}).Fetch(t.Context(), news.Feed{Name: "p", URL: u}, news.FeedState{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want an error without the password", err)
	}
}
