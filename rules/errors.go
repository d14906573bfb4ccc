package rules

import (
	"fmt"
	"strings"
)

// Error is one problem in one rule's query or exclude.
type Error struct {
	// Rule is the name of the rule; empty for a query given on its own (ParseQuery).
	Rule string
	// Field is the rule's field that has the problem, "query" or "exclude",
	// so that a caller can point into the right place of its configuration.
	Field string
	// Offset is the 0-based byte offset in that field where the problem is.
	Offset int
	// Msg says what is wrong and what to do about it.
	Msg string
}

// The values of Error.Field: the names of the Rule fields that hold queries.
const (
	RuleQuery   = "query"
	RuleExclude = "exclude"
)

// Error formats the problem as `rule "name": col N: msg`, where N is the
// 1-based byte column in the query, or `rules: col N: msg` without a rule.
// A problem in the exclude says so: `rule "name": exclude: col N: msg`.
func (e *Error) Error() string {
	where := "rules"
	if e.Rule != "" {
		where = fmt.Sprintf("rule %q", e.Rule)
	}
	if e.Field == RuleExclude {
		where += ": exclude"
	}
	return fmt.Sprintf("%s: col %d: %s", where, e.Offset+1, e.Msg)
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
// and field are filled in by the caller that knows them.
func errorf(offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}
