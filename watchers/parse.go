package watchers

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

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
// same document is dropped. The encoding is read from a byte order mark or
// the XML declaration (see toUTF8); titles are plain text and links
// resolved against xml:base as docs/feeds.md describes. A document cut
// short keeps its complete items. Dates in the future are moved to now,
// and items are cut to the limits above.
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
	// damage is why a document cut short or broken was read only up to its
	// last complete item; nil for a whole document.
	damage error
}

// gofeedParse parses a document with gofeed; tests replace it.
var gofeedParse = func(data []byte) (*gofeed.Feed, error) {
	return gofeed.NewParser().Parse(bytes.NewReader(data))
}

// errParserPanic reports a document that made a parser panic.
var errParserPanic = errors.New("the feed parser failed on this document")

// parse does the work of Parse without wrapping its errors, so that Fetch can
// wrap them once with the feed and URL. Relative links are resolved against
// base when it is non-nil; now is the time dates may not be later than.
//
// A panic while parsing (in gofeed or the HTML tokenizer, on a document
// nobody foresaw) is this feed's error, not the end of herald: the poll
// loop logs it and goes on with the other feeds.
func parse(data []byte, feedName string, base *url.URL, now time.Time) (p parsed, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = parsed{}, fmt.Errorf("%w (%v); herald tries again at the next poll, and the publisher should check the feed in a validator", errParserPanic, r)
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return parsed{}, errEmpty
	}
	data, err = toUTF8(data, "")
	if err != nil {
		return parsed{}, err
	}
	if looksLikeHTML(data) {
		return parsed{}, notFeedError(data, base)
	}
	if head := trimLeading(data); len(head) > 0 && head[0] == '<' {
		data = sanitizeXML(data)
	}
	f, err := gofeedParse(data)
	var sc *scanned
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return parsed{}, fmt.Errorf("%w: the document is not RSS, Atom or JSON Feed", err)
		}
		// A document cut short, or broken after some items: keep the
		// complete items, closing the elements still open after the last
		// one. gofeed refuses the whole document.
		s := scanXML(data, base)
		if s.lastEnd <= 0 {
			return parsed{}, err
		}
		fixed := append([]byte(nil), data[:s.lastEnd]...)
		for i := len(s.open) - 1; i >= 0; i-- {
			fixed = append(fixed, "</"+s.open[i]+">"...)
		}
		f2, err2 := gofeedParse(fixed)
		if err2 != nil {
			return parsed{}, err
		}
		f, data, p.damage = f2, fixed, err
		s2 := scanXML(fixed, base)
		sc = &s2
	}
	if sc == nil && (f.FeedType == "rss" || f.FeedType == "atom") {
		s := scanXML(data, base)
		sc = &s
	}
	p.items = convert(f, sc, feedName, base, now)
	switch {
	case sc != nil && sc.title != "":
		p.title = sc.title
	case f.FeedType == "json":
		p.title = foldSpace(f.Title)
	default:
		p.title = plainText(f.Title)
	}
	p.title = capString(p.title, maxTitle)
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

