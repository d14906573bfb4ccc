package telegram

import (
	"strings"
	"unicode/utf8"

	"herald/bot"
)

// MaxLength is the longest message Telegram accepts, in code points of the
// text after its HTML is parsed.
const MaxLength = 4096

// maxRawBytes is the server's limit on the text parameter before parsing.
const maxRawBytes = 32768

var (
	htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// render returns m in Telegram's HTML parse mode, and the text Telegram shows
// once it has parsed that HTML: the same characters without the tags. Feed
// text is always escaped; blocks are separated by a blank line, list items
// start with "• ", quotes are blockquotes.
func render(m bot.Message) (html, text string) {
	var h, t strings.Builder
	for i, b := range m.Blocks {
		if i > 0 {
			h.WriteString("\n\n")
			t.WriteString("\n\n")
		}
		if b.Kind == bot.KindQuote {
			h.WriteString("<blockquote>")
		}
		for j, line := range b.Lines {
			if j > 0 {
				h.WriteString("\n")
				t.WriteString("\n")
			}
			if b.Kind == bot.KindList {
				h.WriteString("• ")
				t.WriteString("• ")
			}
			for _, s := range line {
				renderSpan(&h, &t, s)
			}
		}
		if b.Kind == bot.KindQuote {
			h.WriteString("</blockquote>")
		}
	}
	return h.String(), t.String()
}

func renderSpan(h, t *strings.Builder, s bot.Span) {
	if s.Text == "" {
		return
	}
	var closers []string
	open := func(tag, closer string) {
		h.WriteString(tag)
		closers = append(closers, closer)
	}
	if s.URL != "" {
		open(`<a href="`+attrEscaper.Replace(s.URL)+`">`, "</a>")
	}
	if s.Bold {
		open("<b>", "</b>")
	}
	if s.Italic {
		open("<i>", "</i>")
	}
	if s.Code {
		open("<code>", "</code>")
	}
	h.WriteString(htmlEscaper.Replace(s.Text))
	t.WriteString(s.Text)
	for i := len(closers) - 1; i >= 0; i-- {
		h.WriteString(closers[i])
	}
}

// withoutLinks returns m with every link dropped, keeping the text: the way
// to stay under the server's byte limit when long URLs are the problem.
func withoutLinks(m bot.Message) bot.Message {
	out := bot.Message{Blocks: make([]bot.Block, len(m.Blocks))}
	for i, b := range m.Blocks {
		nb := b
		nb.Lines = make([]bot.Line, len(b.Lines))
		for j, line := range b.Lines {
			nl := make(bot.Line, len(line))
			for k, s := range line {
				s.URL = ""
				nl[k] = s
			}
			nb.Lines[j] = nl
		}
		out.Blocks[i] = nb
	}
	return out
}

// inlineLinks returns m with each link's URL written after its text, for
// the plain-text fallback where links cannot be hidden behind text.
func inlineLinks(m bot.Message) bot.Message {
	out := withoutLinks(m)
	for i, b := range m.Blocks {
		for j, line := range b.Lines {
			var nl bot.Line
			for k, s := range line {
				nl = append(nl, out.Blocks[i].Lines[j][k])
				if s.URL != "" && s.URL != s.Text {
					nl = append(nl, bot.Plain(" "+s.URL))
				}
			}
			out.Blocks[i].Lines[j] = nl
		}
	}
	return out
}

// format renders m for sending: shortened to limit characters after parsing
// (see fit) and, if long URLs still make the HTML too big for the server,
// without its links.
func format(m bot.Message, limit int) (html, text string) {
	m = fit(m, limit)
	html, text = render(m)
	if len(html) > maxRawBytes {
		html, text = render(withoutLinks(m))
	}
	return html, text
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

func lineLen(l bot.Line) int {
	n := 0
	for _, s := range l {
		n += runeLen(s.Text)
	}
	return n
}

// blockLen is the length of a block's text after parsing.
func blockLen(b bot.Block) int {
	n := 0
	for j, l := range b.Lines {
		if j > 0 {
			n++ // "\n"
		}
		if b.Kind == bot.KindList {
			n += 2 // "• "
		}
		n += lineLen(l)
	}
	return n
}

func messageLen(blocks []bot.Block) int {
	n := 0
	for i, b := range blocks {
		if i > 0 {
			n += 2 // "\n\n"
		}
		n += blockLen(b)
	}
	return n
}

// fit returns m shortened so that its text after parsing has at most limit
// code points, as the server counts them. It works on the message model, not
// on the HTML, so a cut can never fall inside a tag or a character
// reference. Blocks marked Keep (an alert's linked title) stay; the others
// are kept in order while they fit, the first that does not is cut at a
// sentence boundary (else a word boundary) and ends in "…", and the rest are
// dropped, with a "…" paragraph saying so when nothing was cut. Quotes are
// never cut: a cut quote would misquote. Only when the kept blocks alone are
// too long are they cut too.
func fit(m bot.Message, limit int) bot.Message {
	if messageLen(m.Blocks) <= limit {
		return m
	}
	if out := fitBlocks(m.Blocks, limit); messageLen(out) <= limit {
		return bot.Message{Blocks: out}
	}
	all := make([]bot.Block, len(m.Blocks))
	for i, b := range m.Blocks {
		b.Keep = false
		all[i] = b
	}
	return bot.Message{Blocks: fitBlocks(all, limit)}
}

func fitBlocks(blocks []bot.Block, limit int) []bot.Block {
	budget := limit - 3 // room for a closing "\n\n…" paragraph
	sizes := make([]int, len(blocks))
	keepAfter := make([]int, len(blocks)+1) // room the Keep blocks from i on need
	for i := len(blocks) - 1; i >= 0; i-- {
		sizes[i] = blockLen(blocks[i])
		keepAfter[i] = keepAfter[i+1]
		if blocks[i].Keep {
			keepAfter[i] += sizes[i] + 2
		}
	}
	var out []bot.Block
	used, dropAt := 0, -1
	cut := false
	for i, b := range blocks {
		sep := 0
		if len(out) > 0 {
			sep = 2
		}
		if b.Keep {
			out = append(out, b)
			used += sep + sizes[i]
			continue
		}
		if dropAt >= 0 {
			continue
		}
		avail := budget - used - sep - keepAfter[i+1]
		if sizes[i] <= avail {
			out = append(out, b)
			used += sep + sizes[i]
			continue
		}
		dropAt = len(out)
		if b.Kind == bot.KindQuote {
			continue
		}
		if cb, ok := cutBlock(b, avail); ok {
			out = append(out, cb)
			used += sep + blockLen(cb)
			cut = true
		}
	}
	if dropAt >= 0 && !cut {
		out = append(out[:dropAt], append([]bot.Block{bot.Para(bot.Plain("…"))}, out[dropAt:]...)...)
	}
	return out
}

// minCut is the shortest piece of a line worth keeping when cutting it.
const minCut = 24

// cutBlock shortens b to at most avail characters: whole lines while they
// fit, then the next line cut short, ending in "…". ok is false when too
// little of b would remain.
func cutBlock(b bot.Block, avail int) (bot.Block, bool) {
	prefix := 0
	if b.Kind == bot.KindList {
		prefix = 2
	}
	var lines []bot.Line
	used := 0
	for j, l := range b.Lines {
		sep := 0
		if j > 0 {
			sep = 1
		}
		// Keep room for the marker: "…" after a line, or a "• …" item.
		marker := 1
		if b.Kind == bot.KindList {
			marker = 1 + prefix + 1
		}
		if used+sep+prefix+lineLen(l)+marker <= avail {
			lines = append(lines, l)
			used += sep + prefix + lineLen(l)
			continue
		}
		room := avail - used - sep - prefix - 1
		if room >= minCut || (len(lines) == 0 && room > 0 && lineLen(l) > 0 && room >= min(minCut, avail/2)) {
			lines = append(lines, cutLine(l, room))
			return bot.Block{Kind: b.Kind, Lines: lines, Keep: b.Keep}, true
		}
		break
	}
	if len(lines) == 0 {
		return bot.Block{}, false
	}
	if b.Kind == bot.KindList {
		lines = append(lines, bot.Line{bot.Plain("…")})
	} else {
		last := append(bot.Line(nil), lines[len(lines)-1]...)
		lines[len(lines)-1] = append(last, bot.Plain("…"))
	}
	return bot.Block{Kind: b.Kind, Lines: lines, Keep: b.Keep}, true
}

// cutLine shortens a line to at most n characters of its text plus "…",
// cutting at a sentence or word boundary (see bot.CutPoint). Spans keep
// their styles and links; a span cut in two keeps its first part.
func cutLine(l bot.Line, n int) bot.Line {
	var all []rune
	for _, s := range l {
		all = append(all, []rune(s.Text)...)
	}
	at := bot.CutPoint(all, n)
	var out bot.Line
	seen := 0
	for _, s := range l {
		r := []rune(s.Text)
		if seen >= at {
			break
		}
		if seen+len(r) > at {
			s.Text = string(r[:at-seen])
		}
		seen += len(r)
		out = append(out, s)
	}
	// Drop the space or dangling punctuation before the marker.
	for len(out) > 0 {
		last := &out[len(out)-1]
		last.Text = strings.TrimRight(last.Text, " ,;:-–—")
		if last.Text != "" {
			break
		}
		out = out[:len(out)-1]
	}
	return append(out, bot.Plain("…"))
}
