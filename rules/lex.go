package rules

import (
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
)

// lexeme is one token of a query: its kind, the source text and where it
// starts. A later extension adds kinds here (a field prefix such as title:,
// NEAR/n) without touching the tokens that exist.
type lexeme struct {
	kind lexKind
	text string // as written; for a phrase, with its quotes
	pos  int    // byte offset in the query
}

// describe names the token in an error message.
func (l lexeme) describe() string {
	switch l.kind {
	case lexEOF:
		return "the end of the query"
	case lexMinus:
		return `"-"`
	case lexAnd, lexOr, lexNot:
		return "operator " + l.text
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

// lex splits a query into tokens, ending with a lexEOF token.
func lex(q string) ([]lexeme, *Error) {
	var out []lexeme
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
				return nil, errorf(i, `unterminated quote: the phrase that starts here is never closed; add the closing "`)
			}
			_, n := utf8.DecodeRuneInString(q[j:])
			out = append(out, lexeme{lexPhrase, q[i : j+n], i})
			i = j + n
		case r == '-':
			next, _ := utf8.DecodeRuneInString(q[i+size:])
			switch {
			case i+size == len(q) || unicode.IsSpace(next) || next == ')':
				return nil, errorf(i, `a lone "-" excludes nothing: write it directly before a term (-sport), or quote a hyphenated phrase`)
			case next == '-':
				return nil, errorf(i, `"--" is not an operator: write a single "-" directly before the term to exclude`)
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
			kind := lexWord
			switch w {
			case "AND":
				kind = lexAnd
			case "OR":
				kind = lexOr
			case "NOT":
				kind = lexNot
			}
			out = append(out, lexeme{kind, w, i})
			i = j
		}
	}
	return append(out, lexeme{lexEOF, "", len(q)}), nil
}
