package watchers_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"herald/news"
	"herald/watchers"
)

// fuzzBody is one response FuzzFetchParse serves.
type fuzzBody struct {
	body        []byte
	contentType string
	mode        uint8
}

// FuzzFetchParse sends arbitrary bytes, with an arbitrary Content-Type and
// one of a few ways of serving them (plain, gzip, with caching headers,
// chunked), through the whole fetch-and-parse path. Whatever arrives, Fetch
// must not panic, and must either fail with an error that names the feed or
// hand on items that keep the promises: an ID each, unique, the feed's name,
// no date in the future, content and counts within the limits.
func FuzzFetchParse(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json", "page.html", "article.html"} {
		data := readFixture(f, name)
		f.Add(data, "application/rss+xml; charset=utf-8", uint8(0))
		f.Add(data, "text/html", uint8(1))
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><guid>a</guid><title>x</title></item><item><guid>a</guid><title>y</title></item></channel></rss>`), "text/xml", uint8(2))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><item><title>Caf\xe9</title></item></channel></rss>"), "text/xml; charset=windows-1252", uint8(3))
	f.Add([]byte("<rss version=\"2.0\"><channel><item><title>Caf\xe9</title><pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item></channel></rss>"), "text/xml; charset=iso-8859-1", uint8(0))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","content_text":"x","date_published":"2999-01-01T00:00:00Z"}]}`), "application/feed+json", uint8(1))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title type="html">&lt;b&gt;x</title></entry>`), "application/atom+xml", uint8(0))
	f.Add([]byte(""), "", uint8(0))
	f.Add([]byte("\xef\xbb\xbf   \n"), "text/plain", uint8(2))

	var (
		bodies sync.Map
		next   atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := bodies.Load(strings.TrimPrefix(r.URL.Path, "/"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fb := v.(fuzzBody)
		w.Header().Set("Content-Type", fb.contentType)
		body := fb.body
		switch fb.mode % 4 {
		case 1:
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(body)
			zw.Close()
			body = b.Bytes()
			w.Header().Set("Content-Encoding", "gzip")
		case 2:
			w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(len(body)))
			w.Header().Set("Expires", string(body[:min(len(body), 40)]))
			w.Header().Set("ETag", `"x"`)
		case 3:
			// Chunked: no Content-Length, written in pieces.
			for len(body) > 0 {
				n := min(len(body), 7)
				w.Write(body[:n])
				w.(http.Flusher).Flush()
				body = body[n:]
			}
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	f.Cleanup(srv.Close)
	w := newWatcher(watchers.Options{MaxBody: 256 << 10, Timeout: 10 * time.Second})

	f.Fuzz(func(t *testing.T, body []byte, contentType string, mode uint8) {
		id := strconv.FormatInt(next.Add(1), 10)
		bodies.Store(id, fuzzBody{body: body, contentType: contentType, mode: mode})
		defer bodies.Delete(id)
		got, err := w.Fetch(t.Context(), news.Feed{Name: "fuzz", URL: srv.URL + "/" + id}, news.FeedState{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), `watchers: feed "fuzz": `) {
				t.Errorf("error %q does not name the feed", err)
			}
			if watchers.ErrorKind(err) == "" {
				t.Errorf("error %q has no kind", err)
			}
			return
		}
		if len(got.Items) > watchers.MaxItems {
			t.Errorf("%d items, more than %d", len(got.Items), watchers.MaxItems)
		}
		seen := map[string]bool{}
		for _, it := range got.Items {
			if it.ID == "" || seen[it.ID] {
				t.Errorf("item ID %q empty or repeated", it.ID)
			}
			seen[it.ID] = true
			if it.Feed != "fuzz" {
				t.Errorf("item of feed %q", it.Feed)
			}
			if it.Published.After(t0) {
				t.Errorf("item dated %v, after now (%v)", it.Published, t0)
			}
			if len(it.Content) > watchers.MaxItemContent || len(it.Title) > 1000 || len(it.Link) > 4096 {
				t.Errorf("item of %d content bytes, %d title bytes and %d link bytes, over the limits", len(it.Content), len(it.Title), len(it.Link))
			}
			// A title is one line of plain text: valid UTF-8, white space
			// folded, no control characters.
			if !utf8.ValidString(it.Title) || strings.TrimSpace(it.Title) != it.Title || strings.Contains(it.Title, "  ") ||
				strings.ContainsFunc(it.Title, unicode.IsControl) {
				t.Errorf("title %q is not one line of plain text", it.Title)
			}
			if !utf8.ValidString(it.Link) || strings.ContainsAny(it.Link, " \t\r\n") {
				t.Errorf("link %q has white space or invalid UTF-8", it.Link)
			}
		}
	})
}
