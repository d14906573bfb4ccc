package watchers

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
)

// gofeed hands on an item's title as the inner XML of its element, entity
// decoded once or not at all depending on the format and on CDATA, and the
// old plainText then stripped anything tag-shaped: a plain-text title like
// "Vector<int>" lost words, "&amp;amp;" was decoded twice, and xhtml titles
// kept their wrapping markup. gofeed also takes an Atom entry's link only
// when rel="alternate" is written out (RFC 4287 §4.2.7.2 makes it the
// default), ignores an RSS guid that is a permalink, does not decode Atom 0.3
// mode="base64" text whose type is text/*, and resolves xml:base only in
// part. So herald reads titles, links and base64 content itself, in one pass
// of its own over the document (scanXML), and takes the rest (dates,
// authors, categories, content) from gofeed. The two are matched item by
// item; when they count a different number of items, gofeed's values are
// used as before.

// Namespaces scanXML tells apart.
const (
	nsAtom10  = "http://www.w3.org/2005/Atom"
	nsAtom03  = "http://purl.org/atom/ns#"
	nsRSS10   = "http://purl.org/rss/1.0/"
	nsRSS090  = "http://my.netscape.com/rdf/simple/0.9/"
	nsRSS2a   = "http://backend.userland.com/rss2"
	nsRSS2b   = "http://blogs.law.harvard.edu/tech/rss"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsXML     = "http://www.w3.org/XML/1998/namespace"
	nsRDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	ianaRelNS = "http://www.iana.org/assignments/relation/"
)

// scanned is what scanXML reads of a feed document.
type scanned struct {
	// atom is set for an Atom document, else it is RSS.
	atom bool
	// title is the feed's title as plain text.
	title string
	// entries are the items (RSS) or entries (Atom), in the order gofeed
	// lists them: an RSS channel's items, then those outside the channel.
	entries []scanEntry
	// lastEnd is the offset just past the last complete item or entry, and
	// open the elements open there, outermost first: what a document cut
	// short keeps, and how to close it.
	lastEnd int64
	open    []string
	// err is the error that stopped the scan, if any.
	err error
}

// scanEntry is what scanXML reads of one item or entry.
type scanEntry struct {
	// title is the plain-text title; hasTitle tells an empty one from none.
	title    string
	hasTitle bool
	// altTitle is dc:title, then media:title, for an item without a title.
	dcTitle, mediaTitle string
	// link is the item's link, resolved against the xml:base in scope;
	// linkHTML is set when it is an Atom link to a web page.
	link     string
	linkHTML bool
	// guidLink is an RSS guid that is a permalink, resolved likewise.
	guidLink string
	// about is an RSS 1.0 item's rdf:about.
	about string
	// content is Atom 0.3 content or summary given in base64, decoded.
	content string
}

// frame is one open element of the scan.
type frame struct {
	// name has its namespace resolved; raw is the name as written.
	name xml.Name
	raw  string
	base *url.URL
	// ns are the namespaces in scope, by prefix ("" for the default
	// namespace): the parent's map, or a copy with the element's own
	// declarations, so that a lookup costs the same at any depth.
	ns map[string]string
}

// capture collects the text of a title-like element while it is open.
type capture struct {
	depth int // stack depth of the element
	// skip is the depth of a script or style element inside an xhtml
	// title, whose text is not shown; 0 when there is none.
	skip   int
	kind   string // "text", "html", "xhtml", "rss", or "raw" (links, content: kept as they are)
	base64 bool
	// start is the offset after the element's start tag; cdata reports
	// whether some of the text came from a CDATA section.
	start int64
	cdata bool
	text  strings.Builder // character data, XML-decoded
	// into is where the result goes.
	into func(text string)
}

// maxScanTitle bounds the text gathered for one title, so that a hostile
// document cannot make one title cost more than it is worth.
const maxScanTitle = 64 << 10

