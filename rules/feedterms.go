package rules

import "strings"

// FeedTerm is a feed: term of a query.
type FeedTerm struct {
	// Name is the feed name's words as feed: terms compare them (folded,
	// joined by single spaces); FeedWords gives a configured name's.
	Name string
	// Raw is the term as written in the query (feed:bbc-world).
	Raw string
	// Pos is the byte offset of Raw in the query.
	Pos int
}

// FeedTerms returns the feed: terms of each query, for a config to check
// that they name feeds it has. The queries are parsed against the entities
// with one parser, and not compiled; a query that does not parse has none
// (Compile reports its error).
func FeedTerms(queries []string, entities []Entity) [][]FeedTerm {
	out := make([][]FeedTerm, len(queries))
	var p *parser
	for i, q := range queries {
		if !strings.Contains(strings.ToLower(q), "feed:") {
			continue // no feed: term can be in it
		}
		if p == nil {
			p = &parser{entities: newEntityTable(entities)}
		}
		root, err := p.parse(q)
		if err != nil {
			continue
		}
		walkFeedTerms(p.toNode(root), func(t *Term) {
			if t.Field == FieldFeed && len(t.Phrases) > 0 {
				out[i] = append(out[i], FeedTerm{Name: strings.Join(t.Phrases[0], " "), Raw: t.Raw, Pos: t.Pos})
			}
		})
	}
	return out
}

// FeedWords is a feed name as feed: terms compare it: its words, folded,
// joined by single spaces.
func FeedWords(name string) string {
	toks := Tokenize(name)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Norm
	}
	return strings.Join(words, " ")
}

func walkFeedTerms(n Node, fn func(*Term)) {
	switch n := n.(type) {
	case *Term:
		fn(n)
	case *And:
		for _, c := range n.Nodes {
			walkFeedTerms(c, fn)
		}
	case *Or:
		for _, c := range n.Nodes {
			walkFeedTerms(c, fn)
		}
	case *Not:
		walkFeedTerms(n.Node, fn)
	case *Near:
		walkFeedTerms(n.Left, fn)
		walkFeedTerms(n.Right, fn)
	}
}
