package watchers

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"herald/news"
)

// ErrNotFeed reports that a URL or file holds an HTML page rather than a feed,
// the most common mistake when configuring a feed (the site's front page was
// given instead of its RSS link).
var ErrNotFeed = errors.New("not a feed (got an HTML page)")

// errEmpty reports a document with nothing but white space in it.
var errEmpty = errors.New("empty document")

// Parse parses RSS, Atom or JSON Feed bytes into items, in feed order, with
// Item.Feed set to feedName. An item whose ID was already seen earlier in the
// same document is dropped. XML encoding declarations are honoured; bytes
// without one are taken as UTF-8.
func Parse(data []byte, feedName string) ([]news.Item, error) {
	items, err := parse(data, feedName, nil)
	if err != nil {
		return nil, fmt.Errorf("watchers: parse: %w", err)
	}
	return items, nil
}

// parse does the work of Parse without wrapping its errors, so that Fetch can
// wrap them once with the feed and URL. Relative links are resolved against
// base when it is non-nil.
func parse(data []byte, feedName string, base *url.URL) ([]news.Item, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errEmpty
	}
	if looksLikeHTML(data) {
		return nil, notFeedError(data, base)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("%w: the document is not RSS, Atom or JSON Feed", err)
		}
		return nil, err
	}
	return convert(f, feedName, base), nil
}

// convert maps gofeed's universal items to news.Items.
func convert(f *gofeed.Feed, feedName string, base *url.URL) []news.Item {
	feedAuthors := personNames(f.Authors, f.Author)
	items := make([]news.Item, 0, len(f.Items))
	seen := make(map[string]bool, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		title := plainText(it.Title)
		content := it.Content
		if strings.TrimSpace(content) == "" {
			content = it.Description
		}
		link := strings.TrimSpace(it.Link)
		// The ID uses the link as the feed wrote it, so that it stays stable
		// when the feed moves and relative links resolve differently.
		id := news.ItemID(it.GUID, link, title, content)
		if seen[id] {
			continue
		}
		seen[id] = true

		authors := personNames(it.Authors, it.Author)
		if len(authors) == 0 {
			authors = feedAuthors
		}
		item := news.Item{
			Feed:       feedName,
			ID:         id,
			Title:      title,
			Link:       resolve(base, link),
			Authors:    authors,
			Categories: nonEmpty(it.Categories),
			Content:    content,
		}
		switch {
		case it.PublishedParsed != nil:
			item.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			item.Published = it.UpdatedParsed.UTC()
		}
		items = append(items, item)
	}
	return items
}

// personNames returns the non-empty names of people, else the name of the
// single (deprecated) person gofeed also fills in, else nil.
func personNames(people []*gofeed.Person, single *gofeed.Person) []string {
	var names []string
	for _, p := range people {
		if p != nil {
			if n := strings.TrimSpace(p.Name); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 && single != nil {
		if n := strings.TrimSpace(single.Name); n != "" {
			names = []string{n}
		}
	}
	return names
}

// nonEmpty returns the trimmed non-empty strings of ss, or nil when there are none.
func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// resolve makes link absolute against base. A link that does not parse is
// returned as it is: it is the feed's business, not a reason to drop the item.
func resolve(base *url.URL, link string) string {
	if base == nil || link == "" {
		return link
	}
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() {
		return link
	}
	return base.ResolveReference(u).String()
}

// plainText trims s and folds its white space to single spaces. Titles are
// meant to be plain text, but feeds do put markup in them (in CDATA, or as an
// Atom type="html" title), so anything that looks like a tag is stripped.
func plainText(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 && strings.IndexByte(s[i:], '>') > 0 {
		var b strings.Builder
		z := html.NewTokenizer(strings.NewReader(s))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt == html.TextToken {
				b.Write(z.Text())
			}
		}
		s = b.String()
	}
	return strings.Join(strings.Fields(s), " ")
}

// trimLeading drops a UTF-8 byte order mark and leading white space.
func trimLeading(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(data, " \t\r\n")
}

// looksLikeHTML reports whether the document starts like an HTML page.
func looksLikeHTML(data []byte) bool {
	head := trimLeading(data)
	if len(head) > 512 {
		head = head[:512]
	}
	head = bytes.ToLower(head)
	// Skip an XML declaration and comments, which XHTML pages may carry.
	for {
		switch {
		case bytes.HasPrefix(head, []byte("<?xml")):
			i := bytes.Index(head, []byte("?>"))
			if i < 0 {
				return false
			}
			head = bytes.TrimLeft(head[i+2:], " \t\r\n")
			continue
		case bytes.HasPrefix(head, []byte("<!--")):
			i := bytes.Index(head, []byte("-->"))
			if i < 0 {
				return false
			}
			head = bytes.TrimLeft(head[i+3:], " \t\r\n")
			continue
		}
		break
	}
	return bytes.HasPrefix(head, []byte("<!doctype html")) ||
		bytes.HasPrefix(head, []byte("<html")) ||
		bytes.HasPrefix(head, []byte("<head")) ||
		bytes.HasPrefix(head, []byte("<body"))
}

// notFeedError returns ErrNotFeed, naming the feed the page advertises with
// <link rel="alternate" type="application/rss+xml" href="..."> when it has one:
// that is almost always the URL the user meant.
func notFeedError(page []byte, base *url.URL) error {
	href := feedLink(page)
	if href == "" {
		return ErrNotFeed
	}
	return fmt.Errorf("%w; the page links a feed at %s, use that URL", ErrNotFeed, resolve(base, href))
}

// feedLink finds the first feed advertised in an HTML page's head.
func feedLink(page []byte) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "link":
			default:
				continue
			}
			var rel, typ, href string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = strings.TrimSpace(string(v))
				}
			}
			if href == "" || !strings.Contains(" "+rel+" ", " alternate ") {
				continue
			}
			switch typ {
			case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json":
				return href
			}
		}
	}
}

// decodeCharset converts body to UTF-8 when the HTTP Content-Type names
// another charset and the document does not declare its own encoding. An XML
// declaration with an encoding, or a byte order mark, takes precedence:
// gofeed honours those itself, and decoding twice would garble the text.
func decodeCharset(body []byte, contentType string) ([]byte, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return body, nil // A malformed header says nothing reliable; parse as is.
	}
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return body, nil
	}
	if hasBOM(body) || declaresEncoding(body) {
		return body, nil
	}
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return body, nil // Unknown label: UTF-8 is the best guess left.
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode charset %q: %w", label, err)
	}
	return out, nil
}

// hasBOM reports whether body starts with a UTF-8 or UTF-16 byte order mark.
func hasBOM(body []byte) bool {
	return bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) ||
		bytes.HasPrefix(body, []byte("\xfe\xff")) ||
		bytes.HasPrefix(body, []byte("\xff\xfe"))
}

// declaresEncoding reports whether body starts with an XML declaration that
// names an encoding.
func declaresEncoding(body []byte) bool {
	head := trimLeading(body)
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return false
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return false
	}
	return bytes.Contains(head[:end], []byte("encoding"))
}
