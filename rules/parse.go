package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Node is one node of a parsed query: a *Term, *And, *Or or *Not. Packages
// that translate queries (a full-text search, an index of rules) walk it.
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

// Term is a leaf of a query: something that occurs in a text or does not.
type Term struct {
	// Kind says how the term matches.
	Kind TermKind
	// Raw is the term as written in the query (NATO, ukrain*, "black sea",
	// @nuc); hits carry it so that a reader sees which term matched.
	Raw string
	// Entity is the ID of an EntityTerm's entity, as configured.
	Entity string
	// Phrases are the word sequences, in Token.Norm form, any one of which
	// makes the term true: one for a word, phrase or prefix, one per name and
	// alias for an entity. In a PrefixTerm the last word is a prefix.
	Phrases [][]string
	// Pos is the byte offset of the term in the query.
	Pos int
}

func (*And) node()  {}
func (*Or) node()   {}
func (*Not) node()  {}
func (*Term) node() {}

// Offset returns the offset of the first operand.
func (a *And) Offset() int { return a.Nodes[0].Offset() }

// Offset returns the offset of the first operand.
func (o *Or) Offset() int { return o.Nodes[0].Offset() }

// Offset returns the offset of the NOT or minus sign.
func (n *Not) Offset() int { return n.Pos }

// Offset returns the offset of the term.
func (t *Term) Offset() int { return t.Pos }

// String joins the operands with AND.
func (a *And) String() string { return joinNodes(a.Nodes, " AND ") }

// String joins the operands with OR.
func (o *Or) String() string { return joinNodes(o.Nodes, " OR ") }

// String writes NOT before the operand.
func (n *Not) String() string { return "NOT " + group(n.Node) }

// String returns the term as written.
func (t *Term) String() string { return t.Raw }

// group writes n, in parentheses when it is an AND or OR.
func group(n Node) string {
	switch n.(type) {
	case *And, *Or:
		return "(" + n.String() + ")"
	}
	return n.String()
}

func joinNodes(ns []Node, sep string) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = group(n)
	}
	return strings.Join(parts, sep)
}

// Entity is a named thing rules refer to as @ID: its name and aliases each
// match as a phrase.
type Entity struct {
	// ID is how queries refer to the entity, without the @ (matched case-insensitively).
	ID string
	// Name is the entity's usual name ("NATO-Ukraine Council").
	Name string
	// Aliases are other names for it ("NUC").
	Aliases []string
}

// entityTable maps a lower-cased entity ID to the phrases that match it.
type entityTable map[string][][]string

// newEntityTable tokenizes every entity's names once. The first entity with
// an ID wins; rejecting duplicates is the configuration's job.
func newEntityTable(entities []Entity) entityTable {
	t := make(entityTable, len(entities))
	for _, e := range entities {
		id := strings.ToLower(strings.TrimPrefix(e.ID, "@"))
		if _, dup := t[id]; dup {
			continue
		}
		var phrases [][]string
		seen := make(map[string]bool)
		for _, name := range append([]string{e.Name}, e.Aliases...) {
			words := norms(Tokenize(name))
			key := strings.Join(words, " ")
			if len(words) == 0 || seen[key] {
				continue
			}
			seen[key] = true
			phrases = append(phrases, words)
		}
		t[id] = phrases
	}
	return t
}

// norms returns the folded words of tokens.
func norms(tokens []Token) []string {
	if len(tokens) == 0 {
		return nil
	}
	words := make([]string, len(tokens))
	for i, t := range tokens {
		words[i] = t.Norm
	}
	return words
}

// parse parses a query into its tree. The grammar, loosest first:
//
//	or    = and { "OR" and }
//	and   = unary { [ "AND" ] unary }
//	unary = ( "NOT" | "-" ) unary | primary
//	primary = "(" or ")" | word | "phrase" | prefix* | @entity
func parse(q string, entities entityTable) (Node, *Error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, errorf(0, "empty query: write at least one word to look for")
	}
	p := &parser{toks: toks, entities: entities}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != lexEOF {
		// parseOr stops early only at a ")" that closes nothing.
		return nil, errorf(t.pos, `unbalanced parenthesis: this ")" has no matching "("; remove it or add "(" before it`)
	}
	if err := checkBounded(root); err != nil {
		return nil, err
	}
	return root, nil
}

// parser is a recursive-descent parser over the tokens of one query.
type parser struct {
	toks     []lexeme
	i        int
	entities entityTable
}

func (p *parser) peek() lexeme { return p.toks[p.i] }

func (p *parser) next() lexeme {
	t := p.toks[p.i]
	if t.kind != lexEOF {
		p.i++
	}
	return t
}

