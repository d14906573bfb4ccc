package watchers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// htmlAccept asks for a web page, the only thing an article link should give.
const htmlAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// maxArticleElements bounds the elements go-readability scores. Its work grows
// faster than linearly with the size of the page, and a page with more
// elements than this is an index or an app, not an article.
const maxArticleElements = 50000

// minArticleText is the least text, in characters, that counts as an
// article: less is a navigation bar or a cookie notice that go-readability
// settled for, and the feed's teaser is worth as much.
const minArticleText = 200

// Errors of FullText that callers may tell apart. Every error of FullText
// means the same to the alert pipeline (use the feed's text instead); these
// say why, for the log.
var (
	// ErrNotHTML reports an article link that answered with something other
	// than an HTML page (a PDF, an image, a JSON document).
	ErrNotHTML = errors.New("not an HTML page")
	// ErrNoArticle reports a page in which go-readability found no article
	// text (a front page, a paywall, a page built by scripts).
	ErrNoArticle = errors.New("no article text in the page")
)

// FullText fetches the article page at link, found in an item of the named
// feed, and returns the article extracted from it by go-readability, as HTML
// (the paragraphs of the article, with scripts, navigation, share widgets and
// the like left out). It is for feeds that carry only a teaser: the caller
// turns the HTML into text as it does with the feed's own content, and falls
// back to the feed's content on any error.
//
// The page is fetched the way feeds are: with the watcher's HTTP client (its
// timeout and redirect policy), its User-Agent, gzip accepted and the body
// capped at Options.MaxBody after decoding; ctx cancels the request. Only
// http and https links are fetched, and the links of an untrusted feed
// (one polled with news.Feed.Untrusted) no more than the feed itself may
// reach private addresses. The page's charset is taken from the
// Content-Type header, a byte order mark or a <meta> tag.
//
// Errors start with "watchers: feed <name>: full text <url>:" and wrap a
// *StatusError for a status other than 2xx, ErrTooLarge for an oversized
// page, ErrNotHTML for a response that is not a web page and ErrNoArticle
// for a page without article text.
func (w *Watcher) FullText(ctx context.Context, feedName, link string) (string, error) {
	shown := redact(link)
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("watchers: feed %q: full text %s: %w", feedName, shown, err)
	}
	u, err := url.Parse(link)
	if err != nil {
		return fail(err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fail(fmt.Errorf("refused a %q URL; only http and https pages are fetched", u.Scheme))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("User-Agent", w.userAgent)
	req.Header.Set("Accept", htmlAccept)
	// As in fetchHTTP: decoding gzip ourselves makes the cap count decoded bytes.
	req.Header.Set("Accept-Encoding", "gzip")

	client := w.client
	if _, ok := w.untrusted.Load(feedName); ok {
		client = w.guarded // the feed's links are no more trusted than the feed
	}
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fail(err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Code: resp.StatusCode, Status: resp.Status}
		if se.Code == http.StatusTooManyRequests || se.Code == http.StatusServiceUnavailable {
			se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), w.now())
		}
		return fail(se)
	}
	contentType := resp.Header.Get("Content-Type")
	if !maybeHTMLType(contentType) {
		return fail(fmt.Errorf("%w (Content-Type %q)", ErrNotHTML, contentType))
	}
	data, err := readBody(resp, w.maxBody)
	if err != nil {
		return fail(err)
	}
	if contentType == "" && !strings.HasPrefix(http.DetectContentType(data), "text/html") {
		return fail(ErrNotHTML)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	out, err := ExtractArticle(data, contentType, resp.Request.URL)
	if err != nil {
		return fail(err)
	}
	return out, nil
}

// maybeHTMLType reports whether a Content-Type may be a web page: HTML, or
// no type at all (the body is sniffed then).
func maybeHTMLType(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// pageEncoding tells the encoding of an HTML page: a byte order mark or the
// charset of the Content-Type header if there is one; else UTF-8 when the page
// is valid UTF-8; else the charset of a <meta> tag in the head (which many
// pages put after a kilobyte of scripts, past the window that
// charset.DetermineEncoding looks at); else windows-1252.
func pageEncoding(page []byte, contentType string) encoding.Encoding {
	enc, _, certain := charset.DetermineEncoding(page, contentType)
	if certain {
		return enc
	}
	if utf8.Valid(page) {
		return encoding.Nop
	}
	if e := metaCharset(page); e != nil {
		return e
	}
	return enc
}

// metaCharset returns the encoding a <meta charset> or <meta http-equiv
// content-type> tag names before the page's body, or nil.
func metaCharset(page []byte) encoding.Encoding {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return nil
			case "meta":
			default:
				continue
			}
			var label, content string
			equiv := false
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "charset":
					label = string(v)
				case "http-equiv":
					equiv = strings.EqualFold(string(v), "content-type")
				case "content":
					content = string(v)
				}
			}
			if label == "" && equiv {
				if _, params, err := mime.ParseMediaType(content); err == nil {
					label = params["charset"]
				}
			}
			if label != "" {
				if e, _ := charset.Lookup(label); e != nil {
					return e
				}
			}
		}
	}
}

// ExtractArticle extracts the article from an HTML page with go-readability
// and returns it as HTML. contentType is the page's Content-Type header, if
// any, whose charset applies unless the page has a byte order mark; pageURL,
// which may be nil, makes relative links absolute. It fails with ErrNoArticle
// when the page holds no article text, or less than 200 characters of it.
func ExtractArticle(page []byte, contentType string, pageURL *url.URL) (string, error) {
	doc, err := html.Parse(pageEncoding(page, contentType).NewDecoder().Reader(bytes.NewReader(page)))
	if err != nil {
		return "", fmt.Errorf("parse page: %w", err)
	}
	p := readability.NewParser()
	p.MaxElemsToParse = maxArticleElements
	art, err := p.ParseAndMutate(doc, pageURL)
	if err != nil {
		return "", fmt.Errorf("extract article: %w", err)
	}
	if art.Node == nil {
		return "", ErrNoArticle
	}
	var b strings.Builder
	if err := art.RenderHTML(&b); err != nil {
		return "", fmt.Errorf("render article: %w", err)
	}
	var text strings.Builder
	if err := art.RenderText(&text); err != nil || utf8.RuneCountInString(strings.Join(strings.Fields(text.String()), " ")) < minArticleText {
		return "", ErrNoArticle
	}
	return b.String(), nil
}
