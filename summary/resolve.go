package summary

import (
	"sort"
	"strings"
)

// person is a name the article gives, where it gives it.
type person struct {
	name string
	toks []string
	pos  int
}

// roleEntry says that the article called a person by a title.
type roleEntry struct {
	words map[string]bool
	name  string
	pos   int
}

// mention is a person named at a place in the article, a candidate for a
// later pronoun.
type mention struct {
	name string
	pos  int
}

// resolver knows the people of one article: their full names, titles,
// genders and where they were last named.
type resolver struct {
	persons  []person
	roles    []roleEntry
	mentions []mention // the first person named in each sentence outside quotations
	others   []mention // every other person named outside quotations
	said     []mention // the speakers of the quotations so far
	gender   map[string]byte
	known    map[string]bool  // every name in persons
	byToken  map[string][]int // persons with a full name, by each word of it
	names    map[string]int   // how often each name occurs outside quotations
	lang     string           // the article's language, "" when unknown
}

func newResolver(a *article, spans []span) *resolver {
	r := &resolver{gender: map[string]byte{}, known: map[string]bool{}, byToken: map[string][]int{}, names: map[string]int{}, lang: Language(a.text)}
	var sentences [][]token
	for _, seg := range a.outside(spans) {
		s := a.text[seg[0]:seg[1]]
		for _, sp := range sentenceSpans(s) {
			sentences = append(sentences, tokenize(s[sp[0]:sp[1]], seg[0]+sp[0]))
		}
	}
	for _, toks := range sentences {
		r.learn(toks)
	}
	r.learnCandidates(sentences)
	r.learnGenders(sentences)
	for _, toks := range sentences {
		first := true
		for i := 0; i < len(toks); {
			run, det, end := runForward(toks, i)
			if len(run) == 0 {
				i = max(end, i+1)
				continue
			}
			name := ""
			switch w := normalize(run, det); {
			case w.name != "":
				if n := r.fullName(w.name, run[0].pos); r.isPerson(n) {
					name = n
				}
			case len(w.role) > 0 && definite(det):
				// "The governor ended the news conference…": the person
				// last called so is the subject of the sentence.
				name = r.role(w.role, det, run[0].pos)
			}
			if name != "" {
				m := mention{name: name, pos: run[0].pos}
				if first {
					r.mentions = append(r.mentions, m)
					first = false
				} else {
					r.others = append(r.others, m)
				}
			}
			i = end
		}
	}
	return r
}

// definite reports the determiners that refer back to a known person ("a" is
// the Portuguese feminine article here; role() tells it from the English one).
func definite(det string) bool {
	return det != "" && determiners[det] && (!indefinites[det] || det == "a")
}

// learnCandidates records the people an article names without a title or a
// speech verb ("a meteorologist named Edward Norton Lorenz", "Sandra Pohl,
// 68, spent the night…"). A run of two to four capitalised words may as well
// be a place or a firm ("Times Square", "Royal McBee"), so it counts as a
// person only when the article also calls it by one of its words alone
// ("Lorenz", "Sarah"), as it does people, refers to it as he or she, or
// describes it as a person ("the geophysicist Daniel Rothman").
func (r *resolver) learnCandidates(sentences [][]token) {
	type cand struct {
		w         who
		pos       []int
		described bool
	}
	var cands []*cand
	byName := map[string]*cand{}
	solo := map[string]bool{} // single capitalised words used as names
	for _, toks := range sentences {
		for i := 0; i < len(toks); {
			run, det, end := runForward(toks, i)
			if len(run) == 0 {
				i = max(end, i+1)
				continue
			}
			w := normalize(run, det)
			r.names[w.name]++
			if ws := strings.Fields(w.name); len(ws) == 1 {
				solo[ws[0]] = true
			} else if fullNameLike(ws) && !r.known[w.name] {
				c := byName[w.name]
				if c == nil {
					c = &cand{w: w}
					byName[w.name] = c
					cands = append(cands, c)
				}
				c.pos = append(c.pos, run[0].pos)
				c.described = c.described || described(toks, i)
			}
			i = end
		}
	}
	votes := r.genderVotes(sentences, func(name string) bool { return byName[name] != nil })
	for _, c := range cands {
		ws := strings.Fields(c.w.name)
		if !solo[ws[0]] && !solo[ws[len(ws)-1]] && votes[c.w.name] == [2]int{} && !c.described {
			continue
		}
		for _, pos := range c.pos {
			r.addPerson(c.w, pos)
		}
	}
}