// startsOperand reports whether t can begin an operand, which makes it an
// implicit AND after another operand.
func startsOperand(t lexeme) bool {
	switch t.kind {
	case lexWord, lexPhrase, lexLParen, lexNot, lexMinus:
		return true
	}
	return false
}

func (p *parser) parseOr() (Node, *Error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for p.peek().kind == lexOr {
		op := p.next()
		if err := p.checkRightOperand(op); err != nil {
			return nil, err
		}
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &Or{Nodes: flatten[*Or](nodes, func(o *Or) []Node { return o.Nodes })}, nil
}

func (p *parser) parseAnd() (Node, *Error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for {
		t := p.peek()
		if t.kind == lexAnd {
			p.next()
			if err := p.checkRightOperand(t); err != nil {
				return nil, err
			}
		} else if !startsOperand(t) {
			break
		}
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &And{Nodes: flatten[*And](nodes, func(a *And) []Node { return a.Nodes })}, nil
}

// flatten splices operands that are themselves of type T, such as a
// parenthesised AND inside an AND, into one list: the grouping does not
// change the meaning.
func flatten[T Node](nodes []Node, operands func(T) []Node) []Node {
	flat := make([]Node, 0, len(nodes))
	for _, n := range nodes {
		if inner, ok := n.(T); ok {
			flat = append(flat, operands(inner)...)
		} else {
			flat = append(flat, n)
		}
	}
	return flat
}

// checkRightOperand reports an operator with nothing usable after it.
func (p *parser) checkRightOperand(op lexeme) *Error {
	switch t := p.peek(); t.kind {
	case lexEOF:
		return errorf(op.pos, "dangling operator %s at the end of the query: add a term after it or remove it", op.text)
	case lexRParen:
		return errorf(op.pos, `operator %s has nothing on its right before ")": add a term after it or remove it`, op.text)
	case lexAnd, lexOr:
		return errorf(t.pos, "operator %s right after %s: remove one of them", t.text, op.describe())
	}
	return nil
}

func (p *parser) parseUnary() (Node, *Error) {
	t := p.peek()
	if t.kind != lexNot && t.kind != lexMinus {
		return p.parsePrimary()
	}
	p.next()
	if err := p.checkRightOperand(t); err != nil {
		return nil, err
	}
	if nx := p.peek(); nx.kind == lexNot || nx.kind == lexMinus {
		return nil, errorf(nx.pos, "%s right after %s: a double negation cancels out; remove both", nx.describe(), t.describe())
	}
	n, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &Not{Node: n, Pos: t.pos}, nil
}

func (p *parser) parsePrimary() (Node, *Error) {
	t := p.next()
	switch t.kind {
	case lexWord:
		return p.word(t)
	case lexPhrase:
		return p.phrase(t)
	case lexLParen:
		switch p.peek().kind {
		case lexRParen:
			return nil, errorf(t.pos, `empty parentheses: put a term between "(" and ")" or remove them`)
		case lexEOF:
			return nil, errorf(t.pos, `unbalanced parenthesis: this "(" is never closed; add ")"`)
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.next().kind != lexRParen {
			return nil, errorf(t.pos, `unbalanced parenthesis: this "(" is never closed; add ")"`)
		}
		return n, nil
	case lexRParen:
		return nil, errorf(t.pos, `unbalanced parenthesis: this ")" has no matching "("; remove it or add "(" before it`)
	case lexAnd, lexOr:
		return nil, errorf(t.pos, "operator %s has nothing on its left: put a term before it or remove it", t.text)
	}
	return nil, errorf(t.pos, "empty query: write at least one word to look for")
}

// reservedFields are the field prefixes a later version of the language
// gives meaning to; they are refused now so that no rule changes meaning then.
var reservedFields = map[string]bool{"title": true, "text": true, "feed": true, "tag": true, "author": true, "case": true}

// word turns a bare term into a word, phrase, prefix or entity term.
func (p *parser) word(t lexeme) (Node, *Error) {
	raw := t.text
	if raw[0] == '@' {
		return p.entity(t)
	}
	if name, _, ok := strings.Cut(raw, ":"); ok && reservedFields[strings.ToLower(name)] {
		return nil, errorf(t.pos, `field prefix %s: is not supported yet: remove it to search title and text, or quote the term to match the words`, name)
	}
	if strings.HasPrefix(raw, "NEAR/") {
		return nil, errorf(t.pos, `NEAR is not supported yet: use a phrase, or AND`)
	}
	if star := strings.IndexByte(raw, '*'); star >= 0 {
		switch {
		case raw == "*":
			return nil, errorf(t.pos, `a lone "*" matches nothing: put it at the end of a word, after at least two letters, as in ukrain*`)
		case star != len(raw)-1:
			return nil, errorf(t.pos+star, `"*" can only end a word, as in ukrain*; it cannot start a word or stand inside one`)
		}
		words := norms(Tokenize(raw[:star]))
		switch {
		case len(words) == 0:
			return nil, errorf(t.pos, `prefix %s has no letters before "*": write at least two, as in ukrain*`, raw)
		case len(words) > 1:
			return nil, errorf(t.pos, `prefix %s spans several words: a prefix is a single word followed by "*", as in ukrain*`, raw)
		case countLetters(words[0]) < 2:
			return nil, errorf(t.pos, `prefix %s is too short: write at least two letters before "*"`, raw)
		}
		return &Term{Kind: PrefixTerm, Raw: raw, Phrases: [][]string{words}, Pos: t.pos}, nil
	}
	words := norms(Tokenize(raw))
	if len(words) == 0 {
		return nil, errorf(t.pos, `%q is not a word: a term needs letters or digits (the operators are AND, OR, NOT and -)`, raw)
	}
	kind := WordTerm
	if len(words) > 1 {
		kind = PhraseTerm
	}
	return &Term{Kind: kind, Raw: raw, Phrases: [][]string{words}, Pos: t.pos}, nil
}

// countLetters counts the letters and digits of a folded word.
func countLetters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return n
}

func (p *parser) entity(t lexeme) (Node, *Error) {
	id := t.text[1:]
	switch {
	case id == "":
		return nil, errorf(t.pos, `"@" needs an entity ID right after it, as in @nuc`)
	case strings.ContainsAny(id, "*@"):
		return nil, errorf(t.pos, `entity reference %s: an entity ID is written @id, without "*" or a second "@"`, t.text)
	}
	phrases, ok := p.entities[strings.ToLower(id)]
	switch {
	case !ok:
		return nil, errorf(t.pos, "unknown entity @%s; define it under entities:", id)
	case len(phrases) == 0:
		return nil, errorf(t.pos, "entity @%s has no name or alias with letters or digits to match; give it a name", id)
	}
	return &Term{Kind: EntityTerm, Raw: t.text, Entity: id, Phrases: phrases, Pos: t.pos}, nil
}

func (p *parser) phrase(t lexeme) (Node, *Error) {
	_, open := utf8.DecodeRuneInString(t.text)
	_, shut := utf8.DecodeLastRuneInString(t.text)
	body := t.text[open : len(t.text)-shut]
	if star := strings.IndexByte(body, '*'); star >= 0 {
		return nil, errorf(t.pos+open+star, `"*" is not allowed inside a phrase, which matches whole words; for a prefix, write one word outside the quotes, as in ukrain*`)
	}
	words := norms(Tokenize(body))
	if len(words) == 0 {
		return nil, errorf(t.pos, "empty phrase %s: put words between the quotes or remove them", t.text)
	}
	return &Term{Kind: PhraseTerm, Raw: t.text, Phrases: [][]string{words}, Pos: t.pos}, nil
}

// checkBounded refuses a query that is true on articles containing none of
// its terms ("-sport", "ukraine OR NOT sport"): such a rule would fire on
// nearly every article.
func checkBounded(root Node) *Error {
	u := unbounded(root)
	if u == nil {
		return nil
	}
	if !hasPositive(root) {
		return errorf(u.Offset(), "the query has no term to look for: NOT and - only exclude; add a word, as in ukraine -sport")
	}
	return errorf(u.Offset(), "this NOT stands alone on one side of an OR, so the rule would match nearly every article; pair it with a word to look for, as in (a OR b) -c")
}

// unbounded returns a NOT that can make n true on a text that contains
// none of n's terms, or nil when n needs at least one of its terms.
func unbounded(n Node) Node {
	switch n := n.(type) {
	case *Not:
		return n
	case *Or:
		for _, k := range n.Nodes {
			if u := unbounded(k); u != nil {
				return u
			}
		}
	case *And:
		var first Node
		for _, k := range n.Nodes {
			u := unbounded(k)
			if u == nil {
				return nil
			}
			if first == nil {
				first = u
			}
		}
		return first
	}
	return nil
}

// hasPositive reports whether n has a term outside every NOT.
func hasPositive(n Node) bool {
	switch n := n.(type) {
	case *Term:
		return true
	case *And:
		for _, k := range n.Nodes {
			if hasPositive(k) {
				return true
			}
		}
	case *Or:
		for _, k := range n.Nodes {
			if hasPositive(k) {
				return true
			}
		}
	}
	return false
}