// scanXML reads titles, links and base64 content of an RSS or Atom
// document, resolving links against xml:base, then base (the document's URL;
// may be nil). data must already be UTF-8.
func scanXML(data []byte, base *url.URL) scanned {
	var s scanned
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	// The document is UTF-8 by now, whatever its declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }

	var (
		stack     []frame
		rootItems []scanEntry
		cur       *scanEntry // the entry open, if any
		curDepth  int        // its depth in stack
		inChannel bool
		capt      *capture
	)
	for {
		tok, err := d.RawToken()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			break
		}
		// RawToken leaves prefixes unresolved; Token would fail on the
		// mismatched end tags non-strict mode tolerates, so namespaces are
		// resolved here from the xmlns attributes on the stack.
		switch t := tok.(type) {
		case xml.StartElement:
			b := parentBase(stack, base)
			if v := attr(t.Attr, "xml", "base"); v != "" {
				b = resolveURL(b, v)
			}
			name := t.Name
			stack = append(stack, frame{name: name, raw: rawName(t.Name), base: b, ns: scope(stack, t.Attr)})
			space := lookupPrefix(stack, name.Space)
			stack[len(stack)-1].name.Space = space
			depth := len(stack)
			if capt != nil {
				n := strings.ToLower(name.Local)
				if n == "br" || blockElements[n] {
					capt.text.WriteByte(' ')
				}
				if rawTextElements[n] && capt.skip == 0 {
					capt.skip = depth
				}
				continue
			}
			local := strings.ToLower(name.Local)
			if depth == 1 {
				s.atom = local == "feed"
				continue
			}
			parent := stack[depth-2]
			plocal := strings.ToLower(parent.name.Local)
			switch {
			case !s.atom && local == "channel" && depth == 2:
				inChannel = true
			case cur == nil && isEntry(s.atom, local, space, plocal, depth):
				cur, curDepth = &scanEntry{}, depth
				if v := attrNS(t.Attr, stack, nsRDF, "about"); v != "" && !s.atom {
					cur.about = resolveLink(b, v)
				}
			case cur != nil && local == "title" && (space == nsMedia || space == "media") && cur.mediaTitle == "":
				// media:title, directly in the item or in media:content or media:group.
				e := cur
				capt = &capture{depth: depth, kind: "text", into: func(v string) { e.mediaTitle = v }}
			case cur != nil && depth == curDepth+1:
				capt = readEntryChild(s.atom, cur, t, local, space, b, depth)
			case cur == nil && local == "title" && isFeedLevel(s.atom, depth, plocal) && isCore(space) && s.title == "":
				capt = newCapture(s.atom, t, depth, func(v string) { s.title = v })
			}
			if capt != nil {
				capt.start = d.InputOffset()
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			depth := len(stack)
			if capt != nil && depth == capt.skip {
				capt.skip = 0
			}
			if capt != nil && depth == capt.depth {
				if end := d.InputOffset(); capt.start <= end && end <= int64(len(data)) {
					capt.cdata = bytes.Contains(data[capt.start:end], []byte("<![CDATA["))
				}
				capt.into(capt.result())
				capt = nil
			}
			if cur != nil && depth == curDepth {
				if inChannel || s.atom {
					s.entries = append(s.entries, *cur)
				} else {
					rootItems = append(rootItems, *cur)
				}
				cur = nil
				s.lastEnd = d.InputOffset()
				s.open = s.open[:0]
				for _, f := range stack[:depth-1] {
					s.open = append(s.open, f.raw)
				}
			}
			if !s.atom && depth == 2 && strings.EqualFold(stack[1].name.Local, "channel") {
				inChannel = false
			}
			stack = stack[:depth-1]
		case xml.CharData:
			if capt != nil && capt.skip == 0 && capt.text.Len() < maxScanTitle {
				capt.text.Write(t)
			}
		}
	}
	// Items outside the channel (RSS 1.0) come after those in it, as in gofeed.
	s.entries = append(s.entries, rootItems...)
	return s
}