// described reports whether the name starting at toks[i] comes after a
// description of a person: a determiner and a lower-case noun or two ("the
// geophysicist Daniel Rothman", "o cientista político Paulo Nogueira"), or
// "named" ("a meteorologist named Edward Norton Lorenz").
func described(toks []token, i int) bool {
	if i > 0 && (toks[i-1].s == "named" || toks[i-1].s == "nommé" || toks[i-1].s == "chamado") {
		return true
	}
	for k := i - 1; k >= 0 && i-k <= 3; k-- {
		t := toks[k]
		if !t.word || isCap(t.s) {
			// "…, театральный критик Ольга Белова": languages without
			// articles describe a person right after punctuation.
			return !t.word && k < i-1 && t.s != "." && describes(toks[k+1:i])
		}
		if determiners[t.lower()] {
			return k < i-1
		}
	}
	return i <= 2 && i > 0 && describes(toks[:i])
}

// describes reports whether words could describe a person: lower-case words
// that are no function words nor verbs.
func describes(words []token) bool {
	for _, t := range words {
		if !t.word || isCap(t.s) || stopCaps[t.lower()] || speechVerbs[t.s] || verbGender[t.s] != 0 {
			return false
		}
	}
	return len(words) > 0
}

// fullNameLike reports whether words could be a person's full name: two to
// four capitalised words (particles such as "de" or "von" aside), none of
// which names places, bodies, months or days.
func fullNameLike(ws []string) bool {
	if len(ws) < 2 || len(ws) > 4 || !isCap(ws[0]) || !isCap(ws[len(ws)-1]) {
		return false
	}
	for _, w := range ws {
		l := strings.ToLower(w)
		if connectors[w] {
			continue
		}
		if !isCap(w) || isAcronym(w) || isPossessive(w) || stopCaps[l] || placeWords[l] ||
			institutionWords[l] || orgWords[l] || isDemonym(w) || strings.ContainsAny(w, "0123456789.") {
			return false
		}
	}
	return true
}

// orgWords end the names of firms, works and things rather than people.
var orgWords = setOf(strings.Fields(`inc co corp ltd plc llc association society college school
	museum hotel park avenue road lane boulevard strip lab laboratory award medal prize act
	games cup league show fair exposition network foundation project program programme review
	magazine journal times mail tribune herald globe daily weekly online media studio studios
	records motor motors airlines airways technologies systems labs`)...)

// Pronouns by gender, for guessing the gender of a person from the text
// around the name.
var (
	malePronouns   = setOf("he", "him", "his", "himself", "il", "ele", "dele", "él")
	femalePronouns = setOf("she", "her", "hers", "herself", "elle", "ela", "dela", "ella")
)

