package watchers_test

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"herald/watchers"
)

// articlePage is a news page of our own: the story among navigation, a
// search form, an ad, share buttons, a figure, related links, a newsletter
// box, a footer and a script.
func articlePage(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pageServer serves body with the given Content-Type and records the
// request headers.
type pageServer struct {
	mu      sync.Mutex
	headers []http.Header
	body    []byte
	ctype   string
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.headers = append(p.headers, r.Header.Clone())
	p.mu.Unlock()
	if p.ctype != "" {
		w.Header().Set("Content-Type", p.ctype)
	}
	w.Write(p.body)
}

func TestFullText(t *testing.T) {
	ps := &pageServer{body: articlePage(t), ctype: "text/html; charset=utf-8"}
	srv := serve(t, ps)
	w := newWatcher(watchers.Options{UserAgent: "herald-test/1"})
	got, err := w.FullText(t.Context(), "harbour", srv.URL+"/port/strike")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Dockworkers at the Harbour container terminal walked off the job",
		"“Our members are not against machines.",
		"City councillor Mira Laine urged both sides",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("article lacks %q:\n%s", want, got)
		}
	}
	for _, junk := range []string{"Search the Gazette", "Share on X", "tracking pixel", "Related stories", "Sign up now", "All rights reserved", "cheap ferry tickets", "<script"} {
		if strings.Contains(got, junk) {
			t.Errorf("article keeps %q:\n%s", junk, got)
		}
	}
	h := ps.headers[0]
	if ua := h.Get("User-Agent"); ua != "herald-test/1" {
		t.Errorf("User-Agent %q, want the watcher's", ua)
	}
	if acc := h.Get("Accept"); !strings.HasPrefix(acc, "text/html") {
		t.Errorf("Accept %q, want HTML first", acc)
	}
	if enc := h.Get("Accept-Encoding"); enc != "gzip" {
		t.Errorf("Accept-Encoding %q, want gzip", enc)
	}
}

func TestFullTextGzip(t *testing.T) {
	page := articlePage(t)
	compressed := gzipped(t, page)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compressed)
	}))
	got, err := newWatcher(watchers.Options{}).FullText(t.Context(), "harbour", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Pieter Aalto") {
		t.Errorf("gzipped page not decoded:\n%s", got)
	}
	// The cap counts decoded bytes: a page that inflates past it fails.
	if _, err := newWatcher(watchers.Options{MaxBody: int64(len(compressed) + 100)}).FullText(t.Context(), "harbour", srv.URL); !errors.Is(err, watchers.ErrTooLarge) {
		t.Errorf("inflated page over the cap: %v, want ErrTooLarge", err)
	}
}

func TestFullTextCharset(t *testing.T) {
	page := strings.Replace(string(articlePage(t)), "City councillor Mira Laine", "City councillor Mira Lainé", 1)
	latin, err := charmap.Windows1252.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	// The charset named far down the head, past the first kilobyte.
	inHead := strings.Replace(latin, "</head>", strings.Repeat("<!-- padding -->", 80)+`<meta charset="windows-1252"></head>`, 1)
	tests := []struct {
		name, ctype, body string
	}{
		{"from the header", "text/html; charset=windows-1252", latin},
		{"from a late meta tag", "text/html", inHead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, &pageServer{body: []byte(tt.body), ctype: tt.ctype})
			got, err := newWatcher(watchers.Options{}).FullText(t.Context(), "harbour", srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, "Mira Lainé") {
				t.Errorf("charset not applied:\n%s", got)
			}
		})
	}
}

func TestFullTextFailures(t *testing.T) {
	page := articlePage(t)
	const limit = 1024
	huge := serve(t, &pageServer{body: page, ctype: "text/html"})
	chunked := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for chunk := range slices(page, 1000) {
			w.Write(chunk)
			w.(http.Flusher).Flush() // No Content-Length: the cap must hold while reading.
		}
	}))
	missing := serve(t, http.NotFoundHandler())
	pdf := serve(t, &pageServer{body: []byte("%PDF-1.7\n..."), ctype: "application/pdf"})
	untyped := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // no type: sniffed
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	}))
	empty := serve(t, &pageServer{body: []byte("<html><body><nav>Home</nav></body></html>"), ctype: "text/html"})
	slow := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))

	tests := []struct {
		name  string
		opts  watchers.Options
		url   string
		check func(error) bool
	}{
		{"oversized with Content-Length", watchers.Options{MaxBody: limit}, huge.URL, func(err error) bool { return errors.Is(err, watchers.ErrTooLarge) }},
		{"oversized chunked", watchers.Options{MaxBody: limit}, chunked.URL, func(err error) bool { return errors.Is(err, watchers.ErrTooLarge) }},
		{"not found", watchers.Options{}, missing.URL, func(err error) bool {
			se, ok := errors.AsType[*watchers.StatusError](err)
			return ok && se.Code == http.StatusNotFound
		}},
		{"a PDF", watchers.Options{}, pdf.URL, func(err error) bool { return errors.Is(err, watchers.ErrNotHTML) }},
		{"an image without a type", watchers.Options{}, untyped.URL, func(err error) bool { return errors.Is(err, watchers.ErrNotHTML) }},
		{"no article", watchers.Options{}, empty.URL, func(err error) bool { return errors.Is(err, watchers.ErrNoArticle) }},
		{"timeout", watchers.Options{Timeout: 50 * time.Millisecond}, slow.URL, func(err error) bool { return err != nil }},
		{"not http", watchers.Options{}, "file:///etc/passwd", func(err error) bool { return err != nil && strings.Contains(err.Error(), `"file" URL`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newWatcher(tt.opts).FullText(t.Context(), "harbour", tt.url)
			if !tt.check(err) {
				t.Fatalf("FullText() = %q, %v", got, err)
			}
			if got != "" {
				t.Errorf("FullText() returned text with an error: %q", got)
			}
			if !strings.HasPrefix(err.Error(), `watchers: feed "harbour": full text `) {
				t.Errorf("error %q lacks the feed and URL", err)
			}
		})
	}

	// Under the cap, the same page is fine.
	if _, err := newWatcher(watchers.Options{MaxBody: int64(2 * len(page))}).FullText(t.Context(), "harbour", chunked.URL); err != nil {
		t.Errorf("page under the cap: %v", err)
	}
}

func TestFullTextRedactsPassword(t *testing.T) {
	srv := serve(t, http.NotFoundHandler())
	link := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1)
	_, err := newWatcher(watchers.Options{}).FullText(t.Context(), "harbour", link)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v, want one without the password", err)
	}
}

func TestExtractArticleRelativeLinks(t *testing.T) {
	page := strings.Replace(string(articlePage(t)), "walked off the job", `walked off the <a href="/jobs">job</a>`, 1)
	base, err := url.Parse("https://gazette.example/port/strike")
	if err != nil {
		t.Fatal(err)
	}
	got, err := watchers.ExtractArticle([]byte(page), "text/html", base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `href="https://gazette.example/jobs"`) {
		t.Errorf("relative link not resolved:\n%s", got)
	}
}
