package summary

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>One  two</p>\n<p>Three</p>", "One two\n\nThree"},
		{"entities", "<p>AT&amp;T &ldquo;rocks&rdquo; &#8212; caf&eacute;&hellip;</p>", "AT&T “rocks” — café…"},
		{"double escaped entities", "<p>&amp;#8220;Hello,&amp;#8221; she said &amp;amp; left.</p>", "“Hello,” she said & left."},
		{"double escaped named entity", "<p>Rock &amp;amp; roll &amp;ndash; live</p>", "Rock & roll – live"},
		{"br", "Line one<br>Line two<br/><br/>Line three", "Line one\n\nLine two\n\nLine three"},
		{"nested blocks", "<div><div><p>A</p>text<ul><li>x</li><li>y</li></ul></div></div>", "A\n\ntext\n\nx\n\ny"},
		{"inline elements", `<p>The <b>bold</b> <a href="#">link</a>ed <em>word</em></p>`, "The bold linked word"},
		{"headings and blockquote", "<h2>Title</h2><blockquote><p>Quote</p></blockquote><section>End</section>", "Title\n\nQuote\n\nEnd"},
		{"scripts and styles", `<p>Before</p><script>var x = "<p>no</p>";</script><style>p{color:red}</style><noscript>enable js</noscript><p>After</p>`, "Before\n\nAfter"},
		{"figure and caption", `<p>Text.</p><figure><img src="x.jpg" alt="a tank"><figcaption>Photo: AP</figcaption></figure><p>More.</p>`, "Text.\n\nMore."},
		{"stray figcaption", `<p>Text.<figcaption>Credit</figcaption></p>`, "Text."},
		{"share and related widgets", `<p>Body.</p><div class="share-buttons">Share on X</div><div id="related-posts"><p>Other story</p></div><div class="newsletter-signup">Sign up</div><ul class="social-links"><li>Follow</li></ul>`, "Body."},
		{"page chrome", `<nav>Home</nav><p>Hi<!-- a comment --> there<button>Click</button></p><aside>Ad</aside><iframe src="x"></iframe><svg><text>t</text></svg><form><input value="q">Search</form><footer>© 2024</footer>`, "Hi there"},
		{"hidden elements", `<p>Seen</p><p hidden>Unseen</p><p style="display: none">Gone</p>`, "Seen"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"},
		{"whitespace and nbsp", "<p>  a&nbsp;&nbsp;b\n\tc\u200b </p>", "a b c"},
		{"full document", "<!DOCTYPE html><html><head><title>T</title><meta charset=utf-8></head><body><article><p>Story.</p></article></body></html>", "Story."},
		{"feed boilerplate", "<p>Text.</p><p>The post Herald ships appeared first on Example News.</p><p><a href='x'>Continue reading…</a></p>", "Text."},
		{"plain text", "First line\nsame paragraph\r\n\r\nSecond  paragraph\n\n\n\n  Third ", "First line same paragraph\n\nSecond paragraph\n\nThird"},
		{"plain text with entities", "Tom &amp; Jerry &#8220;again&#8221;", "Tom & Jerry “again”"},
		{"plain text with comparison", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"escaped html", "&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;", "One\n\nTwo & three"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
