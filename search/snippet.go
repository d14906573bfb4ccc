package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"herald/news"
	"herald/rules"
	"herald/summary"
)

// Snippet sizes, in characters.
const (
	// SnippetLen is about the longest snippet, "…" included.
	SnippetLen = 240
	// snippetBefore is how much text a snippet shows before its first match.
	snippetBefore = 60
)

// span is a byte range of a text.
type span struct{ a, b int }

// snippet is a passage of text around the first of the hits that matched in
// it, with every hit in the passage marked; the hits come from rules, so
// exactly what matched is marked. Without a hit in the text (the query
// matched the title, tags, authors or feed), it is the article's lead.
func snippet(title, text string, hits []news.Hit) []Fragment {
	spans := locate(text, hits)
	if len(spans) == 0 {
		lead := summary.Lead(title, text)
		if lead == "" {
			lead = text
		}
		s := squeeze(lead)
		if utf8.RuneCountInString(s) > SnippetLen {
			s = cutAt(s, SnippetLen-1) + "…"
		}
		if s == "" {
			return nil
		}
		return []Fragment{{Text: s}}
	}
	start := wordStart(text, backRunes(text, spans[0].a, snippetBefore))
	end := wordEnd(text, fwdRunes(text, start, SnippetLen-2))
	end = max(end, spans[0].b)
	var out []Fragment
	add := func(s string, hit bool) {
		if s != "" {
			out = append(out, Fragment{Text: s, Hit: hit})
		}
	}
	if start > 0 {
		add("…", false)
	}
	at := start
	for _, sp := range spans {
		if sp.a >= end {
			break
		}
		add(text[at:sp.a], false)
		add(text[sp.a:min(sp.b, end)], true)
		at = min(sp.b, end)
	}
	add(text[at:end], false)
	if end < len(text) {
		add("…", false)
	}
	return tidy(out)
}

// locate finds the hits in the text: rules give each occurrence's text as it
// stands, in text order, so each is looked for after the previous one.
func locate(text string, hits []news.Hit) []span {
	var spans []span
	from := 0
	for _, h := range hits {
		if h.Field != rules.FieldText || h.Text == "" {
			continue
		}
		i := strings.Index(text[from:], h.Text)
		if i >= 0 {
			i += from
		} else if i = strings.Index(text, h.Text); i < 0 {
			continue
		}
		spans = append(spans, span{i, i + len(h.Text)})
		from = i + 1
		for from < len(text) && !utf8.RuneStart(text[from]) {
			from++
		}
	}
	slices.SortFunc(spans, func(x, y span) int { return x.a - y.a })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.a <= merged[n-1].b {
			merged[n-1].b = max(merged[n-1].b, s.b)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// backRunes returns the offset n runes before i (or 0).
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// fwdRunes returns the offset n runes after i (or len(s)).
func fwdRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// wordStart moves i forward to the start of a word, unless it is at the
// start of the text or of a word already, or no space follows soon.
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsSpace(r) {
		return i
	}
	limit := fwdRunes(s, i, 20)
	for j := i; j < limit; {
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if unicode.IsSpace(r) {
			return j
		}
	}
	return i
}

// wordEnd moves i back to the end of a word, unless it is at the end of the
// text or of a word already, or no space comes soon before.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
		return i
	}
	limit := backRunes(s, i, 20)
	for j := i; j > limit; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if unicode.IsSpace(r) {
			return j
		}
	}
	return i
}

// cutAt cuts s to at most n runes, at a space when one is near.
func cutAt(s string, n int) string {
	i := wordEnd(s, fwdRunes(s, 0, n))
	return strings.TrimRight(s[:i], " ,;:-–—")
}

// tidy turns line breaks and runs of white space into single spaces across
// the fragments, and trims the snippet's ends.
func tidy(fs []Fragment) []Fragment {
	space := true // at the start, drop leading space
	out := fs[:0]
	for _, f := range fs {
		var b strings.Builder
		for _, r := range f.Text {
			switch {
			case unicode.IsSpace(r):
				if !space {
					b.WriteByte(' ')
					space = true
				}
			case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d':
			default:
				b.WriteRune(r)
				space = false
			}
		}
		if b.Len() > 0 {
			out = append(out, Fragment{Text: b.String(), Hit: f.Hit})
		}
	}
	if n := len(out); n > 0 {
		out[n-1].Text = strings.TrimRight(out[n-1].Text, " ")
		if out[n-1].Text == "" {
			out = out[:n-1]
		}
	}
	return out
}

// squeeze is tidy for one string.
func squeeze(s string) string {
	fs := tidy([]Fragment{{Text: s}})
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Text
}