// convert maps gofeed's universal items to news.Items, taking titles, links
// and base64 content from sc, herald's own reading of an XML document (see
// scanXML), when it lists the same number of items as gofeed.
func convert(f *gofeed.Feed, sc *scanned, feedName string, base *url.URL, now time.Time) []news.Item {
	feedAuthors := personNames(f.Authors, f.Author)
	items := make([]news.Item, 0, len(f.Items))
	seen := make(map[string]bool, len(f.Items))
	aligned := sc != nil && len(sc.entries) == len(f.Items)
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		var e *scanEntry
		if aligned {
			e = &sc.entries[i]
		}
		content := it.Content
		if strings.TrimSpace(content) == "" {
			content = it.Description
		}
		if e != nil && e.content != "" {
			content = e.content // Atom 0.3 base64, which gofeed leaves encoded
		}
		content = capString(content, MaxItemContent)
		link := strings.TrimSpace(it.Link)
		if len(link) > maxLink {
			link = ""
		}
		// The ID uses the link and title as gofeed reads them, as it always
		// has, so that it stays stable when the feed moves (relative links
		// resolve differently) and across versions of herald. An overlong
		// GUID is hashed with the rest, as if it were missing.
		guid := it.GUID
		if len(guid) > maxLink {
			guid = ""
		}
		id := news.ItemID(guid, link, capString(idTitle(it.Title), maxTitle), content)
		if seen[id] {
			continue
		}
		seen[id] = true

		authors := personNames(it.Authors, it.Author)
		if len(authors) == 0 {
			authors = feedAuthors
		}
		if f.FeedType != "json" {
			// RSS and Atom content is HTML; JSON Feed's content_text is not.
			content = sanitizeContent(content)
		}
		item := news.Item{
			Feed:       feedName,
			ID:         id,
			Title:      capString(itemTitle(f.FeedType, it, e, content), maxTitle),
			Link:       itemLink(it, e, base),
			Authors:    capNames(authors),
			Categories: capNames(nonEmpty(it.Categories)),
			Content:    content,
		}
		if len(item.Link) > maxLink {
			item.Link = ""
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

// itemTitle is an item's title as plain text: its title, else its
// dc:title, else its media:title, else the first sentence of its text. The
// bot shows "(untitled)" when even that is empty.
func itemTitle(feedType string, it *gofeed.Item, e *scanEntry, content string) string {
	var t string
	switch {
	case e != nil:
		t = e.title
		if t == "" {
			t = firstNonEmpty(e.dcTitle, e.mediaTitle)
		}
	case feedType == "json":
		// JSON Feed 1.1: a title is plain text, never HTML.
		t = foldSpace(it.Title)
	default:
		t = plainText(it.Title)
	}
	if t == "" {
		t = firstSentence(content)
	}
	return t
}

// itemLink is an item's link, resolved: its link (an Atom entry's alternate
// link, rel absent or "alternate"), else an RSS guid that is a permalink
// (isPermaLink absent or true), else an RSS 1.0 item's rdf:about.
func itemLink(it *gofeed.Item, e *scanEntry, base *url.URL) string {
	if e == nil {
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		return resolve(base, link)
	}
	return firstNonEmpty(e.link, e.guidLink, e.about)
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

// plainText turns a title gofeed decoded once into plain text, for feeds
// herald's own scan could not match item by item: markup only when it
// really is markup (see rssText), white space folded.
func plainText(s string) string {
	return rssText(s)
}

// idTitle is the title an item's ID hashes when it has neither GUID nor
// link: gofeed's title with anything tag-shaped stripped, as herald always
// computed it, so that IDs, and which items were seen, survive the better
// reading of titles.
func idTitle(s string) string {
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

// looksLikeHTML reports whether the document is an HTML page: decided by
// its root element, after the XML declaration, comments, processing
// instructions and the DOCTYPE. An RSS document may carry an XHTML DOCTYPE
// (to declare HTML entities) and is still a feed; a page whose root is cut
// off is taken by its HTML DOCTYPE.
func looksLikeHTML(data []byte) bool {
	head := trimLeading(data)
	if len(head) > 4096 {
		head = head[:4096]
	}
	head = bytes.ToLower(head)
	htmlDoctype := false
	for {
		var end int
		switch {
		case bytes.HasPrefix(head, []byte("<?")):
			end = indexAfter(head, "?>")
		case bytes.HasPrefix(head, []byte("<!--")):
			end = indexAfter(head, "-->")
		case bytes.HasPrefix(head, []byte("<!doctype")):
			htmlDoctype = bytes.HasPrefix(head, []byte("<!doctype html"))
			// An internal subset may hold '>' of its own: skip past "]>".
			if i, j := bytes.IndexByte(head, '['), bytes.IndexByte(head, '>'); i >= 0 && i < j {
				end = indexAfter(head, "]>")
			} else {
				end = indexAfter(head, ">")
			}
		default:
			return bytes.HasPrefix(head, []byte("<html")) ||
				bytes.HasPrefix(head, []byte("<head")) ||
				bytes.HasPrefix(head, []byte("<body")) ||
				(htmlDoctype && !feedRoot(head))
		}
		if end < 0 {
			return htmlDoctype
		}
		head = bytes.TrimLeft(head[end:], " \t\r\n")
	}
}

// indexAfter returns the index just past the first sep in b, or -1.
func indexAfter(b []byte, sep string) int {
	i := bytes.Index(b, []byte(sep))
	if i < 0 {
		return -1
	}
	return i + len(sep)
}

// feedRoot reports whether a lower-cased document starts with the root
// element of a feed.
func feedRoot(head []byte) bool {
	for _, r := range []string{"<rss", "<rdf:rdf", "<rdf", "<feed", "<channel"} {
		if bytes.HasPrefix(head, []byte(r)) {
			return true
		}
	}
	// A prefixed root, such as <atom:feed>.
	if i := bytes.IndexAny(head, " >/"); i > 0 {
		name := head[1:i]
		if c := bytes.IndexByte(name, ':'); c >= 0 {
			name = name[c+1:]
		}
		return string(name) == "feed" || string(name) == "rss" || string(name) == "rdf"
	}
	return false
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
