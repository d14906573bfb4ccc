package watchers

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Feeds for the conformance tables, written here from the specifications:
// RSS 0.90/0.91/0.92/1.0/2.0, Atom 0.3, RFC 4287 and JSON Feed 1.1.

// atomEntry wraps entry elements in an Atom 1.0 feed.
func atomEntry(entry string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed</title><id>urn:f</id>
<entry><id>urn:e1</id><updated>2026-01-02T03:04:05Z</updated>` + entry + `</entry></feed>`
}

// atom03Entry wraps entry elements in an Atom 0.3 feed.
func atom03Entry(entry string) string {
	return `<?xml version="1.0"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Feed</title>
<entry><id>urn:e1</id><issued>2026-01-02T03:04:05Z</issued>` + entry + `</entry></feed>`
}

// rssItem wraps item elements in an RSS 2.0 channel.
func rssItem(item string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Feed</title><link>https://news.example/</link>
<description>d</description><item>` + item + `</item></channel></rss>`
}

type conformanceCase struct {
	name        string
	doc         string
	contentType string
	base        string // the document's URL
	title, link string // of the first item
	feedTitle   string // checked when set
	content     string // checked when set
	items       int    // checked when set
}

var conformanceCases = []conformanceCase{
	// RFC 4287 §3.1.1: text constructs.
	{name: "atom text title is literal", doc: atomEntry(`<title type="text">Vector&lt;int&gt; in C++</title>`), title: "Vector<int> in C++"},
	{name: "atom title without type is text", doc: atomEntry(`<title>Vector&lt;int&gt; &amp; &lt;b&gt;map&lt;/b&gt;</title>`), title: "Vector<int> & <b>map</b>"},
	{name: "atom text title decoded once", doc: atomEntry(`<title type="text">Q&amp;amp;A</title>`), title: "Q&amp;A"},
	{name: "atom html title decoded twice, once per layer", doc: atomEntry(`<title type="html">x &amp;lt;blink&amp;gt; y</title>`), title: "x <blink> y"},
	{name: "atom html title markup dropped", doc: atomEntry(`<title type="html">Dam &lt;em&gt;inspection&lt;/em&gt; finds&lt;br/&gt;cracks</title>`), title: "Dam inspection finds cracks"},
	{name: "atom html title script removed", doc: atomEntry(`<title type="html">safe&lt;script&gt;steal()&lt;/script&gt; description</title>`), title: "safe description"},
	{name: "atom html title unclosed script keeps the rest", doc: atomEntry(`<title type="html">safe &lt;script&gt;steal() description</title>`), title: "safe steal() description"},
	{name: "atom html title style removed", doc: atomEntry(`<title type="html">&lt;style type="text/css"&gt;b { color: red }&lt;/style&gt;Styled</title>`), title: "Styled"},
	{name: "atom html title in CDATA", doc: atomEntry(`<title type="html"><![CDATA[<b>Bold</b> &amp; more]]></title>`), title: "Bold & more"},
	{name: "atom text title in CDATA", doc: atomEntry(`<title type="text"><![CDATA[a <b> & c]]></title>`), title: "a <b> & c"},
	{name: "atom xhtml title", doc: atomEntry(`<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> &amp; <i>brave</i> move</div></title>`), title: "A bold & brave move"},
	{name: "atom xhtml title with script", doc: atomEntry(`<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Hi<script>x()</script></div></title>`), title: "Hi"},
	{name: "atom title white space folded", doc: atomEntry("<title>\n\t  Two\n   lines  \n</title>"), title: "Two lines"},
	{name: "atom title numeric references", doc: atomEntry(`<title>caf&#233; &#x2014; na&#xEF;ve</title>`), title: "café — naïve"},
	{name: "atom html title named HTML entity", doc: atomEntry(`<title type="html">fish &amp;amp; chips&amp;nbsp;&amp;hellip;</title>`), title: "fish & chips\u00a0…"},
	{name: "atom source title is not the entry's", doc: atomEntry(`<source><title>Other</title></source><title>Mine</title>`), title: "Mine"},
	{name: "atom feed title html", doc: strings.Replace(atomEntry(`<title>t</title>`), "<title>Feed</title>", `<title type="html">A &amp;amp; B</title>`, 1), title: "t", feedTitle: "A & B"},

	{name: "atom html title with chat markup", doc: atomEntry(`<title type="html">&lt;b&gt;*Bold*&lt;/b&gt; &amp;lt;@U0ADMIN&amp;gt; &amp;lt;!here&amp;gt; ~x~</title>`), title: "*Bold* <@U0ADMIN> <!here> ~x~"},

	// RFC 4287 §4.2.7: links.
	{name: "atom link without rel is alternate", doc: atomEntry(`<title>t</title><link href="https://a.example/1"/>`), title: "t", link: "https://a.example/1"},
	{name: "atom alternate link over self and edit", doc: atomEntry(`<title>t</title><link rel="self" href="https://a.example/self"/><link rel="edit" href="https://a.example/edit"/><link rel="alternate" href="https://a.example/alt"/>`), title: "t", link: "https://a.example/alt"},
	{name: "atom html alternate preferred", doc: atomEntry(`<title>t</title><link rel="alternate" type="application/pdf" href="https://a.example/doc.pdf"/><link rel="alternate" type="text/html" href="https://a.example/page"/>`), title: "t", link: "https://a.example/page"},
	{name: "atom untyped alternate before a typed one", doc: atomEntry(`<title>t</title><link href="https://a.example/first"/><link rel="alternate" type="text/html" href="https://a.example/second"/>`), title: "t", link: "https://a.example/first"},
	{name: "atom only a non-HTML alternate", doc: atomEntry(`<title>t</title><link rel="alternate" type="audio/mpeg" href="https://a.example/a.mp3"/>`), title: "t", link: "https://a.example/a.mp3"},
	{name: "atom relative link against document URL", base: "https://a.example/feeds/atom.xml", doc: atomEntry(`<title>t</title><link href="../posts/1"/>`), title: "t", link: "https://a.example/posts/1"},
	{name: "atom xml:base on entry", base: "https://doc.example/", doc: strings.Replace(atomEntry(`<title>t</title><link href="2"/>`), "<entry>", `<entry xml:base="https://entry.example/a/">`, 1), title: "t", link: "https://entry.example/a/2"},
	{name: "atom xml:base on feed, relative one on entry", base: "https://doc.example/", doc: strings.Replace(strings.Replace(atomEntry(`<title>t</title><link href="p"/>`), "<entry>", `<entry xml:base="sub/">`, 1), `<feed `, `<feed xml:base="https://feed.example/root/" `, 1), title: "t", link: "https://feed.example/root/sub/p"},
	{name: "atom xml:base on the link itself", doc: atomEntry(`<title>t</title><link xml:base="https://l.example/x/" href="y"/>`), title: "t", link: "https://l.example/x/y"},

	// Atom 0.3.
	{name: "atom 0.3 escaped html title", doc: atom03Entry(`<title type="text/html" mode="escaped">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; co</title><link rel="alternate" type="text/html" href="https://old.example/1"/>`), title: "Bold & co", link: "https://old.example/1"},
	{name: "atom 0.3 plain title", doc: atom03Entry(`<title type="text/plain">Vector&lt;int&gt;</title>`), title: "Vector<int>"},
	{name: "atom 0.3 base64 title and content", doc: atom03Entry(`<title type="text/html" mode="base64">QmFzZTY0IDxiPnRpdGxlPC9iPg==</title><content type="text/html" mode="base64">PHA+RGVjb2RlZCBjb250ZW50LjwvcD4=</content>`), title: "Base64 title", content: "<p>Decoded content.</p>"},
	{name: "atom 0.3 xml mode xhtml title", doc: atom03Entry(`<title type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">X <em>y</em></div></title>`), title: "X y"},

	// RSS 2.0: titles without a type.
	{name: "rss title entities decoded once", doc: rssItem(`<title>AT&amp;T &lt;3 Q&amp;amp;A</title>`), title: "AT&T <3 Q&amp;A"},
	{name: "rss title escaped markup of known elements", doc: rssItem(`<title>&lt;b&gt;Bold&lt;/b&gt; news</title>`), title: "Bold news"},
	{name: "rss title with angle brackets is text", doc: rssItem(`<title>Vector&lt;int&gt; and std::map&lt;K, V&gt;</title>`), title: "Vector<int> and std::map<K, V>"},
	{name: "rss title with unknown tag-like text", doc: rssItem(`<title>The &lt;blink&gt; tag returns</title>`), title: "The <blink> tag returns"},
	{name: "rss title CDATA markup", doc: rssItem(`<title><![CDATA[Council <b>approves</b> pier]]></title>`), title: "Council approves pier"},
	{name: "rss title CDATA escaped entity", doc: rssItem(`<title><![CDATA[Q&amp;A with the mayor]]></title>`), title: "Q&A with the mayor"},
	{name: "rss title CDATA plain ampersand", doc: rssItem(`<title><![CDATA[Tom & Jerry]]></title>`), title: "Tom & Jerry"},
	{name: "rss title script removed", doc: rssItem(`<title>safe&lt;script&gt;steal()&lt;/script&gt; description</title>`), title: "safe description"},
	{name: "rss title unescaped child element", doc: rssItem(`<title>Hello <b>World</b></title>`), title: "Hello World"},
	{name: "rss title HTML entity", doc: rssItem(`<title>Caf&eacute;&nbsp;culture &mdash; today</title>`), title: "Café\u00a0culture — today"},

	{name: "rss title with chat markup", doc: rssItem("<title>*Breaking* _now_ ~old~ `code` &lt;!channel&gt; @here &lt;@U0ADMIN&gt;</title>"), title: "*Breaking* _now_ ~old~ `code` <!channel> @here <@U0ADMIN>"},

	{name: "rss title C1 character references", doc: rssItem(`<title>&#147;Quoted&#148; &#150; and&#0; more</title>`), title: "“Quoted” – and more"},

	{name: "rss content unclosed script", doc: rssItem(`<title>t</title><description>&lt;p&gt;safe &lt;script&gt;steal() and the rest.&lt;/p&gt;</description>`), title: "t", content: "<p>safe steal() and the rest.</p>"},
	{name: "rss content closed script and style", doc: rssItem(`<title>t</title><description>&lt;p&gt;a&lt;/p&gt;&lt;SCRIPT type="x"&gt;steal()&lt;/script&gt;&lt;style&gt;p{}&lt;/style&gt;&lt;p&gt;b&lt;/p&gt;</description>`), title: "t", content: "<p>a</p>  <p>b</p>"},
	{name: "rss content script escaped twice", doc: rssItem(`<title>t</title><description>safe &amp;lt;script&amp;gt;x()&amp;lt;/script&amp;gt; rest &amp;lt;style&amp;gt;unclosed</description>`), title: "t", content: "safe   rest unclosed"},

	// RSS links.
	{name: "rss permalink guid is the link", doc: rssItem(`<title>t</title><guid>https://g.example/post/1</guid>`), title: "t", link: "https://g.example/post/1"},
	{name: "rss guid isPermaLink=true", doc: rssItem(`<title>t</title><guid isPermaLink="true">https://g.example/2</guid>`), title: "t", link: "https://g.example/2"},
	{name: "rss guid isPermaLink=false is no link", doc: rssItem(`<title>t</title><guid isPermaLink="false">https://g.example/3</guid>`), title: "t", link: ""},
	{name: "rss guid that is not a URL is no link", doc: rssItem(`<title>t</title><guid>urn:uuid:1234</guid>`), title: "t", link: ""},
	{name: "rss link before guid", doc: rssItem(`<title>t</title><link>https://l.example/1</link><guid>https://g.example/1</guid>`), title: "t", link: "https://l.example/1"},
	{name: "rss relative link against document URL", base: "https://site.example/rss/feed.xml", doc: rssItem(`<title>t</title><link>/2024/pier</link>`), title: "t", link: "https://site.example/2024/pier"},
	{name: "rss xml:base on item", base: "https://site.example/", doc: strings.Replace(rssItem(`<title>t</title><link>pier</link>`), "<item>", `<item xml:base="https://base.example/news/">`, 1), title: "t", link: "https://base.example/news/pier"},
	{name: "rss atom:link alternate when no link", doc: rssItem(`<title>t</title><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="alternate" href="https://x.example/alt"/>`), title: "t", link: "https://x.example/alt"},
	{name: "rss IRI kept as written", doc: rssItem(`<title>t</title><link>https://ü.example/straße?q=ä</link>`), title: "t", link: "https://ü.example/straße?q=ä"},
	{name: "atom relative IRI resolved", base: "https://x.example/feed", doc: atomEntry(`<title>t</title><link href="/café"/>`), title: "t", link: "https://x.example/caf%C3%A9"},
	{name: "rss link written as an href", doc: rssItem(`<title>t</title><link href="https://x.example/href"/>`), title: "t", link: "https://x.example/href"},
	{name: "rss link white space trimmed", doc: rssItem("<title>t</title><link>\n  https://l.example/2  \n</link>"), title: "t", link: "https://l.example/2"},
	{name: "rss atom:link self is not the item link", doc: rssItem(`<title>t</title><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://x.example/self"/><guid>https://g.example/4</guid>`), title: "t", link: "https://g.example/4"},

	// Titles lost.
	{name: "rss media:title when no title", doc: rssItem(`<media:content url="https://m.example/v.mp4"><media:title>Video of the flood</media:title></media:content><description>Text.</description>`), title: "Video of the flood"},
	{name: "rss media:title directly in the item", doc: rssItem(`<media:title type="plain">Photo: the new pier</media:title>`), title: "Photo: the new pier"},
	{name: "rss dc:title when no title", doc: rssItem(`<dc:title>From Dublin Core</dc:title>`), title: "From Dublin Core"},
	{name: "rss first sentence when no title", doc: rssItem(`<description>&lt;p&gt;Mr. Smith won the vote. He said so.&lt;/p&gt;</description>`), title: "Mr. Smith won the vote."},
	{name: "rss empty title uses the first sentence", doc: rssItem(`<title></title><description>Storm hits coast! More soon.</description>`), title: "Storm hits coast!"},
	{name: "rss nothing to title", doc: rssItem(`<guid>https://g.example/5</guid>`), title: "", link: "https://g.example/5"},

	// Other RSS versions.
	{name: "rss 0.91", doc: `<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link><description>d</description><language>en</language>
<item><title>Ninety &amp; one</title><link>http://old.example/1</link></item></channel></rss>`, title: "Ninety & one", link: "http://old.example/1", feedTitle: "Old"},
	{name: "rss 0.92 without item title", doc: `<rss version="0.92"><channel><title>Old</title><link>http://old.example/</link><description>d</description>
<item><description>Only a description here. Second.</description><link>http://old.example/2</link></item></channel></rss>`, title: "Only a description here.", link: "http://old.example/2"},
	{name: "rss 1.0", doc: `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://one.example/"><title>One</title><link>http://one.example/</link><description>d</description>
<items><rdf:Seq><rdf:li rdf:resource="http://one.example/a"/><rdf:li rdf:resource="http://one.example/b"/></rdf:Seq></items></channel>
<item rdf:about="http://one.example/a"><title>First &amp;lt;one&amp;gt;</title><link>http://one.example/a</link></item>
<item rdf:about="http://one.example/b"><title>Second</title></item></rdf:RDF>`, title: "First &lt;one&gt;", link: "http://one.example/a", feedTitle: "One", items: 2},
	{name: "rss 0.90", doc: `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
<channel><title>Ninety</title><link>http://ninety.example/</link><description>d</description></channel>
<item><title>Zero point nine</title><link>http://ninety.example/1</link></item></rdf:RDF>`, title: "Zero point nine", link: "http://ninety.example/1"},
	{name: "rss with an XHTML DOCTYPE", doc: `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<rss version="2.0"><channel><title>X</title><link>https://x.example/</link><description>d</description>
<item><title>Entities&nbsp;&amp;&nbsp;doctype</title><link>https://x.example/1</link></item></channel></rss>`, title: "Entities\u00a0&\u00a0doctype", link: "https://x.example/1"},

	// Documents cut short.
	{name: "rss missing its closing tags", doc: strings.TrimSuffix(rssItem(`<title>Kept</title><link>https://k.example/1</link>`), "</channel></rss>"), title: "Kept", link: "https://k.example/1", items: 1},
	{name: "rss truncated final item", doc: strings.TrimSuffix(rssItem(`<title>Kept</title><link>https://k.example/1</link>`), "</channel></rss>") + "<item><title>Cut sh", title: "Kept", link: "https://k.example/1", items: 1},
	{name: "atom truncated final entry", doc: strings.TrimSuffix(atomEntry(`<title>Kept</title><link href="https://k.example/2"/>`), "</feed>") + `<entry><id>urn:e2</id><title>Cut`, title: "Kept", link: "https://k.example/2", items: 1},

	// JSON Feed 1.1: titles are plain text; url resolves against the document.
	{name: "json title is plain text", base: "https://j.example/feed.json", doc: `{"version":"https://jsonfeed.org/version/1.1","title":"J &amp; J","items":[{"id":"1","title":"Vector<int> &amp; <b>x</b>","url":"/posts/1","content_text":"x"}]}`, title: "Vector<int> &amp; <b>x</b>", link: "https://j.example/posts/1", feedTitle: "J &amp; J"},
	{name: "json title with chat markup", doc: `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","title":"<!channel> *x* _y_ @here ` + "`z`" + ` <https://evil.example|go>","url":"https://j.example/1"}]}`, title: "<!channel> *x* _y_ @here `z` <https://evil.example|go>", link: "https://j.example/1"},
	{name: "json without title uses the first sentence", doc: `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","content_html":"<p>First one. Second.</p>","external_url":"https://ext.example/1"}]}`, title: "First one.", link: "https://ext.example/1"},
}