// genderVotes counts, for each person that isPerson accepts, the gendered
// pronouns in the sentences that name that person and nobody else, after the
// name, and in the next sentence when it names nobody: [male, female].
func (r *resolver) genderVotes(sentences [][]token, isPerson func(string) bool) map[string][2]int {
	named := make([][]string, len(sentences))
	first := make([]int, len(sentences))
	for k, toks := range sentences {
		first[k] = -1
		for i := 0; i < len(toks); {
			run, det, end := runForward(toks, i)
			if len(run) == 0 {
				i = max(end, i+1)
				continue
			}
			if w := normalize(run, det); w.name != "" {
				if name := r.fullName(w.name, run[0].pos); isPerson(name) && !contains(named[k], name) {
					named[k] = append(named[k], name)
					if first[k] < 0 {
						first[k] = end
					}
				}
			}
			i = end
		}
	}
	count := func(toks []token, v *[2]int) {
		for i, t := range toks {
			if !t.word {
				continue
			}
			if r.lang == "" || languages[r.lang] == nil {
				break
			}
			switch g, ok := languages[r.lang].pronouns[t.lower()]; {
			case !ok || articleBefore(toks, i) || malePronouns[t.lower()] || femalePronouns[t.lower()]:
			case g == 'm':
				v[0]++
			case g == 'f':
				v[1]++
			}
		}
		for _, t := range toks {
			switch l := t.lower(); {
			case !t.word:
			case malePronouns[l] && !(l == "il" && r.lang == "it"): // the Italian article
				v[0]++
			case femalePronouns[l]:
				v[1]++
			}
		}
	}
	votes := map[string][2]int{}
	for k, toks := range sentences {
		if len(named[k]) != 1 {
			continue
		}
		v := votes[named[k][0]]
		count(toks[first[k]:], &v)
		if k+1 < len(sentences) && len(named[k+1]) == 0 {
			count(sentences[k+1], &v)
		}
		votes[named[k][0]] = v
	}
	return votes
}

