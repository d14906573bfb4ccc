package watchers

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"herald/news"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxBody     = 10 << 20
	DefaultConcurrency = 8
	// DefaultPerHost is how many feeds of one host are fetched at once.
	DefaultPerHost = 2
	// DefaultMinInterval and DefaultMaxInterval bound the interval of a feed
	// without its own, adapted to how often it publishes.
	DefaultMinInterval = 2 * time.Minute
	DefaultMaxInterval = 6 * time.Hour
	// DefaultInterval is where the adaptive interval of a feed starts before
	// herald has seen it publish.
	DefaultInterval = 15 * time.Minute
	// maxRedirects bounds the redirect chain the default client follows.
	maxRedirects = 5
)

// acceptHeader prefers the feed formats herald parses, and still takes
// generic XML or anything else, since many servers label feeds carelessly.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json;q=0.9, " +
	"application/json;q=0.8, application/xml;q=0.7, text/xml;q=0.7, */*;q=0.1"

// ErrTooLarge reports a feed body larger than Options.MaxBody, counted after
// gzip decoding.
var ErrTooLarge = errors.New("feed is larger than the size limit")

// Options tune fetching; zero values mean the defaults.
type Options struct {
	// Client makes the HTTP requests. The default has a 30 s timeout for the
	// whole request (body included), follows at most 5 redirects, and only
	// to http and https URLs.
	Client *http.Client
	// Timeout bounds one whole fetch (connect, headers and body) made by the
	// default client; 30 s when zero. It is ignored when Client is set.
	Timeout time.Duration
	// UserAgent is sent with every request. The default is
	// "herald/<Version> (+https://github.com/herald; news alerts)".
	UserAgent string
	// Version is herald's version, used in the default User-Agent; "dev" when empty.
	Version string
	// MaxBody caps a feed's size in bytes, after gzip decoding; 10 MiB by default.
	MaxBody int64
	// Concurrency is how many feeds PollAll and Run poll at once; 8 by default.
	Concurrency int
	// PerHost is how many feeds of one host (by host name) are polled at
	// once, within Concurrency; 2 by default. File feeds have no host.
	PerHost int
	// MinInterval and MaxInterval bound the adapted interval of feeds
	// without their own; 2 min and 6 h by default.
	MinInterval, MaxInterval time.Duration
	// AllowPrivate lets untrusted feeds (news.Feed.Untrusted: from an OPML
	// import or a chat) reach loopback, private and link-local addresses.
	// Other feeds always may. It is ignored when Client is set.
	AllowPrivate bool
	// Notices is told when a feed has failed for a day, recovers, or is
	// gone (410); nil: the watcher only logs it.
	Notices Noticer
	// Observer is told about every poll, for metrics; nil: nobody is.
	Observer Observer
	// Clock tells the time for validators, schedules and state; time.Now by default.
	Clock func() time.Time
	// Logger receives a line per failed poll and per permanent redirect; by
	// default nothing is logged.
	Logger *slog.Logger
	// Rand is the source of the scheduling jitter, so tests can seed it.
	// The default is seeded randomly. The watcher serialises its use.
	Rand *rand.Rand
}

// Fetched is the outcome of fetching one feed once.
type Fetched struct {
	// NotModified is set when the server answered 304 Not Modified: there are
	// no items, and the validators sent are still good.
	NotModified bool
	// Items are the parsed items, Feed set to the feed's name, duplicates dropped.
	Items []news.Item
	// ETag and LastModified are the validators of this response; on a 304
	// they are the ones sent, unless the server gave fresh ones.
	ETag, LastModified string
	// URL is where the feed lives: the request URL, or the target of the
	// permanent (301, 308) redirects that were followed before any temporary one.
	URL string
	// Status is the HTTP status, 0 for file feeds.
	Status int
	// Title is the feed's own title; empty on a 304.
	Title string
	// TTL is an RSS feed's <ttl>, and MaxAge how long the response says it
	// stays fresh (Cache-Control max-age, else Expires): hints that polling
	// sooner is pointless. Zero when not given.
	TTL, MaxAge time.Duration
	// Damage says why the document was read only up to its last complete
	// item (it was cut short, or broken after it); nil for a whole one.
	// The poll logs it and goes on with the items kept.
	Damage error
}

// StatusError reports an HTTP response that is neither a success nor a 304.
type StatusError struct {
	// Code is the HTTP status code, and Status the status line text ("404 Not Found").
	Code   int
	Status string
	// RetryAfter is how long the server asked herald to wait (Retry-After on
	// a 429 or 503); zero when it did not say.
	RetryAfter time.Duration
}

