package slack

import (
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"herald/bot"
	"herald/news"
)

// Limits the rendering keeps. Slack refuses a section or text object over
// 3000 characters and a message over 50 blocks, and cuts a text over
// 40,000 characters; lengths are counted here in UTF-16 code units, which
// is never less than Slack's count.
const (
	MaxSectionText = 3000
	MaxBlocks      = 50
	// MaxContextElements is Slack's limit on a context block's elements.
	MaxContextElements = 10
	// MaxMessageText is the most text all the blocks of one message may
	// hold together: well under Slack's 40,000, so an alert stays readable.
	MaxMessageText = 12000
	// MaxFallback is the length of the notification text sent with blocks.
	MaxFallback = 300
)

// Limits of the buttons under a message: Slack refuses an actions block of
// more than 25 elements, a button label over 75 characters and a value
// over 2000 (counted here in UTF-16 code units, as above).
const (
	MaxButtons     = 25
	MaxButtonText  = 75
	MaxButtonValue = 2000
)

// actionIDPrefix starts the action_id of herald's buttons; the action's
// index in the message follows ("herald_action_0"). A press of a button
// whose action_id does not start with it is not herald's.
const actionIDPrefix = "herald_action_"

var (
	// mrkdwnEscaper writes &, < and > as entities, and fences the emphasis
	// markers * _ ~ ` with zero-width spaces: mrkdwn has no escape for them
	// [SL-FMT], and a marker with a non-space, non-punctuation character on
	// both sides can neither open nor close a span, so a headline such as
	// "*Breaking* _now_" shows as typed instead of bold and italic.
	mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;",
		"*", zwsp+"*"+zwsp, "_", zwsp+"_"+zwsp, "~", zwsp+"~"+zwsp, "`", zwsp+"`"+zwsp)
	// In a link's URL '|' would end the URL and '<' '>' the link; none is
	// valid in a URL unencoded, so they are percent-encoded.
	urlEscaper = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C")
)

// zwsp is U+200B ZERO WIDTH SPACE: invisible, and neither white space nor
// punctuation, so it keeps the emphasis marker next to it inert.
const zwsp = "\u200b"

// escape makes text safe in mrkdwn: with &, < and > written as entities,
// no feed text can open a link, a mention (<@U…>) or a broadcast
// (<!channel>); with its emphasis markers fenced, none can format.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// textLen is a text's length in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// renderSpan writes a span as mrkdwn. Spaces at its ends stay outside the
// emphasis markers, where Slack needs them; a link whose URL is not a safe
// http(s) URL loses its link.
func renderSpan(s bot.Span) string {
	if s.Text == "" {
		return ""
	}
	core := strings.Trim(s.Text, " ")
	if core == "" {
		return s.Text
	}
	lead := s.Text[:strings.Index(s.Text, core)]
	trail := s.Text[len(lead)+len(core):]
	body := escape(core)
	if u := bot.SafeURL(s.URL); u != "" {
		body = "<" + urlEscaper.Replace(u) + "|" + body + ">"
	}
	if s.Code {
		body = "`" + body + "`"
	}
	if s.Italic {
		body = "_" + body + "_"
	}
	if s.Bold {
		body = "*" + body + "*"
	}
	return lead + body + trail
}

func renderLine(l bot.Line) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(renderSpan(s))
	}
	return b.String()
}

func plainLine(l bot.Line) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}

// unit is one Slack block to be: a section of lines, or a context block
// with one element per line.
type unit struct {
	context bool
	kind    bot.BlockKind
	lines   []bot.Line
	keep    bool
}

// linePrefix is what starts each line of a section of kind.
func linePrefix(kind bot.BlockKind) string {
	switch kind {
	case bot.KindList:
		return "• "
	case bot.KindQuote:
		return "> " // a raw '>' at the start of a line quotes it
	}
	return ""
}

// texts renders the unit: one text for a section, one per element for a
// context block.
func (u unit) texts() []string {
	if u.context {
		out := make([]string, len(u.lines))
		for i, l := range u.lines {
			out[i] = renderLine(l)
		}
		return out
	}
	parts := make([]string, len(u.lines))
	for i, l := range u.lines {
		parts[i] = linePrefix(u.kind) + renderLine(l)
	}
	return []string{strings.Join(parts, "\n")}
}

