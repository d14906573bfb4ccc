package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexKind is the kind of a query token.
type lexKind uint8

const (
	lexEOF    lexKind = iota
	lexLParen         // (
	lexRParen         // )
	lexWord           // a bare term: word, prefix*, @entity, F-16
	lexPhrase         // a quoted phrase, quotes included
	lexAnd            // AND
	lexOr             // OR
	lexNot            // NOT
	lexMinus          // - directly before a term
	lexNear           // NEAR or NEAR/n, as written; the parser checks the distance
	lexField          // a prefix such as title: or case:, colon included
)

// lexeme is one token of a query: its kind, the source text and where it
// starts.
type lexeme struct {
	kind lexKind
	text string // as written; for a phrase, with its quotes
	pos  int    // byte offset in the query
}

// end returns the offset just after the lexeme.
func (l lexeme) end() int { return l.pos + len(l.text) }

// describe names the token in an error message.
func (l lexeme) describe() string {
	switch l.kind {
	case lexEOF:
		return "the end of the query"
	case lexMinus:
		return `"-"`
	case lexAnd, lexOr, lexNot, lexNear:
		return "operator " + l.text
	case lexField:
		return "field " + l.text
	}
	return `"` + l.text + `"`
}

// isQuote reports whether r opens or closes a phrase. Curly quotes are
// accepted because rules are often pasted from documents.
func isQuote(r rune) bool {
	switch r {
	case '"', '\u201c', '\u201d', '\u201e':
		return true
	}
	return false
}

// fieldPrefixLen returns the length of the field prefix ("title:") that w
// starts with, or 0. A prefix is ASCII letters and a colon: "10:30" and
// "@a:b" are not fields, while "foo:x" is one, an unknown one, so that a
// misspelt field is reported rather than quietly searched as words.
func fieldPrefixLen(w string) int {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case c == ':' && i > 0:
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// lex appends the tokens of q to dst, ending with a lexEOF token. dst lets
// Compile reuse one buffer for every rule.
func lex(dst []lexeme, q string) ([]lexeme, *Error) {
	out := dst[:0]
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			out = append(out, lexeme{lexLParen, "(", i})
			i += size
		case r == ')':
			out = append(out, lexeme{lexRParen, ")", i})
			i += size
		case isQuote(r):
			j := i + size
			for j < len(q) {
				c, n := utf8.DecodeRuneInString(q[j:])
				if isQuote(c) {
					break
				}
				j += n
			}
			if j >= len(q) {
				return out, errorf(i, `unterminated quote: the phrase that starts here is never closed; add the closing "`)
			}
			_, n := utf8.DecodeRuneInString(q[j:])
			out = append(out, lexeme{lexPhrase, q[i : j+n], i})
			i = j + n
		case r == '-':
			next, _ := utf8.DecodeRuneInString(q[i+size:])
			switch {
			case i+size == len(q) || unicode.IsSpace(next) || next == ')':
				return out, errorf(i, `a lone "-" excludes nothing: write it directly before a term (-sport), or quote a hyphenated phrase`)
			case next == '-':
				return out, errorf(i, `"--" is not an operator: write a single "-" directly before the term to exclude`)
			}
			out = append(out, lexeme{lexMinus, "-", i})
			i += size
		default:
			j := i
			for j < len(q) {
				c, n := utf8.DecodeRuneInString(q[j:])
				if unicode.IsSpace(c) || c == '(' || c == ')' || isQuote(c) {
					break
				}
				j += n
			}
			w := q[i:j]
			if n := fieldPrefixLen(w); n > 0 {
				// The rest of the word (or the phrase or group after it) is
				// lexed on its own; the parser checks that it touches the field.
				out = append(out, lexeme{lexField, w[:n], i})
				i += n
				continue
			}
			kind := lexWord
			switch {
			case w == "AND":
				kind = lexAnd
			case w == "OR":
				kind = lexOr
			case w == "NOT":
				kind = lexNot
			case w == "NEAR" || strings.HasPrefix(w, "NEAR/"):
				kind = lexNear
			}
			out = append(out, lexeme{kind, w, i})
			i = j
		}
	}
	return append(out, lexeme{lexEOF, "", len(q)}), nil
}
