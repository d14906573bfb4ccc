package summary

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tagRE recognises something that is certainly markup: an opening or closing
// tag with a letter after "<", or a comment. "a < b" and "x<3" are not tags.
var tagRE = regexp.MustCompile(`<(?:[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|/[a-zA-Z][a-zA-Z0-9-]*\s*>|!--)`)

// PlainText turns feed HTML (or plain text) into plain text: paragraphs
// separated by exactly one blank line, white space inside a paragraph
// collapsed to single spaces, entities decoded (also the doubly escaped ones
// feeds produce, such as "&amp;amp;" or "&amp;#8220;"). Block elements (p,
// div, li, h1–h6, blockquote, br, tr, section, article…) end a paragraph;
// scripts, styles, figures and captions, frames, SVG, forms, buttons,
// navigation, asides, footers, comments and elements whose class or id names a
// share, social, related-articles or newsletter widget are dropped.
//
// Input without any tag is taken as text: blank lines separate paragraphs and
// single line breaks inside a paragraph become spaces. Input whose tags are
// themselves escaped ("&lt;p&gt;…") is unescaped and read as HTML.
func PlainText(s string) string {
	if !tagRE.MatchString(s) {
		u := unescape(s)
		if u != s && tagRE.MatchString(u) {
			return htmlText(u)
		}
		return joinParagraphs(paragraphs(u))
	}
	return htmlText(s)
}

// unescape decodes HTML entities up to three times, which undoes the double
// (and the rare triple) escaping some feed generators apply.
func unescape(s string) string {
	for range 3 {
		if !strings.Contains(s, "&") {
			break
		}
		u := html.UnescapeString(s)
		if u == s {
			break
		}
		s = u
	}
	return s
}

// joinParagraphs drops the boilerplate paragraphs feeds append and joins the
// rest with one blank line.
func joinParagraphs(paras []string) string {
	out := paras[:0:0]
	for _, p := range paras {
		if boilerplateRE.MatchString(p) {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

// boilerplateRE matches whole paragraphs that blog engines add to feed items.
var boilerplateRE = regexp.MustCompile(`(?i)^(?:the post .+ appeared first on .+|(?:continue reading|read more)\b.{0,60})$`)

// htmlText extracts the text of an HTML document or fragment.
func htmlText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// The parser is lenient and practically never fails; if it does,
		// strip the tags and keep what is left.
		return joinParagraphs(paragraphs(unescape(tagRE.ReplaceAllString(s, "\n\n"))))
	}
	var b textBuilder
	b.walk(doc)
	b.flush()
	return joinParagraphs(b.paras)
}

// textBuilder collects the paragraphs of an HTML tree.
type textBuilder struct {
	paras []string
	cur   strings.Builder
}

// flush ends the current paragraph.
func (b *textBuilder) flush() {
	if p := collapse(b.cur.String()); p != "" {
		b.paras = append(b.paras, p)
	}
	b.cur.Reset()
}

func (b *textBuilder) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// The parser decoded one level of entities; a second level means
		// the feed escaped its HTML twice.
		b.cur.WriteString(unescape(n.Data))
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		block := blockElements[n.DataAtom]
		if dropped(n) {
			if block {
				b.flush()
			}
			return
		}
		switch n.DataAtom {
		case atom.Br, atom.Hr:
			b.flush()
			return
		case atom.Td, atom.Th:
			b.cur.WriteByte(' ')
			defer b.cur.WriteByte(' ')
		case atom.Img:
			return
		}
		if block {
			b.flush()
			defer b.flush()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.walk(c)
	}
}

// blockElements end the paragraph before and after them.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true,
	atom.Details: true, atom.Dialog: true, atom.Dir: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Html: true, atom.Legend: true,
	atom.Li: true, atom.Main: true, atom.Menu: true, atom.Nav: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Summary: true, atom.Table: true, atom.Tbody: true, atom.Tfoot: true,
	atom.Thead: true, atom.Tr: true, atom.Ul: true, atom.Iframe: true,
	atom.Video: true, atom.Audio: true, atom.Canvas: true, atom.Svg: true,
}

// droppedElements never contribute text to an article.
var droppedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Figure: true,
	atom.Figcaption: true, atom.Iframe: true, atom.Svg: true, atom.Math: true,
	atom.Form: true, atom.Button: true, atom.Nav: true, atom.Aside: true,
	atom.Footer: true, atom.Head: true, atom.Title: true, atom.Template: true,
	atom.Select: true, atom.Textarea: true, atom.Input: true, atom.Object: true,
	atom.Embed: true, atom.Video: true, atom.Audio: true, atom.Canvas: true,
	atom.Map: true, atom.Dialog: true,
}

// widgetWords in a class or id mark the widgets that surround article text.
var widgetWords = []string{"share", "social", "related", "newsletter"}

// dropped reports whether an element and everything inside it are left out.
func dropped(n *html.Node) bool {
	if droppedElements[n.DataAtom] || n.Data == "svg" || n.Data == "math" {
		return true
	}
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main:
		// A page-level class never says the whole article is a widget.
		return false
	}
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "class", "id":
			v := strings.ToLower(a.Val)
			for _, w := range widgetWords {
				if strings.Contains(v, w) {
					return true
				}
			}
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			v := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(v, "display:none") {
				return true
			}
		}
	}
	return false
}
