package watchers

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkParse measures parse, herald's scan included, on a typical feed
// and on hostile ones of about the same size or larger, so that no input
// costs more than linear time:
//
//	go test ./watchers -run '^$' -bench BenchmarkParse -count 5
func BenchmarkParse(b *testing.B) {
	var typical strings.Builder
	typical.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>`)
	for i := range 50 {
		fmt.Fprintf(&typical, `<item><title>Story %d: ministers &amp; &lt;b&gt;allies&lt;/b&gt; meet</title><link>/news/%d</link><guid>https://wire.example/news/%d</guid>`+
			`<pubDate>Mon, 02 Mar 2026 10:%02d:00 GMT</pubDate><description>&lt;p&gt;Foreign ministers met on Tuesday. They agreed on %d things.&lt;/p&gt;</description></item>`, i, i, i, i%60, i)
	}
	typical.WriteString(`</channel></rss>`)

	// Titles of unclosed <script> tags, each a new search for its end.
	scripts := strings.Repeat("&lt;script&gt;x", 4000)
	// Titles that look like markup, and many tags of unknown elements.
	tags := strings.Repeat("&lt;b&gt;&lt;blink&gt;", 4000)
	// Deep nesting inside an item.
	deep := strings.Repeat("<x>", 20000) + strings.Repeat("</x>", 20000)
	// Illegal character references by the thousand.
	refs := strings.Repeat("&#0;&#xFFFE;&#150;", 6000)
	// Many tiny items.
	var many strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&many, "<item><guid>%d</guid></item>", i)
	}
	hostile := func(items string) string {
		return `<rss version="2.0"><channel><title>T</title><link>https://h.example/</link><description>d</description>` + items + `</channel></rss>`
	}
	cases := []struct{ name, doc string }{
		{"typical", typical.String()},
		{"unclosed-scripts", hostile(`<item><title type="html">` + scripts + `</title><description>` + scripts + `</description></item>`)},
		{"unknown-tags", hostile(`<item><title>` + tags + `</title></item>`)},
		{"deep", hostile(`<item><title>t</title>` + deep + `</item>`)},
		{"char-refs", hostile(`<item><title>` + refs + `</title></item>`)},
		{"many-untitled-items", hostile(many.String())},
		{"truncated", strings.TrimSuffix(hostile(many.String()), "</channel></rss>") + "<item><title>cut"},
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data := []byte(c.doc)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := parse(data, "f", nil, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