func (u unit) size() int {
	n := 0
	for _, t := range u.texts() {
		n += textLen(t)
	}
	return n
}

func italicOnly(l bot.Line) bool {
	any := false
	for _, s := range l {
		if strings.TrimSpace(s.Text) == "" {
			continue
		}
		if !s.Italic || s.Bold || s.Code || s.URL != "" {
			return false
		}
		any = true
	}
	return any
}

// unitsOf lays a message out as Slack blocks: a paragraph's lines in
// italics only (an alert's source line, its matched terms) become a context
// block, in Slack's small grey type and without the italics; everything
// else becomes sections.
func unitsOf(m bot.Message) []unit {
	var out []unit
	for _, b := range m.Blocks {
		if len(b.Lines) == 0 {
			continue
		}
		if b.Kind != bot.KindParagraph {
			out = append(out, unit{kind: b.Kind, lines: b.Lines, keep: b.Keep})
			continue
		}
		var cur *unit
		for _, l := range b.Lines {
			ctx := italicOnly(l)
			if ctx {
				l = unitalic(l)
			}
			if cur == nil || cur.context != ctx {
				out = append(out, unit{context: ctx, kind: bot.KindParagraph, keep: b.Keep})
				cur = &out[len(out)-1]
			}
			cur.lines = append(cur.lines, l)
		}
	}
	return out
}

func unitalic(l bot.Line) bot.Line {
	out := make(bot.Line, len(l))
	for i, s := range l {
		s.Italic = false
		out[i] = s
	}
	return out
}

// split breaks units that are over a block's limits: a section over
// MaxSectionText into several at line boundaries (a line too long alone is
// cut), a context block into blocks of MaxContextElements elements, each
// element cut to MaxSectionText.
func split(units []unit) []unit {
	var out []unit
	for _, u := range units {
		if u.context {
			var lines []bot.Line
			for _, l := range u.lines {
				if textLen(renderLine(l)) > MaxSectionText {
					l = cutLine(l, MaxSectionText)
				}
				lines = append(lines, l)
			}
			for len(lines) > 0 {
				n := min(len(lines), MaxContextElements)
				out = append(out, unit{context: true, kind: u.kind, lines: lines[:n], keep: u.keep})
				lines = lines[n:]
			}
			continue
		}
		prefix := textLen(linePrefix(u.kind))
		cur := unit{kind: u.kind, keep: u.keep}
		used := 0
		for _, l := range u.lines {
			n := prefix + textLen(renderLine(l))
			if n > MaxSectionText {
				l = cutLine(l, MaxSectionText-prefix)
				n = prefix + textLen(renderLine(l))
			}
			sep := 0
			if len(cur.lines) > 0 {
				sep = 1
			}
			if len(cur.lines) > 0 && used+sep+n > MaxSectionText {
				out = append(out, cur)
				cur = unit{kind: u.kind, keep: u.keep}
				used, sep = 0, 0
			}
			cur.lines = append(cur.lines, l)
			used += sep + n
		}
		if len(cur.lines) > 0 {
			out = append(out, cur)
		}
	}
	return out
}

// ellipsis is the section that says something was left out.
var ellipsis = unit{kind: bot.KindParagraph, lines: []bot.Line{{bot.Plain("…")}}}

// fit keeps a message within the given number of blocks (MaxBlocks, less
// the room an actions block needs) and MaxMessageText characters. Units
// marked keep stay; the others are kept in order while they fit, the first
// that does not is cut at a sentence boundary (else a word boundary) and
// ends in "…", and the rest are dropped, with a "…" section saying so when
// nothing was cut. Quotes are never cut to fit: a
// cut quote would misquote. Only when the kept units alone are too long
// are they cut too.
func fit(units []unit, blocks int) []unit {
	if len(units) <= blocks && total(units) <= MaxMessageText {
		return units
	}
	if out := fitUnits(units, MaxMessageText, blocks); len(out) <= blocks && total(out) <= MaxMessageText {
		return out
	}
	all := make([]unit, len(units))
	for i, u := range units {
		u.keep = false
		all[i] = u
	}
	return fitUnits(all, MaxMessageText, blocks)
}

func total(units []unit) int {
	n := 0
	for _, u := range units {
		n += u.size()
	}
	return n
}

