package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Inspect reads a mrkdwn text as Slack does: &amp; &lt; &gt; are decoded,
// <…> tokens become links, mentions and broadcasts, and a '>' at the start
// of a line marks a quote. Anything else in angle brackets, a '>' inside a
// line, and an '&' that starts none of the three entities is a Problem:
// text that reached Slack unescaped.
func Inspect(s string) Rendering {
	var r Rendering
	var b strings.Builder
	lineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '<':
			j := strings.IndexByte(s[i+1:], '>')
			if j < 0 {
				r.Problems = append(r.Problems, fmt.Sprintf("raw '<' at byte %d", i))
				b.WriteByte('<')
				i++
				continue
			}
			token := s[i+1 : i+1+j]
			r.token(&b, token, i)
			i += j + 2
			lineStart = false
			continue
		case '>':
			if !lineStart {
				r.Problems = append(r.Problems, fmt.Sprintf("raw '>' at byte %d", i))
			}
			b.WriteByte('>')
			i++
			lineStart = false
			continue
		case '&':
			ent, dec := entity(s[i:])
			if ent == "" {
				r.Problems = append(r.Problems, fmt.Sprintf("unescaped '&' at byte %d", i))
				b.WriteByte('&')
				i++
			} else {
				b.WriteString(dec)
				i += len(ent)
			}
			lineStart = false
			continue
		case '\n':
			lineStart = true
		default:
			if c != ' ' {
				lineStart = false
			}
		}
		b.WriteByte(c)
		i++
	}
	r.Emphasis = emphasis(b.String())
	// A zero-width space shows as nothing.
	r.Text = strings.ReplaceAll(b.String(), "\u200b", "")
	return r
}

// emphasis returns the spans Slack formats in a text whose tokens are
// already replaced by their labels: *bold*, _italic_, ~strike~ and `code`,
// markers included. A marker opens a span when it starts the text or
// follows white space or punctuation, and the next character is neither
// white space nor the marker; the span closes at the next same marker on
// the line that follows a non-space character and is followed by the end,
// white space or punctuation. A zero-width space is neither white space
// nor punctuation, so a marker fenced by them never opens or closes.
func emphasis(s string) []string {
	var spans []string
	rs := []rune(s)
	boundary := func(i int, m rune) bool {
		if i < 0 || i >= len(rs) {
			return true
		}
		r := rs[i]
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != m) || unicode.IsSymbol(r)
	}
	for i := 0; i < len(rs); i++ {
		m := rs[i]
		if m != '*' && m != '_' && m != '~' && m != '`' {
			continue
		}
		if !boundary(i-1, m) || i+1 >= len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == m {
			continue
		}
		for j := i + 2; j < len(rs) && rs[j] != '\n'; j++ {
			if rs[j] == m && !unicode.IsSpace(rs[j-1]) && boundary(j+1, m) {
				spans = append(spans, strings.ReplaceAll(string(rs[i:j+1]), "\u200b", ""))
				i = j
				break
			}
		}
	}
	return spans
}

// entity returns the entity s starts with and its character, or "" when s
// starts with none of &amp; &lt; &gt;.
func entity(s string) (string, string) {
	for _, e := range [][2]string{{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}} {
		if strings.HasPrefix(s, e[0]) {
			return e[0], e[1]
		}
	}
	return "", ""
}

// decode decodes the three entities in a token's parts and records any
// other '&' or a '<' inside it as a problem.
func (r *Rendering) decode(s string, at int) string {
	if strings.Contains(s, "<") {
		r.Problems = append(r.Problems, fmt.Sprintf("raw '<' inside a token at byte %d", at))
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			ent, dec := entity(s[i:])
			if ent == "" {
				r.Problems = append(r.Problems, fmt.Sprintf("unescaped '&' inside a token at byte %d", at))
				b.WriteByte('&')
				i++
				continue
			}
			b.WriteString(dec)
			i += len(ent)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// token reads the inside of a <…> token at byte at.
func (r *Rendering) token(b *strings.Builder, tok string, at int) {
	target, label, hasLabel := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(target, "@U") || strings.HasPrefix(target, "@W"):
		r.Mentions = append(r.Mentions, "<"+tok+">")
		if hasLabel {
			b.WriteString("@" + r.decode(label, at))
		} else {
			b.WriteString(target)
		}
	case strings.HasPrefix(target, "#C") || strings.HasPrefix(target, "#G"):
		r.Mentions = append(r.Mentions, "<"+tok+">")
		if hasLabel {
			b.WriteString("#" + r.decode(label, at))
		} else {
			b.WriteString(target)
		}
	case target == "!here" || target == "!channel" || target == "!everyone":
		r.Broadcasts = append(r.Broadcasts, "<"+tok+">")
		b.WriteString("@" + target[1:])
	case strings.HasPrefix(target, "!subteam^"):
		r.Mentions = append(r.Mentions, "<"+tok+">")
		b.WriteString(r.decode(label, at)) // the label is the group's @handle
	case strings.HasPrefix(target, "!date^"):
		b.WriteString(r.decode(label, at))
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "mailto:"):
		u := r.decode(target, at)
		l := u
		if hasLabel {
			l = r.decode(label, at)
		}
		r.Links = append(r.Links, Link{URL: u, Label: strings.ReplaceAll(l, "\u200b", "")})
		b.WriteString(l)
	default:
		r.Problems = append(r.Problems, fmt.Sprintf("raw '<%s>' at byte %d", tok, at))
		b.WriteString("<" + tok + ">")
	}
}

