package rules

import (
	"strconv"
	"strings"
)

// Node is one node of a parsed query: a *Term, *And, *Or, *Not or *Near.
// Packages that translate queries (a full-text search, say) walk it.
type Node interface {
	// Offset is the byte offset in the query where the node starts.
	Offset() int
	// String writes the node back as a query, with every group in parentheses.
	String() string
	node()
}

// And is true when all of its nodes are true: "a b" and "a AND b".
type And struct {
	// Nodes are at least two operands; nested ANDs are flattened into one.
	Nodes []Node
}

// Or is true when any of its nodes is true: "a OR b".
type Or struct {
	// Nodes are at least two operands; nested ORs are flattened into one.
	Nodes []Node
}

// Not is true when its node is false: "NOT a" and "-a".
type Not struct {
	// Node is the negated operand.
	Node Node
	// Pos is the byte offset of the NOT or the minus sign.
	Pos int
}

// Near is true when an occurrence of Left and one of Right, in the same
// field, have at most N words between their nearest ends, in either order:
// "a NEAR/3 b". The two occurrences may not overlap.
type Near struct {
	// Left and Right are each a *Term or an *Or of *Terms.
	Left, Right Node
	// N is the largest number of words allowed between the two.
	N int
	// Pos is the byte offset of the NEAR operator.
	Pos int
}

// TermKind says how a term matches words.
type TermKind uint8

// The kinds of term.
const (
	// WordTerm is one whole word: NATO.
	WordTerm TermKind = iota
	// PhraseTerm is consecutive words: "black sea", or a bare word with inner
	// separators such as F-16 or CDU/CSU.
	PhraseTerm
	// PrefixTerm is a word beginning: ukrain*.
	PrefixTerm
	// EntityTerm is a configured entity, any of whose names matches as a phrase: @nuc.
	EntityTerm
)

// String names the kind.
func (k TermKind) String() string {
	switch k {
	case WordTerm:
		return "word"
	case PhraseTerm:
		return "phrase"
	case PrefixTerm:
		return "prefix"
	case EntityTerm:
		return "entity"
	}
	return "unknown"
}

// The fields a Term can be restricted to, as Term.Field and news.Hit.Field
// name them.
const (
	FieldTitle  = "title"
	FieldText   = "text"
	FieldFeed   = "feed"
	FieldTag    = "tag"
	FieldAuthor = "author"
)

// Term is a leaf of a query: something that occurs in a text or does not.
type Term struct {
	// Kind says how the term matches.
	Kind TermKind
	// Raw is the term as written in the query, with the field: and case:
	// prefixes written directly on it (NATO, ukrain*, "black sea", @nuc,
	// title:case:US); hits carry it so that a reader sees which term matched.
	// A term inside a prefixed group, such as A in title:(A OR B), is written
	// without the prefix.
	Raw string
	// Entity is the ID of an EntityTerm's entity, as written after the @.
	Entity string
	// Phrases are the word sequences, in Token.Norm form, any one of which
	// makes the term true: one for a word, phrase or prefix, one per name and
	// alias for an entity. In a PrefixTerm the last word is a prefix; for a
	// feed: term the one phrase is the feed name's words, compared whole.
	Phrases [][]string
	// Exact, when not nil, runs parallel to Phrases: Exact[i] is phrase i in
	// the capitalisation it must have (accents still dropped) when it is
	// case-sensitive, and nil when it is not. A case: term has every phrase
	// exact; an entity may have some, from aliases written case:WHO.
	Exact [][]string
	// Field restricts the term to one field: FieldTitle, FieldText,
	// FieldFeed, FieldTag or FieldAuthor. Empty means the title and the text.
	Field string
	// Case is set for a term under case: (case:US).
	Case bool
	// Pos is the byte offset of Raw in the query.
	Pos int

	bare string // the term without prefixes, for String
}

func (*And) node()  {}
func (*Or) node()   {}
func (*Not) node()  {}
func (*Near) node() {}
func (*Term) node() {}

// Offset returns the offset of the first operand.
func (a *And) Offset() int { return a.Nodes[0].Offset() }

// Offset returns the offset of the first operand.
func (o *Or) Offset() int { return o.Nodes[0].Offset() }

// Offset returns the offset of the NOT or minus sign.
func (n *Not) Offset() int { return n.Pos }

// Offset returns the offset of the left operand.
func (n *Near) Offset() int { return n.Left.Offset() }

// Offset returns the offset of the term.
func (t *Term) Offset() int { return t.Pos }

// String joins the operands with AND.
func (a *And) String() string { return joinNodes(a.Nodes, " AND ") }

// String joins the operands with OR.
func (o *Or) String() string { return joinNodes(o.Nodes, " OR ") }

// String writes NOT before the operand.
func (n *Not) String() string { return "NOT " + group(n.Node) }

// String writes the operands around NEAR/N.
func (n *Near) String() string {
	return group(n.Left) + " NEAR/" + strconv.Itoa(n.N) + " " + group(n.Right)
}

// String writes the term with its field and case: prefixes.
func (t *Term) String() string {
	var b strings.Builder
	if t.Field != "" {
		b.WriteString(t.Field + ":")
	}
	if t.Case {
		b.WriteString("case:")
	}
	if t.bare != "" {
		b.WriteString(t.bare)
	} else {
		b.WriteString(t.Raw)
	}
	return b.String()
}

// group writes n, in parentheses when it is not a term.
func group(n Node) string {
	if _, ok := n.(*Term); ok {
		return n.String()
	}
	return "(" + n.String() + ")"
}

func joinNodes(ns []Node, sep string) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		switch n.(type) {
		case *Term, *Not, *Near:
			// NOT and NEAR bind tighter than AND and OR.
			parts[i] = n.String()
		default:
			parts[i] = group(n)
		}
	}
	return strings.Join(parts, sep)
}