func fitUnits(units []unit, budget, blocks int) []unit {
	budget -= ellipsis.size()
	blocks--
	sizes := make([]int, len(units))
	keepSize := make([]int, len(units)+1) // room the keep units from i on need
	keepCount := make([]int, len(units)+1)
	for i := len(units) - 1; i >= 0; i-- {
		sizes[i] = units[i].size()
		keepSize[i], keepCount[i] = keepSize[i+1], keepCount[i+1]
		if units[i].keep {
			keepSize[i] += sizes[i]
			keepCount[i]++
		}
	}
	var out []unit
	used, dropAt, cut := 0, -1, false
	for i, u := range units {
		if u.keep {
			out = append(out, u)
			used += sizes[i]
			continue
		}
		if dropAt >= 0 {
			continue
		}
		avail := budget - used - keepSize[i+1]
		room := blocks - len(out) - keepCount[i+1]
		if room > 0 && sizes[i] <= avail {
			out = append(out, u)
			used += sizes[i]
			continue
		}
		dropAt = len(out)
		if room <= 0 || u.kind == bot.KindQuote || u.context {
			continue
		}
		if cu, ok := cutUnit(u, avail); ok {
			out = append(out, cu)
			used += cu.size()
			cut = true
		}
	}
	if dropAt >= 0 && !cut {
		out = append(out[:dropAt], append([]unit{ellipsis}, out[dropAt:]...)...)
	}
	return out
}

// minCut is the shortest piece of a section worth keeping when cutting it.
const minCut = 40

// cutUnit shortens a section to at most avail characters: whole lines
// while they fit, then the next line cut short, ending in "…". ok is false
// when too little would remain.
func cutUnit(u unit, avail int) (unit, bool) {
	prefix := textLen(linePrefix(u.kind))
	out := unit{kind: u.kind, keep: u.keep}
	used := 0
	for _, l := range u.lines {
		sep := 0
		if len(out.lines) > 0 {
			sep = 1
		}
		n := prefix + textLen(renderLine(l))
		if used+sep+n+1 <= avail {
			out.lines = append(out.lines, l)
			used += sep + n
			continue
		}
		room := avail - used - sep - prefix
		if room >= minCut {
			out.lines = append(out.lines, cutLine(l, room))
			return out, true
		}
		break
	}
	if len(out.lines) == 0 {
		return unit{}, false
	}
	last := append(bot.Line(nil), out.lines[len(out.lines)-1]...)
	out.lines[len(out.lines)-1] = append(last, bot.Plain(" …"))
	return out, true
}

