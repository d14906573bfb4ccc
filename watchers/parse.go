package watchers

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"herald/news"
)

// ErrNotFeed reports that a URL or file holds an HTML page rather than a feed,
// the most common mistake when configuring a feed (the site's front page was
// given instead of its RSS link). When the page advertises a feed, the error
// is a *NotFeedError that names it.
var ErrNotFeed = errors.New("not a feed (got an HTML page)")

// NotFeedError is ErrNotFeed for a page that advertises a feed with
// <link rel="alternate" type="application/rss+xml" href="...">.
type NotFeedError struct {
	// Alternate is the advertised feed's URL, resolved against the page's.
	Alternate string
}

// Error suggests the advertised feed.
func (e *NotFeedError) Error() string {
	return fmt.Sprintf("%v; the page links a feed at %s, use that URL", ErrNotFeed, e.Alternate)
}

// Is makes errors.Is(err, ErrNotFeed) hold.
func (e *NotFeedError) Is(target error) bool { return target == ErrNotFeed }

// errEmpty reports a document with nothing but white space in it.
var errEmpty = errors.New("empty document")

// Limits on what one feed document may hand on. A feed is capped as a whole
// by Options.MaxBody; these keep one gigantic item, or an archive of
// thousands, from costing every later stage (matching, summaries, storage)
// more than a news item is worth.
const (
	// MaxItems is how many items of one document are kept: the newest ones.
	MaxItems = 1000
	// MaxItemContent caps an item's content, in bytes; the rest is cut at a
	// character boundary.
	MaxItemContent = 256 << 10
	// maxTitle, maxLink, maxNames and maxName cap the small fields.
	maxTitle = 1000
	maxLink  = 4096
	maxNames = 50
	maxName  = 200
)

// Parse parses RSS, Atom or JSON Feed bytes into items, in feed order, with
// Item.Feed set to feedName. An item whose ID was already seen earlier in the
// same document is dropped. XML encoding declarations are honoured; bytes
// without one are taken as UTF-8. Dates in the future are moved to now, and
// items are cut to the limits above.
func Parse(data []byte, feedName string) ([]news.Item, error) {
	p, err := parse(data, feedName, nil, time.Now())
	if err != nil {
		return nil, fmt.Errorf("watchers: parse: %w", err)
	}
	return p.items, nil
}

// parsed is what parse makes of a feed document.
type parsed struct {
	items []news.Item
	// title is the feed's own title.
	title string
	// ttl is an RSS feed's <ttl>: how long it may be cached.
	ttl time.Duration
}

// parse does the work of Parse without wrapping its errors, so that Fetch can
// wrap them once with the feed and URL. Relative links are resolved against
// base when it is non-nil; now is the time dates may not be later than.
func parse(data []byte, feedName string, base *url.URL, now time.Time) (parsed, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return parsed{}, errEmpty
	}
	if looksLikeHTML(data) {
		return parsed{}, notFeedError(data, base)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return parsed{}, fmt.Errorf("%w: the document is not RSS, Atom or JSON Feed", err)
		}
		return parsed{}, err
	}
	p := parsed{items: convert(f, feedName, base, now), title: capString(plainText(f.Title), maxTitle)}
	if f.FeedType == "rss" {
		p.ttl = rssTTL(data)
	}
	return p, nil
}

// ttlElement finds an RSS channel's <ttl>, given in minutes.
var ttlElement = regexp.MustCompile(`<ttl>\s*([0-9]{1,7})\s*</ttl>`)

// rssTTL returns the <ttl> of an RSS channel, looked for before its first
// item (gofeed does not hand it on); zero when there is none.
func rssTTL(data []byte) time.Duration {
	head := data
	if i := bytes.Index(head, []byte("<item")); i >= 0 {
		head = head[:i]
	}
	m := ttlElement.FindSubmatch(head)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return 0
	}
	return time.Duration(n) * time.Minute
}

// convert maps gofeed's universal items to news.Items.
func convert(f *gofeed.Feed, feedName string, base *url.URL, now time.Time) []news.Item {
	feedAuthors := personNames(f.Authors, f.Author)
	items := make([]news.Item, 0, len(f.Items))
	seen := make(map[string]bool, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		title := capString(plainText(it.Title), maxTitle)
		content := it.Content
		if strings.TrimSpace(content) == "" {
			content = it.Description
		}
		content = capString(content, MaxItemContent)
		link := strings.TrimSpace(it.Link)
		if len(link) > maxLink {
			link = ""
		}
		// The ID uses the link as the feed wrote it, so that it stays stable
		// when the feed moves and relative links resolve differently. An
		// overlong GUID is hashed with the rest, as if it were missing.
		guid := it.GUID
		if len(guid) > maxLink {
			guid = ""
		}
		id := news.ItemID(guid, link, title, content)
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
			Authors:    capNames(authors),
			Categories: capNames(nonEmpty(it.Categories)),
			Content:    content,
		}
		switch {
		case it.PublishedParsed != nil:
			item.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			item.Published = it.UpdatedParsed.UTC()
		}
		// A date in the future is a time zone mistake or a lie; either way
		// the item is news now, and must not sort ahead of everything else.
		if item.Published.After(now) {
			item.Published = now.UTC()
		}
		items = append(items, item)
	}
	if len(items) > MaxItems {
		items = newest(items, MaxItems)
	}
	return items
}

// newest keeps the n newest items, in feed order. Undated items count as
// older than any dated one, so that an archive listed oldest first still
// yields its latest items.
func newest(items []news.Item, n int) []news.Item {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return items[order[a]].Published.After(items[order[b]].Published) })
	keep := order[:n]
	sort.Ints(keep)
	out := make([]news.Item, 0, n)
	for _, i := range keep {
		out = append(out, items[i])
	}
	return out
}

// capString cuts s to at most max bytes, at a character boundary.
func capString(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// capNames keeps at most maxNames names, each cut to maxName bytes.
func capNames(names []string) []string {
	if len(names) > maxNames {
		names = names[:maxNames]
	}
	for i, n := range names {
		names[i] = capString(n, maxName)
	}
	return names
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
	return &NotFeedError{Alternate: resolve(base, href)}
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
