package rules

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fieldKind is where a term is looked for.
type fieldKind uint8

const (
	fieldAny    fieldKind = iota // the title and the text
	fieldTitle                   // title:
	fieldText                    // text:
	fieldTag                     // tag:
	fieldAuthor                  // author:
	fieldFeed                    // feed:
	fieldCase                    // case:, which is not a field but is written like one
)

// fieldNames maps what is written before the colon to the field.
var fieldNames = map[string]fieldKind{
	FieldTitle: fieldTitle, FieldText: fieldText, FieldTag: fieldTag,
	FieldAuthor: fieldAuthor, FieldFeed: fieldFeed, "case": fieldCase,
}

// name returns the field as Term.Field writes it.
func (f fieldKind) name() string {
	switch f {
	case fieldTitle:
		return FieldTitle
	case fieldText:
		return FieldText
	case fieldTag:
		return FieldTag
	case fieldAuthor:
		return FieldAuthor
	case fieldFeed:
		return FieldFeed
	}
	return ""
}

// The word streams of a document, as bits: a term's mask says which of them
// it is looked for in.
const (
	kindTitle uint8 = 1 << iota
	kindText
	kindTag
	kindAuthor
	kindFeed // not words: the feed's name, which feed: terms compare whole
)

// mask returns the streams a term with this field is looked for in.
func (f fieldKind) mask() uint8 {
	switch f {
	case fieldTitle:
		return kindTitle
	case fieldText:
		return kindText
	case fieldTag:
		return kindTag
	case fieldAuthor:
		return kindAuthor
	case fieldFeed:
		return kindFeed
	}
	return kindTitle | kindText
}

// pop is the operation of a parsed node.
type pop uint8

const (
	pTerm pop = iota
	pAnd
	pOr
	pNot
	pNear
)

// pnode is one node of a parsed query. The parser keeps nodes in a flat,
// reusable slice instead of building Nodes, so that compiling 100,000 rules
// allocates next to nothing for their syntax trees; ParseQuery turns them
// into Nodes.
type pnode struct {
	op   pop
	pos  int32 // where the node starts; for pNot the NOT
	a, b int32 // pTerm: a is the term; pAnd, pOr: kids[a:b]; pNot: a is the operand; pNear: a and b are the operands
	n    int32 // pNear: the distance
	opAt int32 // pNear: where the NEAR is
}

// pterm is one term of a parsed query.
type pterm struct {
	kind     TermKind
	raw      string // as written, with the prefixes written on it
	bare     string // the term without prefixes
	pos      int32  // offset of raw
	field    fieldKind
	fieldPos int32 // offset of the field prefix, for errors
	cased    bool
	entity   int32 // index in the entity table, for an EntityTerm
	w0, w1   int32 // words[w0:w1], for the other kinds
}

// pword is one word of a term.
type pword struct {
	a, b   int32 // the folded word: the tokenizer's arena[a:b]
	s0, s1 int32 // the word as written: query[s0:s1]
}

// parser is a recursive-descent parser over the tokens of one query. One
// parser is reused for every query of a Compile.
type parser struct {
	q        string
	toks     []lexeme
	i        int
	entities *entityTable
	tk       tokenizer // folds the words of terms; its arena holds them
	nodes    []pnode
	kids     []int32
	stack    []int32
	terms    []pterm
	words    []pword
	root     int32 // of the last query parsed
}

// parse parses q and returns the index of its root node. The grammar,
// loosest first:
//
//	or      = and { "OR" and }
//	and     = near { [ "AND" ] near }
//	near    = unary [ "NEAR/n" unary ]
//	unary   = ( "NOT" | "-" ) unary | primary
//	primary = "(" or ")" | field ":" primary | word | "phrase" | prefix* | @entity
func (p *parser) parse(q string) (int32, *Error) {
	p.q, p.i, p.root = q, 0, -1
	p.nodes, p.kids, p.stack, p.terms, p.words = p.nodes[:0], p.kids[:0], p.stack[:0], p.terms[:0], p.words[:0]
	p.tk.reset()
	var err *Error
	if p.toks, err = lex(p.toks, q); err != nil {
		return 0, err
	}
	if len(p.toks) == 1 {
		return 0, errorf(0, "empty query: write at least one word to look for")
	}
	root, err := p.parseOr()
	if err != nil {
		return 0, err
	}
	if t := p.peek(); t.kind != lexEOF {
		// parseOr stops early only at a ")" that closes nothing.
		return 0, errorf(t.pos, `unbalanced parenthesis: this ")" has no matching "("; remove it or add "(" before it`)
	}
	if err := p.checkBounded(root); err != nil {
		return 0, err
	}
	p.root = root
	return root, nil
}

