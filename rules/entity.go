package rules

import (
	"strings"
)

// Entity is a named thing rules refer to as @ID: its name and aliases each
// match as a phrase.
type Entity struct {
	// ID is how queries refer to the entity, without the @ (matched case-insensitively).
	ID string
	// Name is the entity's usual name ("NATO-Ukraine Council").
	Name string
	// Aliases are other names for it ("NUC"). An alias written case:WHO
	// matches only in that capitalisation, so that the World Health
	// Organization is not found in every "who".
	Aliases []string
}

// entityTable is the entities of a Compile or ParseQuery, each name already
// split into words.
type entityTable struct {
	ids  map[string]int32 // lower-cased ID → index in list
	list []entityEntry
}

// entityEntry is one entity's phrases.
type entityEntry struct {
	phrases []entityPhrase
}

// entityPhrase is one name or alias of an entity.
type entityPhrase struct {
	words []string // folded, as Token.Norm
	cased []string // the same words with their capitalisation, for case-sensitive matching
	exact bool     // written case:…, so always case-sensitive
}

// casePrefix marks a case-sensitive entity alias.
const casePrefix = "case:"

// newEntityTable tokenizes every entity's names once. The first entity with
// an ID wins; rejecting duplicates is the configuration's job.
func newEntityTable(entities []Entity) *entityTable {
	t := &entityTable{ids: make(map[string]int32, len(entities))}
	for _, e := range entities {
		id := strings.ToLower(strings.TrimPrefix(e.ID, "@"))
		if _, dup := t.ids[id]; dup {
			continue
		}
		var ent entityEntry
		seen := make(map[string]bool)
		for _, name := range append([]string{e.Name}, e.Aliases...) {
			exact := false
			if len(name) >= len(casePrefix) && strings.EqualFold(name[:len(casePrefix)], casePrefix) {
				exact = true
				name = strings.Trim(name[len(casePrefix):], " \t\"“”„")
			}
			toks := Tokenize(name)
			if len(toks) == 0 {
				continue
			}
			ph := entityPhrase{words: make([]string, len(toks)), cased: make([]string, len(toks)), exact: exact}
			for i, tk := range toks {
				ph.words[i] = tk.Norm
				ph.cased[i] = string(appendCased(nil, name[tk.Start:tk.End]))
			}
			key := strings.Join(ph.words, " ")
			if exact {
				key = "\x00" + strings.Join(ph.cased, " ")
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			ent.phrases = append(ent.phrases, ph)
		}
		t.ids[id] = int32(len(t.list))
		t.list = append(t.list, ent)
	}
	return t
}