// rawName is how an element was written, prefix and all, for closing it.
func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// readEntryChild reads a direct child of an item or entry, at depth, with
// base URL b: it returns the capture that gathers the child's text, or nil
// when the child is read already or not at all.
func readEntryChild(atom bool, cur *scanEntry, t xml.StartElement, local, space string, b *url.URL, depth int) *capture {
	switch {
	case local == "title" && isCore(space) && !cur.hasTitle:
		cur.hasTitle = true
		return newCapture(atom, t, depth, func(v string) { cur.title = v })
	case local == "title" && (space == nsDC || space == "dc") && cur.dcTitle == "":
		return &capture{depth: depth, kind: "text", into: func(v string) { cur.dcTitle = v }}
	case local == "link" && !atom && isCore(space) && !isAtomNS(space) && cur.link == "":
		// Some feeds write <link href="..."/> in RSS, as in Atom.
		href := attr(t.Attr, "", "href")
		return &capture{depth: depth, kind: "raw", into: func(v string) {
			if v = firstNonEmpty(strings.TrimSpace(v), strings.TrimSpace(href)); v != "" {
				cur.link = resolveLink(b, v)
			}
		}}
	case local == "link" && (atom || space == nsAtom10 || space == nsAtom03):
		if href := strings.TrimSpace(attr(t.Attr, "", "href")); href != "" && isAlternate(attr(t.Attr, "", "rel")) {
			// The first alternate link to a web page (no type, or an HTML
			// one) wins; else the first alternate link of any type.
			typ := strings.ToLower(strings.TrimSpace(attr(t.Attr, "", "type")))
			page := typ == "" || typ == "text/html" || typ == "application/xhtml+xml"
			if cur.link == "" || (page && !cur.linkHTML) {
				cur.link = resolveLink(b, href)
				cur.linkHTML = page
			}
		}
	case local == "guid" && !atom && isCore(space) && !isAtomNS(space):
		perma := strings.ToLower(strings.TrimSpace(attr(t.Attr, "", "isPermaLink")))
		if perma == "" || perma == "true" {
			return &capture{depth: depth, kind: "raw", into: func(v string) {
				if v = strings.TrimSpace(v); looksLikeLink(v) {
					cur.guidLink = resolveLink(b, v)
				}
			}}
		}
	case atom && (local == "content" || local == "summary") && strings.EqualFold(attr(t.Attr, "", "mode"), "base64") && (cur.content == "" || local == "content"):
		return &capture{depth: depth, kind: "raw", base64: true, into: func(v string) {
			if v != "" {
				cur.content = v
			}
		}}
	}
	return nil
}

// newCapture starts capturing a title-like text construct, typed as its
// attributes say: Atom 1.0 type="text|html|xhtml", Atom 0.3 a MIME type and
// mode="xml|escaped|base64"; RSS titles have no type ("rss").
func newCapture(atom bool, t xml.StartElement, depth int, into func(string)) *capture {
	c := &capture{depth: depth, into: into, kind: "rss"}
	if !atom {
		return c
	}
	typ := strings.ToLower(strings.TrimSpace(attr(t.Attr, "", "type")))
	mode := strings.ToLower(strings.TrimSpace(attr(t.Attr, "", "mode")))
	switch {
	case typ == "html" || typ == "text/html":
		c.kind = "html"
	case typ == "xhtml" || strings.Contains(typ, "xhtml"):
		c.kind = "xhtml"
	default:
		c.kind = "text"
	}
	switch mode {
	case "escaped":
		if c.kind == "xhtml" {
			c.kind = "html"
		}
	case "base64":
		c.base64 = true
	}
	return c
}

// result turns the captured text into plain text, as its type says.
func (c *capture) result() string {
	s := c.text.String()
	if c.base64 {
		if dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), "")); err == nil {
			s = string(dec)
		}
	}
	switch c.kind {
	case "raw":
		return s
	case "html":
		return htmlText(s)
	case "rss":
		if c.cdata {
			return rssCDATAText(s)
		}
		return rssText(s)
	}
	// text and xhtml: the XML decoder has decoded the entities; xhtml
	// markup was elements, already dropped.
	return foldSpace(s)
}

// isEntry reports whether an element at depth, under parent plocal, is an
// item or entry as gofeed counts them.
func isEntry(atom bool, local, space, plocal string, depth int) bool {
	if atom {
		return local == "entry" && depth == 2 && isCore(space)
	}
	return local == "item" && isCore(space) && ((depth == 3 && plocal == "channel") || depth == 2)
}

// isFeedLevel reports whether a title at depth belongs to the feed itself.
func isFeedLevel(atom bool, depth int, plocal string) bool {
	if atom {
		return depth == 2
	}
	return depth == 3 && plocal == "channel"
}