// cutLine shortens a line so that, rendered, it takes at most max
// characters with the "…" that marks the cut. It cuts the text, never the
// markup, at a sentence boundary when one is near, else at a word (see
// bot.CutPoint); spans keep their styles and links. When even the links
// alone do not fit, they are dropped.
func cutLine(l bot.Line, max int) bot.Line {
	var all []rune
	for _, s := range l {
		all = append(all, []rune(s.Text)...)
	}
	fits := func(n int) bool { return textLen(renderLine(append(prefixSpans(l, n), bot.Plain("…")))) <= max }
	if !fits(0) {
		l = withoutLinks(l)
		if !fits(0) {
			return bot.Line{bot.Plain("…")}
		}
	}
	lo, hi := 0, len(all)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out := prefixSpans(l, bot.CutPoint(all, lo))
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

// prefixSpans returns the spans of l holding its first n characters.
func prefixSpans(l bot.Line, n int) bot.Line {
	var out bot.Line
	seen := 0
	for _, s := range l {
		if seen >= n {
			break
		}
		r := []rune(s.Text)
		if seen+len(r) > n {
			s.Text = string(r[:n-seen])
		}
		seen += len(r)
		if s.Text != "" {
			out = append(out, s)
		}
	}
	return out
}

func withoutLinks(l bot.Line) bot.Line {
	out := make(bot.Line, len(l))
	for i, s := range l {
		s.URL = ""
		out[i] = s
	}
	return out
}

// rendered is a message ready to post.
type rendered struct {
	blocks []slack.Block
	// fallback is the plain notification text sent with the blocks
	// (escaped when sent).
	fallback string
	// mrkdwn is the whole message as one mrkdwn text, for when Slack
	// refuses the blocks.
	mrkdwn string
}

// render lays m out as Block Kit within Slack's limits, its actions as
// buttons in an actions block at the end (which the 50 blocks include).
func render(m bot.Message) rendered {
	actions := actionsBlock(m.Actions)
	blocks := MaxBlocks
	if actions != nil {
		blocks--
	}
	r := build(fit(split(unitsOf(m)), blocks), fallbackOf(m))
	if actions != nil {
		r.blocks = append(r.blocks, actions)
	}
	return r
}

// actionsBlock returns an actions block with a button for each action, or
// nil when there are none. A button's value is the action's Data, which a
// press sends back; its action_id is actionIDPrefix and the action's
// index; its label is plain text, cut to MaxButtonText. The first
// MaxButtons actions are shown; an action without a label, or whose Data
// is empty or over MaxButtonValue, is left out (the message's text says
// how to type each command anyway).
func actionsBlock(actions []bot.Action) *slack.ActionBlock {
	var buttons []slack.BlockElement
	for i, a := range actions {
		if len(buttons) == MaxButtons {
			break
		}
		label, value := shortenUnits(bot.Clean(a.Label), MaxButtonText), a.Data()
		if label == "" || strings.TrimSpace(value) == "" || textLen(value) > MaxButtonValue {
			continue
		}
		text := slack.NewTextBlockObject(slack.PlainTextType, label, false, false)
		buttons = append(buttons, slack.NewButtonBlockElement(actionIDPrefix+strconv.Itoa(i), value, text))
	}
	if len(buttons) == 0 {
		return nil
	}
	return slack.NewActionBlock("", buttons...)
}

// shortenUnits is bot.Shorten for a limit in UTF-16 code units.
func shortenUnits(s string, max int) string {
	for n := max; n > 0; n-- {
		if t := bot.Shorten(s, n); textLen(t) <= max {
			return t
		}
	}
	return ""
}

// renderAlert lays an alert out: its bold linked title, a context line
// with the source, time, topic and matched terms, the summary, and each
// quote as a quoted section ending in "— Speaker".
func renderAlert(a news.Alert, loc *time.Location, now time.Time) rendered {
	m := bot.AlertMessage(a, loc, now)
	units := unitsOf(m)
	// AlertMessage ends in the matched terms, kept; Slack shows them in the
	// context line under the title with the source.
	if n := len(units); n > 2 && units[n-1].context && units[n-1].keep && units[1].context {
		units[1].lines = append(units[1].lines, units[n-1].lines...)
		units = units[:n-1]
	}
	return build(fit(split(units), MaxBlocks), fallbackOf(m))
}

// fallbackOf is the notification text of m: its first paragraph, lines
// joined with " — ", shortened.
func fallbackOf(m bot.Message) string {
	if len(m.Blocks) == 0 {
		return ""
	}
	var parts []string
	for _, l := range m.Blocks[0].Lines {
		if t := strings.TrimSpace(plainLine(l)); t != "" {
			parts = append(parts, t)
		}
	}
	return bot.Shorten(strings.Join(parts, " — "), MaxFallback)
}

func build(units []unit, fallback string) rendered {
	r := rendered{fallback: fallback}
	var text []string
	for _, u := range units {
		ts := u.texts()
		if u.context {
			var elems []slack.MixedElement
			for _, t := range ts {
				if strings.TrimSpace(t) == "" {
					continue
				}
				elems = append(elems, mrkdwn(t))
			}
			if len(elems) > 0 {
				r.blocks = append(r.blocks, slack.NewContextBlock("", elems...))
			}
			text = append(text, strings.Join(ts, "\n"))
			continue
		}
		if strings.TrimSpace(ts[0]) == "" {
			continue
		}
		r.blocks = append(r.blocks, slack.NewSectionBlock(mrkdwn(ts[0]), nil, nil))
		text = append(text, ts[0])
	}
	// At most MaxMessageText and the separators: far below where Slack cuts.
	r.mrkdwn = strings.Join(text, "\n\n")
	return r
}

// mrkdwn is a mrkdwn text object. verbatim keeps Slack from turning plain
// URLs, #channel names and @names in the text into links and mentions on
// its own: only the links herald wrote are links.
func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}