// Error names the status and says what to do about it.
func (e *StatusError) Error() string {
	var hint string
	switch c := e.Code; {
	case c == http.StatusNotModified:
		hint = "the server answered a request that had no validators; herald retries later"
	case c >= 300 && c < 400:
		hint = "a redirect that was not followed; put the final feed URL in the config"
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		hint = "the server refuses herald; check the URL, and whether the feed needs a login or blocks bots"
	case c == http.StatusNotFound:
		hint = "there is no feed at this URL; check the feed's url in the config"
	case c == http.StatusGone:
		hint = "the feed was removed; find its new URL or drop it from the config"
	case c == http.StatusTooManyRequests:
		hint = "the server is rate limiting herald; herald backs off, and a longer interval for this feed would help"
	case c >= 500:
		hint = "the server failed; herald retries with backoff, nothing to do unless it persists"
	default:
		hint = "the server rejected the request; check the feed's url in the config"
	}
	status := e.Status
	if status == "" {
		status = strconv.Itoa(e.Code)
	}
	if e.RetryAfter > 0 {
		return fmt.Sprintf("HTTP %s (retry after %s): %s", status, e.RetryAfter, hint)
	}
	return fmt.Sprintf("HTTP %s: %s", status, hint)
}

// defaultClient returns the HTTP client used when Options.Client is nil: a
// transport of its own that keeps as many idle connections per host as the
// watcher polls at once, and, when guard is set, refuses to connect to
// addresses that are not public (see publicAddress).
func defaultClient(timeout time.Duration, perHost, concurrency int, guard bool) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(perHost, 2)
	tr.MaxIdleConns = max(100, 2*concurrency)
	if guard {
		// A proxy would be what the dialer sees; guarded fetches go direct.
		tr.Proxy = nil
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refusePrivate}
		tr.DialContext = d.DialContext
	}
	return &http.Client{Timeout: timeout, CheckRedirect: checkRedirect, Transport: tr}
}

// checkRedirect limits redirects to a few, and to the web: a feed must not
// be able to send herald to another scheme.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("refused redirect to a %q URL", req.URL.Scheme)
	}
	return nil
}

// Fetch fetches and parses one feed once.
//
// An http(s) feed is requested at feed.URL with the validators of st
// (If-None-Match, If-Modified-Since), gzip accepted, and the body capped at
// Options.MaxBody after decoding. A charset named by the Content-Type is
// applied when the document has no byte order mark and does not declare
// its own encoding. If the server answers 304 but the feed now lives
// somewhere other than st.URL (the configured URL was changed), the
// validators belonged to another resource,
// so Fetch asks again without them.
//
// An untrusted feed (feed.Untrusted) may not connect to a non-public
// address unless Options.AllowPrivate is set. Items are cut to the limits
// of Parse, and dates in the future are moved to now (Options.Clock).
//
// A file feed (feed.IsFile) is read from the absolute path feed.URL (a
// file:// URL also works) and always parsed; st is ignored.
//
// Errors name the feed and URL: a *StatusError for a status other than 2xx
// or 304, ErrNotFeed (a *NotFeedError when the page names its feed) for an
// HTML page, ErrTooLarge for an oversized body, ErrPrivateAddress for a
// refused address, and gofeed's reason for a document that does not parse.
// ErrorKind classifies them.
func (w *Watcher) Fetch(ctx context.Context, feed news.Feed, st news.FeedState) (Fetched, error) {
	if feed.IsFile() {
		return w.fetchFile(ctx, feed)
	}
	f, err := w.fetchHTTP(ctx, feed, st)
	if err == nil && f.NotModified && (st.ETag != "" || st.LastModified != "") && st.URL != "" && f.URL != st.URL {
		st.ETag, st.LastModified = "", ""
		f, err = w.fetchHTTP(ctx, feed, st)
	}
	return f, err
}

// fetchFile reads and parses a feed file.
func (w *Watcher) fetchFile(ctx context.Context, feed news.Feed) (Fetched, error) {
	path := feed.URL
	if strings.HasPrefix(path, "file://") {
		u, err := url.Parse(path)
		if err != nil {
			return Fetched{}, fmt.Errorf("watchers: feed %q: read %s: %w", feed.Name, feed.URL, err)
		}
		path = u.Path
	}
	if err := ctx.Err(); err != nil {
		return Fetched{}, fmt.Errorf("watchers: feed %q: read %s: %w", feed.Name, path, err)
	}
	data, err := readFile(path, w.maxBody)
	if err != nil {
		return Fetched{}, fmt.Errorf("watchers: feed %q: read %s: %w", feed.Name, path, withKind(KindRead, err))
	}
	p, err := parse(data, feed.Name, nil, w.now())
	if err != nil {
		return Fetched{}, fmt.Errorf("watchers: feed %q: parse %s: %w", feed.Name, path, withKind(KindParse, err))
	}
	return Fetched{Items: p.items, URL: feed.URL, Title: p.title, TTL: p.ttl, Damage: p.damage}, nil
}

// readFile reads at most max bytes of the file at path.
func readFile(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return readCapped(fh, max)
}

