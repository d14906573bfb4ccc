package watchers

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// foldSpace trims s of white space and folds its runs of ASCII white space
// and line breaks to single spaces.
// Control characters go: C1 controls (U+0080–U+009F, from "&#150;" and
// the like) become the windows-1252 characters HTML5 reads them as, the
// rest are dropped.
func foldSpace(s string) string {
	if strings.ContainsFunc(s, isStrayControl) {
		s = strings.Map(func(r rune) rune {
			switch {
			case r >= 0x80 && r <= 0x9F:
				if c := c1Chars[r-0x80]; c != 0 {
					return c
				}
				return -1
			case isStrayControl(r):
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimFunc(strings.Join(strings.FieldsFunc(s, isBreakingSpace), " "), unicode.IsSpace)
}

// isBreakingSpace reports the white space foldSpace folds: ASCII white
// space and line breaks. No-break and other typographic spaces are the
// publisher's text and stay.
func isBreakingSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// isStrayControl reports a control character that is not white space.
func isStrayControl(r rune) bool {
	return unicode.IsControl(r) && !unicode.IsSpace(r)
}

// c1Chars are the characters windows-1252 has at 0x80–0x9F, which HTML5
// substitutes for those C1 controls; 0 where it has none.
var c1Chars = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// htmlText returns the text of an HTML fragment as plain text: tags
// dropped, the contents of script, style and other non-text elements
// dropped, entities decoded (once: the fragment's own escaping), white space
// folded.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return foldSpace(s)
	}
	s = dropRawText(s)
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return foldSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if n := string(name); n == "br" || blockElements[n] {
				b.WriteByte(' ')
			}
		}
	}
}

// rawTextNames are the elements whose contents are not text to show.
var rawTextNames = []string{"script", "style", "noscript", "iframe", "template", "textarea", "title",
	"xmp", "noembed", "noframes", "object", "applet", "embed"}

// dropRawText removes script, style and their like with their contents. The
// HTML tokenizer would do the same only for a closed element: an unclosed
// <script> in escaped text would swallow everything after it, so an element
// without its end tag loses only its start tag.
func dropRawText(s string) string { return dropRaw(s, "<", ">") }

// dropRaw is dropRawText with the tags delimited by lt and gt: "<" and ">",
// or "&lt;" and "&gt;" for HTML escaped once more, which a reader of the
// text unescapes and would then run into. It runs in linear time whatever
// the input: each end tag is looked for once per element name, from where
// the last search ended.
func dropRaw(s, lt, gt string) string {
	if !strings.Contains(s, lt) {
		return s
	}
	lower := asciiLower(s)
	var (
		b       strings.Builder
		pos     int
		noClose = map[string]bool{}
	)
	for {
		i := strings.Index(lower[pos:], lt)
		if i < 0 {
			break
		}
		i += pos
		name := rawNameAt(lower[i+len(lt):], gt)
		if name == "" {
			b.WriteString(s[pos : i+len(lt)])
			pos = i + len(lt)
			continue
		}
		tagEnd := strings.Index(lower[i:], gt)
		if tagEnd < 0 {
			break // the start tag never ends: leave the rest as it is
		}
		tagEnd += i + len(gt)
		b.WriteString(s[pos:i])
		closing := lt + "/" + name
		end := -1
		if !noClose[name] {
			end = strings.Index(lower[tagEnd:], closing)
			noClose[name] = end < 0
		}
		if end < 0 {
			pos = tagEnd // unclosed: drop the tag only
			continue
		}
		after := tagEnd + end + len(closing)
		if g := strings.Index(lower[after:], gt); g >= 0 {
			pos = after + g + len(gt)
		} else {
			pos = len(s)
		}
		b.WriteByte(' ')
	}
	b.WriteString(s[pos:])
	return b.String()
}

// rawNameAt returns the raw-text element whose name starts s (lower case)
// and ends at white space, '/' or gt; "" when there is none.
func rawNameAt(s, gt string) string {
	for _, n := range rawTextNames {
		if !strings.HasPrefix(s, n) {
			continue
		}
		rest := s[len(n):]
		if rest == "" || strings.HasPrefix(rest, gt) || strings.ContainsRune(" \t\n\r\f/", rune(rest[0])) {
			return n
		}
	}
	return ""
}

