package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a run of text in one style. Text is plain text: each platform
// escapes it for its own markup.
type Span struct {
	Text   string
	Bold   bool
	Italic bool
	Code   bool
	// URL makes the span a link to it when set.
	URL string
}

// Line is one line of a block, as spans in order.
type Line []Span

// BlockKind says how a block is laid out.
type BlockKind int

// The kinds of block a message is made of.
const (
	// KindParagraph is running text; its lines are separated by line breaks.
	KindParagraph BlockKind = iota
	// KindList is a bulleted list: each line is one item.
	KindList
	// KindQuote is a quotation set off from the text, such as a blockquote.
	KindQuote
)

// Block is a paragraph, a list or a quote. Blocks are separated by a blank
// line when a platform renders them as text.
type Block struct {
	Kind  BlockKind
	Lines []Line
	// Keep marks a block a platform must not drop when it shortens a message
	// that is over its length limit, such as an alert's linked title.
	Keep bool
}

// Message is a platform-neutral message: what the command router replies
// and what an alert looks like, before a platform renders it in its own
// markup (Telegram HTML, Slack mrkdwn).
type Message struct {
	Blocks []Block
	// Actions are buttons a platform that has them shows under the
	// message; pressing one runs its command as if the user had written it
	// in the chat. The text says how to type each one, for platforms
	// without buttons.
	Actions []Action
}

// Action is a button under a message that runs a command.
type Action struct {
	// Label is the button's text ("More results").
	Label string
	// Command and Args are what pressing it runs, as in a Request.
	Command string
	Args    []string
}

// Data returns the action as one line, "search more #3": the command and its
// arguments separated by spaces, which adapters put in a button's payload
// and read back with ParseAction.
func (a Action) Data() string { return strings.Join(append([]string{a.Command}, a.Args...), " ") }

// ParseAction reads a button's payload back into a command and its
// arguments. It accepts only the actions the router puts on its messages,
// since a payload comes back from a client and could say anything.
func ParseAction(data string) (Action, bool) {
	f := strings.Fields(data)
	if len(f) == 3 && f[0] == "search" && f[1] == "more" && strings.HasPrefix(f[2], "#") {
		if _, err := strconv.ParseUint(f[2][1:], 10, 32); err == nil {
			return Action{Command: f[0], Args: f[1:]}, true
		}
	}
	return Action{}, false
}

// Plain returns a span of unstyled text.
func Plain(s string) Span { return Span{Text: s} }

// Bold returns a span of bold text.
func Bold(s string) Span { return Span{Text: s, Bold: true} }

// Italic returns a span of italic text.
func Italic(s string) Span { return Span{Text: s, Italic: true} }

// Code returns a span of monospaced text, for commands and names to type.
func Code(s string) Span { return Span{Text: s, Code: true} }

// Cmd returns a command as a person types it ("/topics"), as plain text:
// Telegram turns a plain /command into a link that sends it when tapped,
// which it does not inside code.
func Cmd(s string) Span { return Span{Text: s} }

// Link returns a span of text linking to url.
func Link(text, url string) Span { return Span{Text: text, URL: url} }

// Para returns a paragraph of one line.
func Para(spans ...Span) Block { return Block{Kind: KindParagraph, Lines: []Line{spans}} }

// List returns a bulleted list with one item per line.
func List(items ...Line) Block { return Block{Kind: KindList, Lines: items} }

// Quote returns a quotation block.
func Quote(lines ...Line) Block { return Block{Kind: KindQuote, Lines: lines} }

// Add appends blocks to the message.
func (m *Message) Add(b ...Block) { m.Blocks = append(m.Blocks, b...) }

// Text renders the message as plain text: blocks separated by a blank line,
// list items marked "• " and quote lines "│ ". Platforms without markup, logs
// and tests use it.
func (m Message) Text() string {
	var b strings.Builder
	for i, blk := range m.Blocks {
		if i > 0 {
			b.WriteString("\n\n")
		}
		for j, line := range blk.Lines {
			if j > 0 {
				b.WriteString("\n")
			}
			switch blk.Kind {
			case KindList:
				b.WriteString("• ")
			case KindQuote:
				b.WriteString("│ ")
			}
			for _, s := range line {
				b.WriteString(s.Text)
			}
		}
	}
	return b.String()
}

// Clean makes feed text safe to lay out on one line: invalid UTF-8 is
// replaced, control and invisible format characters are dropped, and runs of
// white space (line breaks included) become one space.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Shorten cuts s to at most max characters (code points), at the end of a
// sentence when one ends in the second half of that length, else at a word
// boundary, else anywhere, and marks the cut with "…". s is returned as it is
// when it fits.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	runes := []rune(s)
	limit := max - 1 // room for the ellipsis
	cut := CutPoint(runes, limit)
	return strings.TrimRight(string(runes[:cut]), " ,;:-–—") + "…"
}

// CutPoint returns where to cut runes so that at most limit of them remain:
// after the last sentence end within the limit when that keeps at least half
// of it, else at the last space within the limit when that keeps at least a
// third of it, else at the limit.
func CutPoint(runes []rune, limit int) int {
	if limit >= len(runes) {
		return len(runes)
	}
	if limit <= 0 {
		return 0
	}
	sentence, word := -1, -1
	for i := 1; i <= limit; i++ {
		// A cut before runes[i]: the text before it ends a sentence when it ends
		// in . ! ? or … (maybe followed by a closing quote) and a space follows.
		if !unicode.IsSpace(runes[i]) {
			continue
		}
		word = i
		j := i - 1
		for j > 0 && strings.ContainsRune("\"'”’»)", runes[j]) {
			j--
		}
		if strings.ContainsRune(".!?…", runes[j]) {
			sentence = i
		}
	}
	switch {
	case sentence >= limit/2:
		return sentence
	case word >= limit/3:
		return word
	}
	return limit
}