// readBody reads a response's body, gzip-decoded, failing with ErrTooLarge
// past max bytes after decoding (and before reading, when Content-Length
// already says so). Feeds and article pages share it, so both keep the limit.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max && resp.Header.Get("Content-Encoding") == "" {
		return nil, fmt.Errorf("%w of %d bytes (Content-Length %d)", ErrTooLarge, max, resp.ContentLength)
	}
	var body io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, withKind(KindDecode, fmt.Errorf("decode gzip body: %w", err))
		}
		defer zr.Close()
		body = zr
	default:
		return nil, withKind(KindDecode, fmt.Errorf("unsupported Content-Encoding %q", enc))
	}
	data, err := readCapped(body, max)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return data, nil
}

// readCapped reads r to the end, failing with ErrTooLarge past max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w of %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// fetchHTTP makes one conditional GET and parses the answer.
func (w *Watcher) fetchHTTP(ctx context.Context, feed news.Feed, st news.FeedState) (Fetched, error) {
	shown := redact(feed.URL)
	fail := func(err error) (Fetched, error) {
		return Fetched{}, fmt.Errorf("watchers: feed %q: fetch %s: %w", feed.Name, shown, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feed.URL, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("User-Agent", w.userAgent)
	req.Header.Set("Accept", acceptHeader)
	// Asking for gzip ourselves turns off the transport's transparent
	// decoding, so the size cap below counts decoded bytes either way.
	req.Header.Set("Accept-Encoding", "gzip")
	conditional := false
	if st.ETag != "" {
		req.Header.Set("If-None-Match", st.ETag)
		conditional = true
	}
	if st.LastModified != "" {
		req.Header.Set("If-Modified-Since", st.LastModified)
		conditional = true
	}

	client := w.client
	if feed.Untrusted {
		client = w.guarded
	}
	resp, err := client.Do(req)
	if err != nil {
		// The *url.Error repeats the method and URL, already in our prefix.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fail(err)
	}
	defer resp.Body.Close()

	out := Fetched{Status: resp.StatusCode, URL: permanentURL(resp, feed.URL), MaxAge: freshFor(resp.Header, w.now())}
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		out.NotModified = true
		out.ETag = firstNonEmpty(resp.Header.Get("ETag"), st.ETag)
		out.LastModified = firstNonEmpty(resp.Header.Get("Last-Modified"), st.LastModified)
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		se := &StatusError{Code: resp.StatusCode, Status: resp.Status}
		if se.Code == http.StatusTooManyRequests || se.Code == http.StatusServiceUnavailable {
			se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), w.now())
		}
		return fail(se)
	}

	data, err := readBody(resp, w.maxBody)
	if err != nil {
		return fail(err)
	}
	contentType := resp.Header.Get("Content-Type")
	data, err = toUTF8(data, contentType)
	if err != nil {
		return fail(withKind(KindDecode, err))
	}

	p, err := parse(data, feed.Name, resp.Request.URL, w.now())
	if err != nil {
		if isHTMLType(contentType) && errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			// An HTML page that did not sniff as one (a fragment, say).
			err = ErrNotFeed
		}
		return Fetched{}, fmt.Errorf("watchers: feed %q: parse %s: %w", feed.Name, shown, withKind(KindParse, err))
	}
	out.Items, out.Title, out.TTL, out.Damage = p.items, p.title, p.ttl, p.damage
	out.ETag = resp.Header.Get("ETag")
	out.LastModified = resp.Header.Get("Last-Modified")
	return out, nil
}

// isHTMLType reports whether a Content-Type header announces HTML.
func isHTMLType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// permanentURL returns the URL the feed permanently lives at: requested,
// moved along each 301 or 308 redirect up to the first temporary one (a 302
// or 307 says nothing about where the feed lives). Without a permanent
// redirect it is requested verbatim, not as net/url would spell it again, so
// that it compares equal to the configured URL.
func permanentURL(resp *http.Response, requested string) string {
	// Walk back from the last request: req.Response is the redirect that led to it.
	var chain []*http.Request
	for req := resp.Request; req != nil; {
		chain = append(chain, req)
		if req.Response == nil {
			break
		}
		req = req.Response.Request
	}
	// chain[len-1] is the first request.
	u := requested
	for i := len(chain) - 2; i >= 0; i-- {
		code := chain[i].Response.StatusCode
		if code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
			break
		}
		u = chain[i].URL.String()
	}
	return u
}

// retryAfter parses a Retry-After header, given in seconds or as an HTTP
// date, into a delay from now; zero when absent or unparsable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// freshFor returns how long a response says it stays fresh: its
// Cache-Control max-age, else its Expires date less its Date (or now); zero
// when it says nothing, forbids caching, or is already stale.
func freshFor(h http.Header, now time.Time) time.Duration {
	for _, cc := range h.Values("Cache-Control") {
		for dir := range strings.SplitSeq(cc, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(k) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
				if err != nil || n <= 0 {
					return 0
				}
				return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
			}
		}
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0
	}
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0 // "0" and other invalid dates mean already expired.
	}
	base := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		base = d
	}
	return min(max(t.Sub(base), 0), maxRetryAfter)
}

// redact hides a password in a URL's user info, so that it never reaches
// logs or error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// firstNonEmpty returns the first non-empty string of ss.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