// sanitizeContent drops script, style and their like from an item's HTML,
// raw or escaped once more, so that no later reader of it (summaries,
// quotes, search) shows their code, and an unclosed one swallows nothing.
func sanitizeContent(s string) string {
	return dropRaw(dropRaw(s, "<", ">"), "&lt;", "&gt;")
}

// asciiLower lower-cases the ASCII letters of s only, so that byte offsets
// in the result are those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// markupTag matches an HTML start, end or empty tag, capturing its name.
var markupTag = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>`)

// entityRef matches a character or named entity reference.
var entityRef = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)

// rssText turns an RSS title, XML-decoded once, into plain text. RSS titles
// carry no type (RSS 2.0 says only "the title of the item"): the text is
// taken as it is, unless it really is markup, which is when every tag in it
// names an HTML element herald knows and at least one is there. A title in
// CDATA that holds entity references is HTML-escaped text too (the CDATA
// section kept them from the XML decoder), so it is decoded once more.
func rssText(s string) string {
	if looksLikeMarkup(s) {
		return htmlText(s)
	}
	return foldSpace(s)
}

// rssCDATAText is rssText for a title that came in CDATA.
func rssCDATAText(s string) string {
	if looksLikeMarkup(s) || entityRef.MatchString(s) {
		return htmlText(s)
	}
	return foldSpace(s)
}

// looksLikeMarkup reports whether s holds HTML tags, all of known elements.
func looksLikeMarkup(s string) bool {
	if !strings.Contains(s, "<") {
		return false
	}
	tags := markupTag.FindAllStringSubmatch(s, -1)
	if len(tags) == 0 {
		return false
	}
	for _, t := range tags {
		n := strings.ToLower(t[1])
		if !knownElements[n] && !rawTextElements[n] {
			return false
		}
	}
	return true
}

// rawTextElements are the elements whose contents never show as text.
var rawTextElements = map[string]bool{"script": true, "style": true, "noscript": true, "iframe": true, "object": true, "embed": true, "applet": true, "template": true}

// knownElements are the HTML elements whose tags in an RSS title make it
// markup.
var knownElements = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`a abbr acronym address area article aside b bdi bdo big blockquote br
		caption center cite code col colgroup dd del dfn div dl dt em figcaption figure font footer
		h1 h2 h3 h4 h5 h6 header hr i img ins kbd label li mark nav ol p pre q s samp section small
		span strike strong sub sup table tbody td tfoot th thead time tr tt u ul var wbr`) {
		m[n] = true
	}
	return m
}()

// maxLeadTitle is how long, in runes, a title made from an item's text may be.
const maxLeadTitle = 120

// firstSentence returns the first sentence of an item's text (HTML), as a
// title for an item without one: cut at a word boundary, with an ellipsis,
// when it is longer than maxLeadTitle.
func firstSentence(content string) string {
	// The first sentence is near the start: the rest need not be read.
	text := htmlText(capString(content, 16<<10))
	if text == "" {
		return ""
	}
	end := len(text)
	for i, r := range text {
		if r == '.' || r == '!' || r == '?' || r == '。' {
			j := i + utf8.RuneLen(r)
			if j == len(text) || text[j] == ' ' {
				// "Mr. Smith", "U.S. troops": a capital before the dot
				// and a short word are most likely an abbreviation.
				if r == '.' && abbreviation(text[:i]) {
					continue
				}
				end = j
				break
			}
		}
	}
	s := text[:end]
	if utf8.RuneCountInString(s) <= maxLeadTitle {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == maxLeadTitle {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > maxLeadTitle/2 {
		cut = sp
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// abbreviation reports whether the word before a dot looks like an
// abbreviation (one or two letters, the first a capital: "Mr", "U.S", "J").
func abbreviation(before string) bool {
	w := before[strings.LastIndexAny(before, " .")+1:]
	if w == "" || utf8.RuneCountInString(w) > 2 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}