func (p *parser) peek() lexeme { return p.toks[p.i] }

func (p *parser) next() lexeme {
	t := p.toks[p.i]
	if t.kind != lexEOF {
		p.i++
	}
	return t
}

func (p *parser) add(n pnode) int32 {
	p.nodes = append(p.nodes, n)
	return int32(len(p.nodes) - 1)
}

// startsOperand reports whether t can begin an operand, which makes it an
// implicit AND after another operand.
func startsOperand(t lexeme) bool {
	switch t.kind {
	case lexWord, lexPhrase, lexLParen, lexNot, lexMinus, lexField:
		return true
	}
	return false
}

func (p *parser) parseOr() (int32, *Error) {
	return p.parseList(pOr)
}

func (p *parser) parseAnd() (int32, *Error) {
	return p.parseList(pAnd)
}

// parseList parses operands joined by OR (op pOr) or by AND or nothing (op
// pAnd), flattening nested lists of the same operation: the grouping does
// not change the meaning.
func (p *parser) parseList(op pop) (int32, *Error) {
	operand := p.parseAnd
	if op == pAnd {
		operand = p.parseNear
	}
	base := len(p.stack)
	defer func() { p.stack = p.stack[:base] }()
	for {
		n, err := operand()
		if err != nil {
			return 0, err
		}
		p.stack = append(p.stack, n)
		t := p.peek()
		if op == pOr && t.kind == lexOr || op == pAnd && t.kind == lexAnd {
			p.next()
			if err := p.checkRightOperand(t); err != nil {
				return 0, err
			}
			continue
		}
		if op == pAnd && startsOperand(t) {
			continue
		}
		break
	}
	if len(p.stack)-base == 1 {
		return p.stack[base], nil
	}
	a := int32(len(p.kids))
	for _, k := range p.stack[base:] {
		if kn := p.nodes[k]; kn.op == op {
			p.kids = append(p.kids, p.kids[kn.a:kn.b]...)
		} else {
			p.kids = append(p.kids, k)
		}
	}
	return p.add(pnode{op: op, pos: p.nodes[p.stack[base]].pos, a: a, b: int32(len(p.kids))}), nil
}

// maxNear bounds the NEAR distance; any longer text is nearer than that.
const maxNear = 1 << 20

func (p *parser) parseNear() (int32, *Error) {
	left, err := p.parseUnary()
	if err != nil {
		return 0, err
	}
	op := p.peek()
	if op.kind != lexNear {
		return left, nil
	}
	p.next()
	dist, err := nearDistance(op)
	if err != nil {
		return 0, err
	}
	if err := p.checkRightOperand(op); err != nil {
		return 0, err
	}
	if err := p.checkNearOperand(left, op); err != nil {
		return 0, err
	}
	right, err := p.parseUnary()
	if err != nil {
		return 0, err
	}
	if err := p.checkNearOperand(right, op); err != nil {
		return 0, err
	}
	if t := p.peek(); t.kind == lexNear {
		return 0, errorf(t.pos, "%s right after another NEAR: NEAR joins two operands; write (a %s b) (b %s c)", t.text, op.text, t.text)
	}
	return p.add(pnode{op: pNear, pos: p.nodes[left].pos, a: left, b: right, n: int32(dist), opAt: int32(op.pos)}), nil
}