// textObject is a Block Kit text object.
type textObject struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Emoji    *bool  `json:"emoji"`
	Verbatim *bool  `json:"verbatim"`
}

// block is the part of a Block Kit block the fake reads.
type block struct {
	Type     string            `json:"type"`
	BlockID  string            `json:"block_id"`
	Text     *textObject       `json:"text"`
	Fields   []textObject      `json:"fields"`
	Elements []json.RawMessage `json:"elements"`
}

// CheckBlocks validates a blocks array as chat.postMessage does and reads
// it as Slack shows it. It returns the block types, the rendering (the
// text of every block, one block a line; an actions block's buttons as
// "[label]"), and, when Slack would refuse the blocks, the error code and
// response_metadata messages. Block types other than section, context,
// header, divider and actions, and elements of an actions block other than
// buttons, are refused: herald uses no others, and the fake checks no
// others.
func CheckBlocks(raw []byte) (types []string, r Rendering, code string, msgs []string) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, r, ErrInvalidFormat, nil
	}
	if len(list) > MaxBlocks {
		return nil, r, ErrInvalidBlocks, []string{fmt.Sprintf("[ERROR] no more than %d items allowed [json-pointer:/blocks]", MaxBlocks)}
	}
	errf := func(format string, args ...any) { msgs = append(msgs, "[ERROR] "+fmt.Sprintf(format, args...)) }
	for i, rawBlock := range list {
		var blk block
		if err := json.Unmarshal(rawBlock, &blk); err != nil {
			errf("must be an object [json-pointer:/blocks/%d]", i)
			continue
		}
		types = append(types, blk.Type)
		ptr := fmt.Sprintf("/blocks/%d", i)
		switch blk.Type {
		case "section":
			if blk.Text == nil && len(blk.Fields) == 0 {
				errf("must provide either text or fields [json-pointer:%s]", ptr)
				continue
			}
			if blk.Text != nil {
				r.merge(checkText(*blk.Text, MaxSectionText, ptr+"/text", errf))
			}
			if len(blk.Fields) > 10 {
				errf("no more than 10 items allowed [json-pointer:%s/fields]", ptr)
			}
			for j, f := range blk.Fields {
				r.merge(checkText(f, MaxFieldText, fmt.Sprintf("%s/fields/%d", ptr, j), errf))
			}
		case "context":
			if len(blk.Elements) == 0 || len(blk.Elements) > MaxContextElem {
				errf("must have between 1 and %d items [json-pointer:%s/elements]", MaxContextElem, ptr)
				continue
			}
			var parts []string
			var cr Rendering
			for j, e := range blk.Elements {
				var t textObject
				if err := json.Unmarshal(e, &t); err != nil || (t.Type != "mrkdwn" && t.Type != "plain_text") {
					errf("only text elements are supported here [json-pointer:%s/elements/%d]", ptr, j)
					continue
				}
				er := checkText(t, MaxSectionText, fmt.Sprintf("%s/elements/%d", ptr, j), errf)
				parts = append(parts, er.Text)
				er.Text = ""
				cr.merge(er)
			}
			cr.Text = strings.Join(parts, " | ")
			r.merge(cr)
		case "header":
			if blk.Text == nil || blk.Text.Type != "plain_text" {
				errf("must be a plain_text object [json-pointer:%s/text]", ptr)
				continue
			}
			r.merge(checkText(*blk.Text, MaxHeaderText, ptr+"/text", errf))
		case "divider":
			r.merge(Rendering{Text: "---"})
		case "actions":
			r.merge(checkActions(blk.Elements, ptr, errf))
		default:
			errf("unsupported type `%s` [json-pointer:%s/type]", blk.Type, ptr)
		}
		if utf8.RuneCountInString(blk.BlockID) > 255 {
			errf("must be less than 256 characters [json-pointer:%s/block_id]", ptr)
		}
	}
	if len(msgs) > 0 {
		return types, r, ErrInvalidBlocks, msgs
	}
	return types, r, "", nil
}

// checkText validates a text object of at most max characters and reads it.
func checkText(t textObject, max int, ptr string, errf func(string, ...any)) Rendering {
	n := utf8.RuneCountInString(t.Text)
	switch {
	case t.Type != "mrkdwn" && t.Type != "plain_text":
		errf("must be one of plain_text, mrkdwn [json-pointer:%s/type]", ptr)
	case n == 0:
		errf("must be more than 0 characters [json-pointer:%s/text]", ptr)
	case n > max:
		errf("must be less than %d characters [json-pointer:%s/text]", max+1, ptr)
	}
	if t.Type == "mrkdwn" && t.Emoji != nil {
		errf("emoji is not allowed in mrkdwn text [json-pointer:%s/emoji]", ptr)
	}
	if t.Type == "plain_text" {
		if t.Verbatim != nil {
			errf("verbatim is only allowed in mrkdwn text [json-pointer:%s/verbatim]", ptr)
		}
		return Rendering{Text: t.Text}
	}
	return Inspect(t.Text)
}
