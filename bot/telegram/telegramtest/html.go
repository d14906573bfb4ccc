package telegramtest

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entity is a formatting entity of a message, as the Bot API reports it:
// offsets and lengths count UTF-16 code units.
type Entity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	Language string `json:"language,omitempty"`
}

// parseError is a markup error; its text follows "can't parse entities: ".
type parseError struct{ msg string }

// Error returns the detail, as the server words it.
func (e *parseError) Error() string { return e.msg }

func perr(format string, args ...any) error { return &parseError{msg: fmt.Sprintf(format, args...)} }

var htmlTags = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"tg-spoiler": "spoiler", "span": "spoiler",
	"code": "code", "pre": "pre",
	"a":          "text_link",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
	"tg-time":    "date_time",
}

type openTag struct {
	name, arg   string
	expandable  bool
	utf16Offset int
	bytePos     int
}

// parseHTML parses text in the Bot API's HTML parse mode the way the server
// does (tdlib's parse_html: the same walk, the same error strings with the
// same byte offsets) and returns the text a client would show and its
// entities. strict adds what the documentation demands and the server lets
// pass: every '>' and every '&' that does not start one of the supported
// character references must be escaped, and blockquotes must not nest.
func parseHTML(text string, strict bool) (string, []Entity, error) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' }
	var (
		out      strings.Builder
		entities []Entity
		stack    []openTag
		u16      int
	)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '&' {
			if r, next, ok := decodeEntity(text, i); ok {
				if strict && at(next-1) != ';' {
					return "", nil, perr("Character reference at byte offset %d must end with ';' (strict fake)", i)
				}
				out.WriteRune(r)
				u16 += len(utf16.Encode([]rune{r}))
				i = next - 1
				continue
			}
			if strict {
				return "", nil, perr("Character \"&\" at byte offset %d must be escaped as \"&amp;\" (strict fake)", i)
			}
		}
		if c == '>' && strict {
			return "", nil, perr("Character \">\" at byte offset %d must be escaped as \"&gt;\" (strict fake)", i)
		}
		if c != '<' {
			out.WriteByte(c)
			if c < 0x80 || c >= 0xc0 { // the first byte of a UTF-8 sequence
				u16++
				if c >= 0xf0 {
					u16++
				}
			}
			continue
		}

		begin := i
		i++
		if at(i) != '/' {
			for at(i) != 0 && !isSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", nil, perr("Unclosed start tag at byte offset %d", begin)
			}
			name := strings.ToLower(text[begin+1 : i])
			if _, ok := htmlTags[name]; !ok {
				return "", nil, perr("Unsupported start tag \"%s\" at byte offset %d", name, begin)
			}
			tag := openTag{name: name, utf16Offset: u16, bytePos: begin}
			for at(i) != '>' {
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				attrBegin := i
				for at(i) != 0 && !isSpace(at(i)) && at(i) != '=' && at(i) != '>' {
					i++
				}
				attr := strings.ToLower(text[attrBegin:i])
				if attr == "" {
					if at(i) == 0 {
						return "", nil, perr("Unclosed start tag at byte offset %d", begin)
					}
					return "", nil, perr("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
				}
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) != '=' {
					if name == "blockquote" && attr == "expandable" {
						tag.expandable = true
						continue
					}
					if at(i) == 0 {
						return "", nil, perr("Unclosed start tag at byte offset %d", begin)
					}
					return "", nil, perr("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", name, begin)
				}
				i++
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, perr("Unclosed start tag \"%s\" at byte offset %d", name, begin)
				}
				var value strings.Builder
				if q := at(i); q != '"' && q != '\'' {
					tokenBegin := i
					for isAlnum(at(i)) || at(i) == '.' || at(i) == '-' {
						i++
					}
					value.WriteString(strings.ToLower(text[tokenBegin:i]))
					if !isSpace(at(i)) && at(i) != '>' {
						return "", nil, perr("Unexpected end of name token at byte offset %d", tokenBegin)
					}
				} else {
					i++
					for at(i) != q && at(i) != 0 {
						if at(i) == '&' {
							if r, next, ok := decodeEntity(text, i); ok {
								value.WriteRune(r)
								i = next
								continue
							}
						}
						value.WriteByte(text[i])
						i++
					}
					if at(i) == q {
						i++
					}
				}
				if at(i) == 0 {
					return "", nil, perr("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case name == "a" && attr == "href",
					name == "code" && attr == "class" && strings.HasPrefix(value.String(), "language-"),
					name == "span" && attr == "class",
					name == "tg-emoji" && attr == "emoji-id",
					name == "tg-time" && attr == "unix":
					tag.arg = value.String()
					if name == "code" {
						tag.arg = strings.TrimPrefix(tag.arg, "language-")
					}
				}
			}
			if name == "span" && tag.arg != "tg-spoiler" {
				return "", nil, perr("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			if strict && name == "blockquote" {
				for _, o := range stack {
					if o.name == "blockquote" {
						return "", nil, perr("Blockquotes can't be nested: start tag at byte offset %d (strict fake)", begin)
					}
				}
			}
			stack = append(stack, tag)
			continue
		}

		// An end tag.
		if len(stack) == 0 {
			return "", nil, perr("Unexpected end tag at byte offset %d", begin)
		}
		for at(i) != 0 && !isSpace(at(i)) && at(i) != '>' {
			i++
		}
		endName := strings.ToLower(text[begin+2 : i])
		for at(i) != 0 && isSpace(at(i)) {
			i++
		}
		if at(i) != '>' {
			return "", nil, perr("Unclosed end tag at byte offset %d", begin)
		}
		open := stack[len(stack)-1]
		if endName != "" && endName != open.name {
			return "", nil, perr("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, open.name, endName)
		}
		stack = stack[:len(stack)-1]
		if u16 > open.utf16Offset {
			e := Entity{Type: htmlTags[open.name], Offset: open.utf16Offset, Length: u16 - open.utf16Offset}
			switch open.name {
			case "a":
				e.URL = open.arg
				if e.URL == "" {
					e.Type = "url"
				}
			case "blockquote":
				if open.expandable {
					e.Type = "expandable_blockquote"
				}
			case "code":
				if open.arg != "" {
					e.Type, e.Language = "pre", open.arg
				}
			}
			entities = append(entities, e)
		}
	}
	if len(stack) > 0 {
		return "", nil, perr("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	// Entities are reported in order of their start, outer before inner.
	sortEntities(entities)
	return out.String(), entities, nil
}

func sortEntities(es []Entity) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && (es[j].Offset < es[j-1].Offset || es[j].Offset == es[j-1].Offset && es[j].Length > es[j-1].Length); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// decodeEntity decodes the character reference at text[pos] ('&') as tdlib
// does: &lt; &gt; &amp; &quot; and numeric ones, the ';' optional. next is
// where the text continues; ok is false when there is no reference here.
func decodeEntity(text string, pos int) (r rune, next int, ok bool) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	end := pos + 1
	var v uint32
	if at(pos+1) == '#' {
		end++
		if at(pos+2) == 'x' {
			end++
			for isHex(at(end)) {
				v = v*16 + hexVal(at(end))
				end++
				if v >= 0x10ffff {
					return 0, 0, false
				}
			}
		} else {
			for at(end) >= '0' && at(end) <= '9' {
				v = v*10 + uint32(at(end)-'0')
				end++
				if v >= 0x10ffff {
					return 0, 0, false
				}
			}
		}
		if v == 0 || v >= 0x10ffff || v >= 0xd800 && v <= 0xdfff {
			return 0, 0, false
		}
	} else {
		for c := at(end); c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'; c = at(end) {
			end++
		}
		switch text[pos+1 : end] {
		case "lt":
			v = '<'
		case "gt":
			v = '>'
		case "amp":
			v = '&'
		case "quot":
			v = '"'
		default:
			return 0, 0, false
		}
	}
	if at(end) == ';' {
		end++
	}
	return rune(v), end, true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) uint32 {
	switch {
	case c >= 'a':
		return uint32(c-'a') + 10
	case c >= 'A':
		return uint32(c-'A') + 10
	}
	return uint32(c - '0')
}

// markdownV2Reserved are the characters MarkdownV2 reserves.
const markdownV2Reserved = "_*[]()~`>#+-=|{}.!"

// checkMarkdownV2 reports the first reserved character that is not escaped.
// The fake does not parse MarkdownV2 entities; herald sends HTML.
func checkMarkdownV2(text string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && i+1 < len(text) {
			i++
			out.WriteByte(text[i])
			continue
		}
		if strings.IndexByte(markdownV2Reserved, c) >= 0 {
			return "", perr("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
		out.WriteByte(c)
	}
	return out.String(), nil
}

// codePoints counts a text the way the server checks its length.
func codePoints(s string) int { return utf8.RuneCountInString(s) }
