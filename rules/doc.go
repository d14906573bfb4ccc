// Package rules is herald's query language: it tokenizes text, parses and
// compiles the topic rules from the configuration into an immutable Set, and
// matches articles against them, saying which words matched.
//
// # Words
//
// Text and queries are read the same way (see Tokenize): compatibility-
// normalised, case-insensitive and accent-insensitive, so Radoslaw matches
// Radosław, ERDOGAN matches Erdoğan and Zurich matches Zürich. Words are
// split at anything that is not a letter or digit, hyphens, dashes, slashes
// and line breaks included; soft hyphens and zero-width characters are
// ignored; a possessive 's is dropped, so NATO matches NATO’s; HTML entities
// left in the text, also doubly escaped ones, are decoded. There is no
// stemming: Ukraine does not match Ukrainian and NATO does not match NATOs.
//
// # Terms
//
//	ukraine            a whole word
//	"black sea"        a phrase: the words consecutive, whatever punctuation,
//	                   dashes, full stops or line breaks separate them
//	F-16  CDU/CSU      a word with inner separators is the phrase of its parts
//	ukrain*            a prefix: at least two letters, then * at the end
//	@nuc               an entity: its name or any alias, each as a phrase; an
//	                   alias written case:WHO is case-sensitive
//	case:US            exact capitalisation (accents still ignored): "US",
//	case:"Black Sea"   not "us"; on a word, phrase, prefix, entity or group
//
// # Fields
//
// A term is looked for in the title and the text, unless a field is written
// directly before it, or before a parenthesised group, whose terms it then
// restricts:
//
//	title:X  text:X    the headline; the body
//	tag:X  author:X    the words of the item's categories and the feed's
//	                   configured tags; of the author names
//	feed:NAME          the item comes from the feed configured as NAME, compared
//	                   whole, ignoring case, accents and punctuation
//
// X is a word, a phrase, a prefix, an @entity, a case: term or a group:
// title:@nuc, title:case:US and title:(a OR b) are valid. A term has one
// field. Each tag value and author name is a field of its own: a phrase or
// NEAR never runs from one field into another.
//
// # Operators
//
//	a b   a AND b      both
//	a OR b             either
//	NOT a   -a         not a; - only directly before a term or group
//	a NEAR/n b         an occurrence of a and one of b, in the same field,
//	                   with at most n words between their nearest ends, in
//	                   either order (NEAR/0: adjacent); they may not overlap
//	( … )              grouping
//
// NOT binds tightest, then NEAR, then AND, then OR: "a OR b c" is
// "a OR (b AND c)", and "a NEAR/3 b c" is "(a NEAR/3 b) AND c". The operands
// of NEAR are words, phrases, prefixes, @entities or a parenthesised OR of
// those. Operators are upper case; and, or, not and near are words. A query
// must need at least one term to be present: "-sport" and
// "ukraine OR NOT sport" are refused because they would match nearly every
// article.
//
// A Rule may also have an Exclude query: the rule does not fire on an item
// the Exclude matches.
//
// # Matching many rules
//
// Compile puts the words of every rule into one dictionary and indexes each
// rule under a few words, phrases, prefixes or feed names of which any
// article it matches must contain one, as Lucene's Monitor and the
// Elasticsearch percolator do: an AND is indexed under its most selective
// operand, an OR under all of its branches. A phrase is a key of its own, a
// node of a trie of the phrases' words, so that a phrase of common words
// makes its rules candidates only where it occurs. Set.Matching tokenizes an
// article once, looks each of its distinct words up once, walks the phrase
// trie from the words that begin a phrase, and decides only the rules
// indexed under what it found; Set.Explain and Set.Match then find the hits
// of the rules that match. docs/engine.md says what this costs.
package rules
