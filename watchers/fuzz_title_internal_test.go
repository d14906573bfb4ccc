package watchers

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// xmlEscaped returns s escaped as XML character data or attribute value.
func xmlEscaped(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xmlSafe reports whether s holds only characters XML allows.
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// FuzzTitleLink writes a title and a link into a feed of each format as
// the specifications say (escaped once), and checks they come back as
// written: an Atom text title exactly, an html title as its text, an RSS
// title decoded once; a link resolved against the document's URL. Any
// input must parse without panic or hang.
func FuzzTitleLink(f *testing.F) {
	for _, seed := range []struct {
		title, link string
		kind        uint8
	}{
		{"Vector<int> in C++", "/a/b", 0},
		{"x &lt;blink&gt; y", "https://x.example/?a=1&b=2", 1},
		{"safe<script>steal()</script> description", "rel/path", 1},
		{"safe <script>steal() description", "", 1},
		{"Q&amp;A", "../up", 2},
		{"<b>Bold</b> news", "//host.example/p", 2},
		{"*Breaking* _now_ <!channel> @here", "https://h.example/%zz", 3},
		{"  lots\n\tof   space  ", "?q=1", 0},
		{"<![CDATA[x]]>", "#frag", 2},
	} {
		f.Add(seed.title, seed.link, seed.kind)
	}
	base, _ := url.Parse("https://doc.example/feeds/rss.xml")
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, link string, kind uint8) {
		var doc, want string
		switch kind % 4 {
		case 0: // Atom type="text": literal.
			doc = atomEntry(`<title type="text">` + xmlEscaped(title) + `</title><link href="` + xmlEscaped(link) + `"/>`)
			want = foldSpace(title)
		case 1: // Atom type="html": the text of the markup.
			doc = atomEntry(`<title type="html">` + xmlEscaped(title) + `</title><link href="` + xmlEscaped(link) + `"/>`)
			want = htmlText(title)
		case 2: // RSS: decoded once; markup only when it is markup.
			doc = rssItem(`<title>` + xmlEscaped(title) + `</title><link>` + xmlEscaped(link) + `</link>`)
			want = rssText(title)
		case 3: // JSON Feed: plain text.
			doc = `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","title":` + jsonString(title) + `,"url":` + jsonString(link) + `}]}`
			want = foldSpace(title)
		}
		p, err := parse([]byte(doc), "f", base, now)
		if !xmlSafe(title) || !xmlSafe(link) {
			return // what XML cannot carry; it had to parse or fail cleanly
		}
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, doc)
		}
		if len(p.items) != 1 {
			t.Fatalf("%d items", len(p.items))
		}
		it := p.items[0]
		if want == "" {
			return // the first-sentence fallback has nothing either
		}
		if want = capString(want, maxTitle); it.Title != want {
			t.Errorf("title %q, want %q", it.Title, want)
		}
		if !utf8.ValidString(it.Link) || len(it.Link) > maxLink {
			t.Errorf("link %q", it.Link)
		}
		// Links with control characters are the XML layer's to normalise.
		if l := strings.TrimSpace(link); kind%4 != 3 && l != "" && !strings.ContainsFunc(l, unicode.IsControl) {
			u, err := url.Parse(l)
			want := l // an absolute link stays as written
			if err == nil && !u.IsAbs() {
				want = base.ResolveReference(u).String()
			}
			if err == nil && it.Link != want {
				t.Errorf("link %q, want %q resolved: %q", it.Link, l, want)
			}
		}
	})
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
