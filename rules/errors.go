package rules

import (
	"fmt"
	"strings"
)

// Error is one problem in one rule's query.
type Error struct {
	// Rule is the name of the rule; empty for a query given on its own (ParseQuery).
	Rule string
	// Offset is the 0-based byte offset in the query where the problem is.
	Offset int
	// Msg says what is wrong and what to do about it.
	Msg string
}

// Error formats the problem as `rule "name": col N: msg`, where N is the
// 1-based byte column in the query, or `rules: col N: msg` without a rule.
func (e *Error) Error() string {
	if e.Rule == "" {
		return fmt.Sprintf("rules: col %d: %s", e.Offset+1, e.Msg)
	}
	return fmt.Sprintf("rule %q: col %d: %s", e.Rule, e.Offset+1, e.Msg)
}

// Errors is every problem Compile found, in the order of the rules.
type Errors []*Error

// Error joins the messages of all problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errorf returns an *Error at offset with a formatted message; the rule name
// is filled in by Compile.
func errorf(offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}