// encode returns s in enc, failing the test on a character enc lacks.
func encode(t *testing.T, enc encoding.Encoding, s string) string {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return string(b)
}

func TestConformance(t *testing.T) {
	cases := append([]conformanceCase(nil), conformanceCases...)
	// Encodings: each document says what it is as a real one would.
	withDecl := func(label, title string) string {
		return strings.Replace(rssItem(`<title>`+title+`</title>`), `encoding="utf-8"`, `encoding="`+label+`"`, 1)
	}
	legacy := []struct {
		label string
		enc   encoding.Encoding
		title string
	}{
		{"windows-1251", charmap.Windows1251, "Новости дня"},
		{"koi8-r", charmap.KOI8R, "Погода в Москве"},
		{"iso-8859-2", charmap.ISO8859_2, "Zażółć gęślą jaźń"},
		{"iso-8859-1", charmap.ISO8859_1, "Café déjà vu"},
		{"iso-8859-7", charmap.ISO8859_7, "Ειδήσεις"},
		{"Shift_JIS", japanese.ShiftJIS, "東京の天気"},
		{"EUC-JP", japanese.EUCJP, "大阪のニュース"},
		{"Big5", traditionalchinese.Big5, "台灣新聞"},
		{"GB18030", simplifiedchinese.GB18030, "北京新闻"},
		{"macintosh", charmap.Macintosh, "Café crème"},
		{"cp850", charmap.CodePage850, "Zürich Straße"},
	}
	for _, l := range legacy {
		cases = append(cases,
			conformanceCase{name: "declared " + l.label, doc: encode(t, l.enc, withDecl(l.label, l.title)), title: l.title},
			conformanceCase{name: "content-type " + l.label, contentType: "application/rss+xml; charset=" + l.label,
				doc: encode(t, l.enc, strings.Replace(rssItem(`<title>`+l.title+`</title>`), `<?xml version="1.0" encoding="utf-8"?>`, "", 1)), title: l.title})
	}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	utf16beNoBOM := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	utf32le := utf32.UTF32(utf32.LittleEndian, utf32.UseBOM)
	utf32be := utf32.UTF32(utf32.BigEndian, utf32.UseBOM)
	cases = append(cases,
		conformanceCase{name: "utf-16le with BOM", doc: encode(t, utf16le, withDecl("utf-16", "Ünïcödé ✓")), title: "Ünïcödé ✓"},
		conformanceCase{name: "utf-16be with BOM", doc: encode(t, utf16be, withDecl("utf-16", "Ünïcödé ✓")), title: "Ünïcödé ✓"},
		conformanceCase{name: "utf-16be declared without BOM", doc: encode(t, utf16beNoBOM, withDecl("utf-16", "Ünïcödé ✓")), title: "Ünïcödé ✓"},
		conformanceCase{name: "utf-32le with BOM", doc: encode(t, utf32le, withDecl("utf-32", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")), title: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"},
		conformanceCase{name: "utf-32be with BOM", doc: encode(t, utf32be, withDecl("utf-32", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")), title: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"},
		conformanceCase{name: "utf-16 atom", doc: encode(t, utf16le, atomEntry(`<title type="html">&lt;i&gt;Ü&lt;/i&gt;</title>`)), title: "Ü"},
		conformanceCase{name: "utf-8 BOM", doc: "\xef\xbb\xbf" + rssItem(`<title>Bom ✓</title>`), title: "Bom ✓"},
		conformanceCase{name: "undeclared latin-1 bytes", doc: strings.Replace(rssItem("<title>Caf\xe9</title>"), `<?xml version="1.0" encoding="utf-8"?>`, "", 1), title: "Café"},
	)

	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var base *url.URL
			if tt.base != "" {
				base, _ = url.Parse(tt.base)
			}
			data, err := toUTF8([]byte(tt.doc), tt.contentType)
			if err != nil {
				t.Fatalf("toUTF8: %v", err)
			}
			p, err := parse(data, "f", base, now)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(p.items) == 0 {
				t.Fatal("no items")
			}
			if tt.items > 0 && len(p.items) != tt.items {
				t.Errorf("%d items, want %d", len(p.items), tt.items)
			}
			it := p.items[0]
			if it.Title != tt.title {
				t.Errorf("title %q, want %q", it.Title, tt.title)
			}
			if it.Link != tt.link {
				t.Errorf("link %q, want %q", it.Link, tt.link)
			}
			if tt.feedTitle != "" && p.title != tt.feedTitle {
				t.Errorf("feed title %q, want %q", p.title, tt.feedTitle)
			}
			if tt.content != "" && it.Content != tt.content {
				t.Errorf("content %q, want %q", it.Content, tt.content)
			}
		})
	}
}

func TestParsePanicIsAnError(t *testing.T) {
	saved := gofeedParse
	t.Cleanup(func() { gofeedParse = saved })
	gofeedParse = func([]byte) (*gofeed.Feed, error) { panic("index out of range") }
	_, err := parse([]byte(rssItem(`<title>t</title>`)), "f", nil, time.Now())
	if !errors.Is(err, errParserPanic) || !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("err = %v, want errParserPanic naming the panic", err)
	}
}