// isCore reports whether a namespace is that of the feed formats themselves
// rather than of an extension.
func isCore(space string) bool {
	switch space {
	case "", nsAtom10, nsAtom03, nsRSS10, nsRSS090, nsRSS2a, nsRSS2b:
		return true
	}
	return false
}

// isAtomNS reports whether space is an Atom namespace.
func isAtomNS(space string) bool { return space == nsAtom10 || space == nsAtom03 }

// isAlternate reports whether an Atom link's rel makes it the entry's link:
// absent (RFC 4287 §4.2.7.2: then it is "alternate") or alternate.
func isAlternate(rel string) bool {
	rel = strings.TrimSpace(rel)
	return rel == "" || strings.EqualFold(rel, "alternate") || rel == ianaRelNS+"alternate"
}

// looksLikeLink reports whether an RSS guid can serve as a link: an absolute
// http(s) URL, or a path.
func looksLikeLink(v string) bool {
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return true
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// blockElements are the XHTML elements that separate words.
var blockElements = map[string]bool{
	"p": true, "div": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "tr": true, "td": true,
	"th": true, "table": true, "dd": true, "dt": true, "dl": true, "hr": true,
}

// parentBase is the base URL in scope for a new child of the top of stack.
func parentBase(stack []frame, doc *url.URL) *url.URL {
	if len(stack) == 0 {
		return doc
	}
	return stack[len(stack)-1].base
}

// resolveURL resolves ref against base; a ref that does not parse, or no
// base, leaves ref as written.
func resolveURL(base *url.URL, ref string) *url.URL {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		// Spaces and other characters that feeds leave unescaped.
		u, err = url.Parse(strings.ReplaceAll(ref, " ", "%20"))
		if err != nil {
			return &url.URL{Opaque: ref, Path: ref}
		}
	}
	if base == nil || u.IsAbs() {
		return u
	}
	return base.ResolveReference(u)
}

// resolveLink is ref resolved against base, as a string. An absolute ref,
// or one with no base to resolve against, is kept exactly as the feed
// wrote it (trimmed): net/url would spell it again, escaping the
// non-ASCII characters of an IRI.
func resolveLink(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if base == nil || (err == nil && u.IsAbs()) {
		return ref
	}
	return resolveURL(base, ref).String()
}

// attr returns the value of the attribute space:local (space being the
// prefix as written, "" for none), or "".
func attr(attrs []xml.Attr, space, local string) string {
	for _, a := range attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	if space == "" {
		// Attributes are case-sensitive, but isPermaLink is often miscased.
		for _, a := range attrs {
			if a.Name.Space == "" && strings.EqualFold(a.Name.Local, local) {
				return a.Value
			}
		}
	}
	return ""
}

// attrNS returns the value of the attribute in namespace ns named local,
// whatever prefix it was written with.
func attrNS(attrs []xml.Attr, stack []frame, ns, local string) string {
	for _, a := range attrs {
		if a.Name.Local == local && a.Name.Space != "" && lookupPrefix(stack, a.Name.Space) == ns {
			return a.Value
		}
	}
	return ""
}

// scope returns the namespaces in scope for a new child of the top of
// stack with the given attributes: the parent's map itself, unless the
// child declares namespaces of its own.
func scope(stack []frame, attrs []xml.Attr) map[string]string {
	var parent map[string]string
	if len(stack) > 0 {
		parent = stack[len(stack)-1].ns
	}
	var m map[string]string
	for _, a := range attrs {
		var prefix string
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
		case a.Name.Space == "xmlns":
			prefix = a.Name.Local
		default:
			continue
		}
		if m == nil {
			m = make(map[string]string, len(parent)+1)
			for k, v := range parent {
				m[k] = v
			}
		}
		m[prefix] = strings.TrimSpace(a.Value)
	}
	if m == nil {
		return parent
	}
	return m
}

// lookupPrefix returns the namespace a prefix stands for at the top of
// stack (RawToken leaves prefixes unresolved; Token would refuse the
// mismatched end tags that non-strict mode tolerates). An undeclared prefix
// is returned as it is, and no prefix without a default namespace is "".
func lookupPrefix(stack []frame, prefix string) string {
	if prefix == "xml" {
		return nsXML
	}
	if len(stack) > 0 {
		if v, ok := stack[len(stack)-1].ns[prefix]; ok {
			return v
		}
	}
	return prefix
}