// learnGenders guesses the gender of the people whose titles and honorifics
// did not tell it, from the pronouns around their names.
func (r *resolver) learnGenders(sentences [][]token) {
	for name, v := range r.genderVotes(sentences, r.isPerson) {
		if r.gender[name] != 0 {
			continue
		}
		switch {
		case v[0] > 0 && v[0] >= 2*v[1]:
			r.gender[name] = 'm'
		case v[1] > 0 && v[1] >= 2*v[0]:
			r.gender[name] = 'f'
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// learn records the people a sentence names: with a title or an honorific
// ("Foreign Minister Dmytro Kuleba", "Mr. Smith"), with a title in apposition
// ("Dmytro Kuleba, Ukraine's foreign minister," / "A ministra da Saúde,
// Nísia Trindade,"), or as the subject of a speech verb.
func (r *resolver) learn(toks []token) {
	genitive := languages[r.lang] != nil && len(languages[r.lang].genitive) > 0
	for i := 0; i < len(toks); {
		run, det, end := runForward(toks, i)
		if len(run) == 0 {
			i = max(end, i+1)
			continue
		}
		if genitive && afterAccording(toks, i) {
			i = end // a name in the genitive: the loop over speech verbs reads it
			continue
		}
		w := normalize(run, det)
		if w.name != "" && (w.titled || i == 0 && det == "" && subjectName(run, toks, end)) {
			r.addPerson(w, run[0].pos)
		}
		if w.name == "" && hasTitleNoun(w.role) {
			if app, ok := nameAfterTitle(toks, end); ok {
				app.role, app.titled = w.role, true
				app.gender = w.gender
				r.addPerson(app, run[0].pos)
			}
		}
		if end < len(toks) && toks[end].s == "," {
			arun, adet, aend := runForward(toks, end+1)
			closed := aend == len(toks) || !toks[aend].word && strings.Contains(",.;", toks[aend].s)
			if len(arun) > 0 && closed {
				app := normalize(arun, adet)
				switch {
				case w.name != "" && app.name == "" && hasTitleNoun(app.role):
					w.role, w.titled = app.role, true
					if app.gender != 0 {
						w.gender = app.gender
					}
					r.addPerson(w, run[0].pos)
				case w.name == "" && hasTitleNoun(w.role) && app.name != "":
					app.role, app.titled = append(app.role, w.role...), true
					if w.gender != 0 {
						app.gender = w.gender
					}
					r.addPerson(app, arun[0].pos)
				}
			}
		}
		i = end
	}
	for v := range toks {
		ok, end, forward, invertible := speechVerbAt(toks, v)
		if ok && forward && languages[r.lang] != nil && len(languages[r.lang].genitive) > 0 {
			// "Podle mluvčí zoo Evy Králové zůstane vstupné stejné.": a
			// person, named in the genitive.
			if s := speakerAfter(toks, end); len(strings.Fields(s.name)) >= 2 {
				if n := r.slavicName(s.name); !r.known[n] && r.inflected(strings.Fields(n), toks[v].pos) == "" {
					s.name = r.nominative(n)
					r.addPerson(s, toks[v].pos)
				}
			}
		}
		if !ok || forward {
			continue
		}
		g := verbGender[toks[v].s]
		if g == 'p' {
			g = 0
		}
		if s := subjectBefore(toks, v); s.name != "" {
			if s.gender == 0 {
				s.gender = g
			}
			r.addPerson(s, toks[v].pos)
		} else if invertible {
			if s := speakerAfter(toks, end); s.name != "" {
				if s.gender == 0 {
					s.gender = g
				}
				r.addPerson(s, toks[v].pos)
			}
		}
	}
}

// afterAccording reports whether toks[i] follows a phrase that introduces a
// speaker ("podle", "за словами").
func afterAccording(toks []token, i int) bool {
	for k := 1; k <= 3 && i-k >= 0; k++ {
		if ok, end, forward, _ := speechVerbAt(toks, i-k); ok && forward && end == i {
			return true
		}
	}
	return false
}

// subjectName reports whether a run opening a sentence looks like the full
// name of a person doing something ("Dmytro Kuleba welcomed…"): two or three
// capitalised words, none of which usually names a place or a body, followed
// by a lower-case word.
func subjectName(run, toks []token, end int) bool {
	if len(run) < 2 || len(run) > 3 || end >= len(toks) || !toks[end].word || isCap(toks[end].s) {
		return false
	}
	for _, t := range run {
		if !t.word || isAcronym(t.s) || isPossessive(t.s) || placeWords[t.lower()] || isDemonym(t.s) {
			return false
		}
	}
	return true
}

// placeWords appear in the names of places, bodies and things, which open
// sentences as often as people do ("North Korea has…", "Black Sea Fleet").
var placeWords = setOf(strings.Fields(`north south east west new saint san santa los las united
	great black red white middle hong tel sri costa puerto buenos rio são sao abu kuala upper lower
	sea ocean gulf bay river lake island islands mountain mountains city province region oblast
	state states kingdom republic union nations council house street square palace court
	parliament assembly commission agency ministry department office army forces fleet navy bank
	fund group company party front alliance summit treaty university institute centre center
	airport station bridge port day week korea arabia africa america zealand emirates york
	jersey delhi east guard police service services times post news press radio television tv`)...)

func hasTitleNoun(role []string) bool {
	for _, w := range role {
		if _, ok := titleNoun(w); ok {
			return true
		}
	}
	return false
}

func (r *resolver) addPerson(w who, pos int) {
	// A surname alone is the person already known by the full name.
	name := r.fullName(w.name, pos)
	p := person{name: name, toks: strings.Fields(name), pos: pos}
	if len(p.toks) >= 2 {
		for _, t := range p.toks {
			r.byToken[t] = append(r.byToken[t], len(r.persons))
		}
	}
	r.persons = append(r.persons, p)
	r.known[name] = true
	if w.gender != 0 && r.gender[name] == 0 {
		r.gender[name] = w.gender
	}
	if r.gender[name] == 0 && inflects[r.lang] && len(p.toks) >= 2 {
		// Slavic first names that end in -a are women's (Anna, Олена,
		// Magdalena); the others men's (Piotr, Сергей, Jiří).
		switch first := []rune(strings.ToLower(p.toks[0])); first[len(first)-1] {
		case 'a', 'а', 'я':
			r.gender[name] = 'f'
		default:
			r.gender[name] = 'm'
		}
	}
	if len(w.role) > 0 {
		words := map[string]bool{}
		for _, x := range w.role {
			for _, part := range strings.Split(x, "-") {
				words[part] = true
			}
		}
		r.roles = append(r.roles, roleEntry{words: words, name: name, pos: pos})
	}
}

func (r *resolver) isPerson(name string) bool { return r.known[name] }

// resolve turns what an attribution says into a speaker's full name, or ""
// when it cannot be told.
func (r *resolver) resolve(w who, pos int) string {
	switch {
	case w.pron != "":
		if g, ok := pronouns[w.pron]; ok && g == 0 {
			return "" // they: a group
		}
		return r.pronoun(w.gender, pos)
	case w.name != "":
		name := r.fullName(w.name, pos)
		if w.oblique && name == r.slavicName(w.name) && !r.known[name] {
			// "за словами речника Андрія Лисенка", whom the article never
			// names in the nominative: undo the genitive endings.
			name = r.nominative(name)
		}
		return name
	case len(w.role) > 0:
		return r.role(w.role, w.det, pos)
	}
	return ""
}

// nominative turns a name in the genitive into the nominative with the
// ending pairs of the article's language ([genitive] in lang/*.txt), the
// longest ending first: "Андрія Лисенка" → "Андрій Лисенко", "Evy Králové"
// → "Eva Králová". A word no pair fits stays as it is.
func (r *resolver) nominative(name string) string {
	d := languages[r.lang]
	if d == nil || len(d.genitive) == 0 {
		return name
	}
	ws := strings.Fields(name)
	for i, w := range ws {
		for _, e := range d.genitive {
			if stem, ok := strings.CutSuffix(w, e[0]); ok && runeLen(stem) >= 2 {
				ws[i] = stem + e[1]
				break
			}
		}
	}
	return strings.Join(ws, " ")
}

// fullName expands a surname ("Stoltenberg") to the full name the article
// used for that person ("Jens Stoltenberg"), preferring the latest mention
// before pos. A name that ends with a known full name is that person
// ("Brussels Jens Stoltenberg" read across a missing comma).
func (r *resolver) fullName(name string, pos int) string {
	name = r.slavicName(name)
	toks := strings.Fields(name)
	if inflects[r.lang] && !r.known[name] {
		if found := r.inflected(toks, pos); found != "" {
			return found
		}
	}
	if len(toks) >= 2 {
		for k := range len(toks) - 1 {
			if suffix := strings.Join(toks[k:], " "); r.known[suffix] {
				return suffix
			}
		}
		// A surname of several words: "Von der Leyen", "Lula da Silva".
		lower := " " + strings.ToLower(name)
		ends := func(p person) bool {
			return len(p.toks) > len(toks) && strings.HasSuffix(strings.ToLower(p.name), lower)
		}
		if found := r.latestPerson(r.byToken[toks[len(toks)-1]], pos, ends); found != "" {
			return found
		}
		return name
	}
	cands := r.byToken[name]
	if found := r.latestPerson(cands, pos, func(p person) bool { return p.toks[len(p.toks)-1] == name }); found != "" {
		return found
	}
	if found := r.latestPerson(cands, pos, func(person) bool { return true }); found != "" {
		return found
	}
	return name
}

// inflects are the languages that decline names ("за словами Волкова",
// "podle Petra Nováka"): a name in another case is the person the article
// named in the nominative.
var inflects = setOf("uk", "ru", "pl", "cs")

// inflected finds the person named before pos (or else after it) whose name
// has as many words as toks, each the same word but for a case ending: the
// words share all but the last two letters of the longer one, and at least
// three ("Волкова" for "Волков", "Nováka" for "Novák", "Králové" for
// "Králová").
func (r *resolver) inflected(toks []string, pos int) string {
	if len(toks) == 0 || len(toks) > 3 {
		return ""
	}
	var idx []int
	for i, p := range r.persons {
		if len(p.toks) < len(toks) {
			continue
		}
		tail := p.toks[len(p.toks)-len(toks):]
		ok := true
		for k, t := range toks {
			if !sameStem(t, tail[k]) {
				ok = false
				break
			}
		}
		if ok {
			idx = append(idx, i)
		}
	}
	return r.latestPerson(idx, pos, func(person) bool { return true })
}

// sameStem reports whether two words differ only in a case ending of at
// most two letters ("Evy" and "Eva" too).
func sameStem(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	return n >= min(3, min(len(ra), len(rb))-1) && n >= 2 && len(ra)-n <= 2 && len(rb)-n <= 2
}

// slavicName drops the words a name run picked up from the title before it
// in the Slavic languages, which put the body after the title in the
// genitive ("Депутат Верховної Ради Ігор Савчук" → "Ігор Савчук",
// "Primátorka Brna Alena Veselá" → "Alena Veselá"): of three words or more,
// the last two are the name, or the last three when the middle one is a
// patronymic ("Сергей Викторович Волков").
func (r *resolver) slavicName(name string) string {
	if !inflects[r.lang] {
		return name
	}
	ws := strings.Fields(name)
	if len(ws) < 3 {
		return name
	}
	keep := 2
	for _, suf := range []string{"ович", "евич", "йович", "івна", "ївна", "овна", "евна", "ич"} {
		if strings.HasSuffix(ws[len(ws)-2], suf) {
			keep = 3
		}
	}
	return strings.Join(ws[len(ws)-keep:], " ")
}

// latestPerson returns, among the persons at the indices given, the one
// passing the test that was named last before pos, else the first one named
// after it.
func (r *resolver) latestPerson(idx []int, pos int, ok func(person) bool) string {
	found, foundPos := "", -1
	for _, i := range idx {
		p := r.persons[i]
		if !ok(p) {
			continue
		}
		switch {
		case found == "",
			p.pos < pos && (foundPos >= pos || p.pos > foundPos),
			p.pos >= pos && foundPos >= pos && p.pos < foundPos:
			found, foundPos = p.name, p.pos
		}
	}
	return found
}

// pronoun resolves he/she/they to the person last named before pos, as a
// speaker or as the first person of a sentence, skipping people of the other
// gender when both genders are known; failing that, to anybody named before.
func (r *resolver) pronoun(g byte, pos int) string {
	if name := latestMention(r, g, pos, r.mentions, r.said); name != "" {
		return name
	}
	// Nobody fits among speakers and subjects: try anybody named.
	return latestMention(r, g, pos, r.others)
}

// latestMention returns the person of compatible gender mentioned last
// before pos in any of the lists, each sorted by position.
func latestMention(r *resolver, g byte, pos int, lists ...[]mention) string {
	best, bestPos := "", -1
	for _, list := range lists {
		i := sort.Search(len(list), func(i int) bool { return list[i].pos >= pos })
		for i--; i >= 0 && list[i].pos > bestPos; i-- {
			m := list[i]
			if mg := r.gender[m.name]; g != 0 && mg != 0 && mg != g {
				continue
			}
			best, bestPos = m.name, m.pos
			break
		}
	}
	return best
}

// role resolves "the minister" to the person the article most recently
// called by that title before pos. "A spokesman" is somebody else.
func (r *resolver) role(words []string, det string, pos int) string {
	head := words[len(words)-1]
	if _, ok := titleNoun(head); !ok {
		return ""
	}
	if det == "an" || det == "a" && englishTitleSet[head] || det != "a" && indefinites[det] {
		return ""
	}
	q := map[string]bool{}
	for _, x := range words {
		for _, part := range strings.Split(x, "-") {
			q[part] = true
		}
	}
	best, bestPos := "", -1
	for _, e := range r.roles {
		if e.pos >= pos || e.pos < bestPos || !matchRole(q, e.words) {
			continue
		}
		best, bestPos = e.name, e.pos
	}
	return best
}

// matchRole reports whether a title as queried ("minister") fits a title as
// given ("foreign minister"), but not a different office ("deputy minister").
func matchRole(q, given map[string]bool) bool {
	for w := range q {
		if !given[w] {
			return false
		}
	}
	for w := range given {
		if rankModifiers[w] && !q[w] {
			return false
		}
	}
	return true
}