// nearDistance reads n from NEAR/n.
func nearDistance(op lexeme) (int, *Error) {
	digits, _ := strings.CutPrefix(op.text, "NEAR")
	digits, _ = strings.CutPrefix(digits, "/")
	if digits == "" {
		return 0, errorf(op.pos, "NEAR without a distance: write NEAR/5 for at most 5 words between the two terms")
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, errorf(op.pos, "%s: the distance after NEAR/ is a whole number of words, as in NEAR/5", op.text)
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxNear {
		return 0, errorf(op.pos, "%s: the distance is too large; at most %d words", op.text, maxNear)
	}
	return n, nil
}

// checkNearOperand reports an operand NEAR cannot measure: only terms that
// occur at a place in the text, alone or in a parenthesised OR, can be near.
func (p *parser) checkNearOperand(i int32, op lexeme) *Error {
	const what = "NEAR joins words, phrases, prefixes, @entities or a parenthesised OR of those"
	n := p.nodes[i]
	switch n.op {
	case pTerm:
		if p.terms[n.a].field == fieldFeed {
			return errorf(int(n.pos), "%s cannot be near anything: feed: names where the item comes from, not words in it", p.terms[n.a].raw)
		}
		return nil
	case pOr:
		for _, k := range p.kids[n.a:n.b] {
			if p.nodes[k].op != pTerm {
				return errorf(int(p.nodes[k].pos), "%s next to %s: %s", p.describeNode(k), op.text, what)
			}
			if err := p.checkNearOperand(k, op); err != nil {
				return err
			}
		}
		return nil
	}
	return errorf(int(n.pos), "%s next to %s: %s; write a NOT outside, as in (a %s b) -c", p.describeNode(i), op.text, what, op.text)
}

// describeNode names a node in an error message.
func (p *parser) describeNode(i int32) string {
	switch p.nodes[i].op {
	case pAnd:
		return "an AND"
	case pOr:
		return "an OR"
	case pNot:
		return "a NOT"
	case pNear:
		return "a NEAR"
	}
	return "a term"
}

// checkRightOperand reports an operator with nothing usable after it.
func (p *parser) checkRightOperand(op lexeme) *Error {
	switch t := p.peek(); t.kind {
	case lexEOF:
		return errorf(op.pos, "dangling operator %s at the end of the query: add a term after it or remove it", op.text)
	case lexRParen:
		return errorf(op.pos, `operator %s has nothing on its right before ")": add a term after it or remove it`, op.text)
	case lexAnd, lexOr, lexNear:
		return errorf(t.pos, "operator %s right after %s: remove one of them", t.text, op.describe())
	}
	return nil
}

func (p *parser) parseUnary() (int32, *Error) {
	t := p.peek()
	if t.kind != lexNot && t.kind != lexMinus {
		return p.parsePrimary()
	}
	p.next()
	if err := p.checkRightOperand(t); err != nil {
		return 0, err
	}
	if nx := p.peek(); nx.kind == lexNot || nx.kind == lexMinus {
		return 0, errorf(nx.pos, "%s right after %s: a double negation cancels out; remove both", nx.describe(), t.describe())
	}
	n, err := p.parseUnary()
	if err != nil {
		return 0, err
	}
	return p.add(pnode{op: pNot, pos: int32(t.pos), a: n}), nil
}

func (p *parser) parsePrimary() (int32, *Error) {
	t := p.next()
	switch t.kind {
	case lexWord:
		return p.word(t)
	case lexPhrase:
		return p.phrase(t)
	case lexField:
		return p.field(t)
	case lexLParen:
		switch p.peek().kind {
		case lexRParen:
			return 0, errorf(t.pos, `empty parentheses: put a term between "(" and ")" or remove them`)
		case lexEOF:
			return 0, errorf(t.pos, `unbalanced parenthesis: this "(" is never closed; add ")"`)
		}
		n, err := p.parseOr()
		if err != nil {
			return 0, err
		}
		if p.next().kind != lexRParen {
			return 0, errorf(t.pos, `unbalanced parenthesis: this "(" is never closed; add ")"`)
		}
		return n, nil
	case lexRParen:
		return 0, errorf(t.pos, `unbalanced parenthesis: this ")" has no matching "("; remove it or add "(" before it`)
	case lexAnd, lexOr:
		return 0, errorf(t.pos, "operator %s has nothing on its left: put a term before it or remove it", t.text)
	case lexNear:
		if _, err := nearDistance(t); err != nil {
			return 0, err
		}
		return 0, errorf(t.pos, "operator %s has nothing on its left: put a term before it or remove it", t.text)
	}
	return 0, errorf(t.pos, "empty query: write at least one word to look for")
}

// field parses a field or case: prefix and what it applies to.
func (p *parser) field(t lexeme) (int32, *Error) {
	name := t.text[:len(t.text)-1]
	kind, ok := fieldNames[strings.ToLower(name)]
	if !ok {
		return 0, errorf(t.pos, `unknown field %s the fields are title:, text:, feed:, tag: and author:, and case: for exact capitalisation; to look for the words, quote them, as in "%s …"`, t.text, t.text)
	}
	nx := p.peek()
	switch {
	case nx.pos != t.end():
		return 0, errorf(t.pos, "%s needs a word, a phrase or a parenthesised expression right after it, without a space, as in %sNATO or %s(a OR b)", t.text, t.text, t.text)
	case nx.kind == lexMinus || nx.kind == lexNot:
		return 0, errorf(t.pos, "%s cannot be followed by a negation: write the - before the field, as in -%sword", t.text, t.text)
	case nx.kind != lexWord && nx.kind != lexPhrase && nx.kind != lexLParen && nx.kind != lexField:
		return 0, errorf(t.pos, "%s needs a word, a phrase or a parenthesised expression right after it, as in %sNATO or %s(a OR b)", t.text, t.text, t.text)
	}
	n, err := p.parsePrimary()
	if err != nil {
		return 0, err
	}
	if err := p.applyField(n, kind, t); err != nil {
		return 0, err
	}
	if nd := &p.nodes[n]; nd.op == pTerm && p.terms[nd.a].pos == int32(nx.pos) {
		// The prefix is written on the term itself, not on a group, so it is
		// part of how the term is written: hits say title:NATO.
		tm := &p.terms[nd.a]
		tm.raw = p.q[t.pos : int(tm.pos)+len(tm.raw)]
		tm.pos = int32(t.pos)
		nd.pos = int32(t.pos)
	}
	return n, nil
}

// applyField restricts every term under node i to the field (or makes it
// case-sensitive, for case:), checking that the combination makes sense.
func (p *parser) applyField(i int32, kind fieldKind, t lexeme) *Error {
	n := p.nodes[i]
	switch n.op {
	case pAnd, pOr:
		for _, k := range p.kids[n.a:n.b] {
			if err := p.applyField(k, kind, t); err != nil {
				return err
			}
		}
	case pNot:
		return p.applyField(n.a, kind, t)
	case pNear:
		if kind == fieldFeed {
			return errorf(int(n.opAt), "NEAR inside %s: feed: names where the item comes from, not words in it", t.text)
		}
		if err := p.applyField(n.a, kind, t); err != nil {
			return err
		}
		return p.applyField(n.b, kind, t)
	case pTerm:
		tm := &p.terms[n.a]
		if kind == fieldCase {
			if tm.field == fieldFeed {
				return errorf(t.pos, "case: does not apply to feed names, which are compared case-insensitively")
			}
			tm.cased = true
			return nil
		}
		if tm.field != fieldAny {
			return errorf(int(tm.fieldPos), "%s: inside %s: a term is looked for in one field only", tm.field.name(), t.text)
		}
		if kind == fieldFeed {
			switch {
			case tm.cased:
				return errorf(int(tm.pos), "case: does not apply to feed names, which are compared case-insensitively")
			case tm.kind == PrefixTerm:
				return errorf(int(tm.pos), "%s: feed: takes a feed's whole name, as configured, without *", tm.raw)
			case tm.kind == EntityTerm:
				return errorf(int(tm.pos), "%s: feed: takes a feed's name, as configured, not an @entity", tm.raw)
			}
		}
		tm.field, tm.fieldPos = kind, int32(t.pos)
	}
	return nil
}

// addTerm adds a term node whose words were just appended to p.words from w0.
func (p *parser) addTerm(kind TermKind, t lexeme, w0 int, entity int32) int32 {
	p.terms = append(p.terms, pterm{
		kind: kind, raw: t.text, bare: t.text, pos: int32(t.pos), fieldPos: -1,
		entity: entity, w0: int32(w0), w1: int32(len(p.words)),
	})
	return p.add(pnode{op: pTerm, pos: int32(t.pos), a: int32(len(p.terms) - 1)})
}

// tokenize appends the words of s, which stands at offset pos in the query,
// to p.words and returns how many there are.
func (p *parser) tokenize(s string, pos int) int {
	p.tk.toks = p.tk.toks[:0]
	p.tk.run(s, 0)
	for _, k := range p.tk.toks {
		p.words = append(p.words, pword{a: k.norm0, b: k.norm1, s0: int32(pos) + k.start, s1: int32(pos) + k.end})
	}
	return len(p.tk.toks)
}

// norm returns the folded form of a word as bytes of the tokenizer's arena.
func (p *parser) norm(w pword) []byte { return p.tk.arena[w.a:w.b] }

// word turns a bare term into a word, phrase, prefix or entity term.
func (p *parser) word(t lexeme) (int32, *Error) {
	raw := t.text
	if raw[0] == '@' {
		return p.entity(t)
	}
	w0 := len(p.words)
	if star := strings.IndexByte(raw, '*'); star >= 0 {
		switch {
		case raw == "*":
			return 0, errorf(t.pos, `a lone "*" matches nothing: put it at the end of a word, after at least two letters, as in ukrain*`)
		case star != len(raw)-1:
			return 0, errorf(t.pos+star, `"*" can only end a word, as in ukrain*; it cannot start a word or stand inside one`)
		}
		switch n := p.tokenize(raw[:star], t.pos); {
		case n == 0:
			return 0, errorf(t.pos, `prefix %s has no letters before "*": write at least two, as in ukrain*`, raw)
		case n > 1:
			return 0, errorf(t.pos, `prefix %s spans several words: a prefix is a single word followed by "*", as in ukrain*`, raw)
		case countLetters(p.norm(p.words[w0])) < 2:
			return 0, errorf(t.pos, `prefix %s is too short: write at least two letters before "*"`, raw)
		}
		return p.addTerm(PrefixTerm, t, w0, -1), nil
	}
	n := p.tokenize(raw, t.pos)
	if n == 0 {
		return 0, errorf(t.pos, `%q is not a word: a term needs letters or digits (the operators are AND, OR, NOT, NEAR/n and -)`, raw)
	}
	kind := WordTerm
	if n > 1 {
		kind = PhraseTerm
	}
	return p.addTerm(kind, t, w0, -1), nil
}

// countLetters counts the letters and digits of a folded word.
func countLetters(w []byte) int {
	n := 0
	for len(w) > 0 {
		r, size := utf8.DecodeRune(w)
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
		w = w[size:]
	}
	return n
}

func (p *parser) entity(t lexeme) (int32, *Error) {
	id := t.text[1:]
	switch {
	case id == "":
		return 0, errorf(t.pos, `"@" needs an entity ID right after it, as in @nuc`)
	case strings.ContainsAny(id, "*@"):
		return 0, errorf(t.pos, `entity reference %s: an entity ID is written @id, without "*" or a second "@"`, t.text)
	}
	e, ok := p.entities.ids[strings.ToLower(id)]
	switch {
	case !ok:
		return 0, errorf(t.pos, "unknown entity @%s; define it under entities:", id)
	case len(p.entities.list[e].phrases) == 0:
		return 0, errorf(t.pos, "entity @%s has no name or alias with letters or digits to match; give it a name", id)
	}
	return p.addTerm(EntityTerm, t, len(p.words), e), nil
}

func (p *parser) phrase(t lexeme) (int32, *Error) {
	_, open := utf8.DecodeRuneInString(t.text)
	_, shut := utf8.DecodeLastRuneInString(t.text)
	body := t.text[open : len(t.text)-shut]
	if star := strings.IndexByte(body, '*'); star >= 0 {
		return 0, errorf(t.pos+open+star, `"*" is not allowed inside a phrase, which matches whole words; for a prefix, write one word outside the quotes, as in ukrain*`)
	}
	w0 := len(p.words)
	if p.tokenize(body, t.pos+open) == 0 {
		return 0, errorf(t.pos, "empty phrase %s: put words between the quotes or remove them", t.text)
	}
	return p.addTerm(PhraseTerm, t, w0, -1), nil
}

// checkBounded refuses a query that is true on articles containing none of
// its terms ("-sport", "ukraine OR NOT sport"): such a rule would fire on
// nearly every article, and no index could find the articles it wants.
func (p *parser) checkBounded(root int32) *Error {
	u := p.unbounded(root)
	if u < 0 {
		return nil
	}
	if !p.hasPositive(root) {
		return errorf(int(p.nodes[u].pos), "the query has no term to look for: NOT and - only exclude; add a word, as in ukraine -sport")
	}
	return errorf(int(p.nodes[u].pos), "this NOT stands alone on one side of an OR, so the rule would match nearly every article; pair it with a word to look for, as in (a OR b) -c")
}

// unbounded returns a NOT that can make node i true on a text that contains
// none of its terms, or -1 when node i needs at least one of its terms.
func (p *parser) unbounded(i int32) int32 {
	n := p.nodes[i]
	switch n.op {
	case pNot:
		return i
	case pOr:
		for _, k := range p.kids[n.a:n.b] {
			if u := p.unbounded(k); u >= 0 {
				return u
			}
		}
	case pAnd:
		first := int32(-1)
		for _, k := range p.kids[n.a:n.b] {
			u := p.unbounded(k)
			if u < 0 {
				return -1
			}
			if first < 0 {
				first = u
			}
		}
		return first
	}
	return -1
}

// hasPositive reports whether node i has a term outside every NOT.
func (p *parser) hasPositive(i int32) bool {
	n := p.nodes[i]
	switch n.op {
	case pTerm, pNear:
		return true
	case pAnd, pOr:
		for _, k := range p.kids[n.a:n.b] {
			if p.hasPositive(k) {
				return true
			}
		}
	}
	return false
}

// toNode builds the public tree of node i.
func (p *parser) toNode(i int32) Node {
	n := p.nodes[i]
	switch n.op {
	case pAnd, pOr:
		kids := make([]Node, n.b-n.a)
		for j, k := range p.kids[n.a:n.b] {
			kids[j] = p.toNode(k)
		}
		if n.op == pAnd {
			return &And{Nodes: kids}
		}
		return &Or{Nodes: kids}
	case pNot:
		return &Not{Node: p.toNode(n.a), Pos: int(n.pos)}
	case pNear:
		return &Near{Left: p.toNode(n.a), Right: p.toNode(n.b), N: int(n.n), Pos: int(n.opAt)}
	}
	tm := p.terms[n.a]
	t := &Term{Kind: tm.kind, Raw: tm.raw, Field: tm.field.name(), Case: tm.cased, Pos: int(tm.pos), bare: tm.bare}
	if tm.kind == EntityTerm {
		t.Entity = tm.bare[1:]
		for _, ph := range p.entities.list[tm.entity].phrases {
			t.Phrases = append(t.Phrases, ph.words)
			var exact []string
			if ph.exact || tm.cased {
				exact = ph.cased
			}
			t.Exact = append(t.Exact, exact)
		}
		if !p.anyExact(t.Exact) {
			t.Exact = nil
		}
		return t
	}
	words := make([]string, 0, tm.w1-tm.w0)
	var exact []string
	for _, w := range p.words[tm.w0:tm.w1] {
		words = append(words, string(p.norm(w)))
		if tm.cased {
			exact = append(exact, string(appendCased(nil, p.q[w.s0:w.s1])))
		}
	}
	t.Phrases = [][]string{words}
	if tm.cased {
		t.Exact = [][]string{exact}
	}
	return t
}

func (p *parser) anyExact(exact [][]string) bool {
	for _, e := range exact {
		if e != nil {
			return true
		}
	}
	return false
}
