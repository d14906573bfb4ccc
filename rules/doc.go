// Package rules is herald's query language: it tokenizes text, parses and
// compiles the topic rules from the configuration into an immutable Set, and
// matches articles against them, saying which words matched.
//
// # Words
//
// Text and queries are read the same way (see Tokenize): NFKC-equivalent,
// case-insensitive and accent-insensitive, so Radoslaw matches Radosław,
// ERDOGAN matches Erdoğan and Zurich matches Zürich. Words are split at
// anything that is not a letter or digit, hyphens, dashes, slashes and line
// breaks included; soft hyphens and zero-width characters are ignored; a
// possessive 's is dropped, so NATO matches NATO’s. There is no stemming:
// Ukraine does not match Ukrainian and NATO does not match NATOs.
//
// # Terms
//
//	ukraine            a whole word
//	"black sea"        a phrase: the words consecutive, whatever punctuation,
//	                   dashes or line breaks separate them
//	F-16  CDU/CSU      a word with inner separators is the phrase of its parts
//	ukrain*            a prefix: at least two letters, then * at the end
//	@nuc               an entity: its name or any alias, each as a phrase
//
// # Operators
//
//	a b   a AND b      both
//	a OR b             either
//	NOT a   -a         not a; - only directly before a term
//	( … )              grouping
//
// NOT binds tighter than AND, and AND tighter than OR: "a OR b c" is
// "a OR (b AND c)". Operators are upper case; and, or and not are words.
// A query must need at least one term to be present: "-sport" and
// "ukraine OR NOT sport" are refused because they would match nearly every
// article.
//
// A term is true when it occurs in the title or in the text; a phrase never
// runs from one field into the other.
package rules
