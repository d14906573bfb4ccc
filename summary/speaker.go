package summary

import (
	"strings"
)

// who is the speaker an attribution names, before resolution.
type who struct {
	name    string   // a name with titles stripped ("Jens Stoltenberg", "Stoltenberg", "NATO")
	role    []string // lower-cased title words ("foreign", "minister")
	pron    string   // a pronoun ("he")
	det     string   // the determiner before a role ("the", "a")
	gender  byte     // 'm', 'f' or 0 when unknown
	oblique bool     // a name in the genitive, as after "за словами" or "podle"
	titled  bool     // a title or an honorific came with the name: surely a person
}

func (w who) empty() bool { return w.name == "" && len(w.role) == 0 && w.pron == "" }

// runForward reads a name with its titles starting at toks[i], after an
// optional determiner: "the minister", "NATO Secretary General Jens
// Stoltenberg", "o presidente Luiz Inácio Lula da Silva". It returns the
// words, the determiner and the index after the run.
func runForward(toks []token, i int) ([]token, string, int) {
	det := ""
	if i < len(toks) && toks[i].word && determiners[toks[i].lower()] {
		det = toks[i].lower()
		i++
	}
	start := i
	for i < len(toks) {
		t := toks[i]
		if inName(t) {
			i++
			continue
		}
		if t.word && (connectors[t.s] && (i > start || particles[t.s]) || i == start && particles[strings.ToLower(t.s)]) {
			// "Lula da Silva", "von der Leyen": connectors followed by a name.
			j := i + 1
			for j < len(toks) && toks[j].word && connectors[toks[j].s] {
				j++
			}
			if j < len(toks) && toks[j].word && isCap(toks[j].s) && j-i <= 2 {
				i = j
				continue
			}
		}
		break
	}
	return toks[start:i], det, i
}

// runBackward reads a name with its titles ending at toks[i]; see runForward.
func runBackward(toks []token, i int) ([]token, string) {
	end := i + 1
	for i >= 0 {
		t := toks[i]
		if inName(t) {
			i--
			continue
		}
		if t.word && connectors[t.s] && i < end-1 && isCap(toks[i+1].s) {
			j := i
			for j >= 0 && toks[j].word && connectors[toks[j].s] {
				j--
			}
			if j >= 0 && inName(toks[j]) && i-j <= 2 {
				i = j
				continue
			}
		}
		break
	}
	det := ""
	if i >= 0 && toks[i].word && determiners[toks[i].lower()] {
		det = toks[i].lower()
	}
	return toks[i+1 : end], det
}

// normalize splits a run into the name and the role: the name is what
// follows the last title, honorific, acronym or possessive ("NATO Secretary
// General Jens Stoltenberg" → "Jens Stoltenberg", role "secretary general").
func normalize(run []token, det string) who {
	w := who{det: det}
	if len(run) == 0 {
		return w
	}
	meta := func(t token) bool {
		return isHonorific(t) || isTitleWord(t) || isAcronym(t.s) || isPossessive(t.s)
	}
	lastMeta := func(n int) int {
		last := -1
		for i := 0; i < n; i++ {
			if meta(run[i]) {
				last = i
			}
		}
		return last
	}
	n := len(run)
	last := lastMeta(n)
	// A title word after a name belongs to it: "Martin Luther King", "John Smith Sr.".
	if last == n-1 && n >= 2 && isCap(run[n-1].s) && !isAcronym(run[n-1].s) && !meta(run[n-2]) && isCap(run[n-2].s) {
		last = lastMeta(n - 1)
	}
	for _, t := range run[:last+1] {
		if isHonorific(t) {
			w.titled = true
			if g := honorifics[t.lower()]; g != 0 {
				w.gender = g
			}
			continue
		}
		if isTitleWord(t) {
			w.role = append(w.role, t.lower())
			if g, _ := titleNoun(t.lower()); g != 0 {
				w.gender = g
			}
		}
	}
	name := run[last+1:]
	// "Secretary of State Antony Blinken", "ministre des Armées Sébastien Lecornu":
	// the department after a connector belongs to the title.
	for last >= 0 && len(name) > 0 && connectors[name[0].s] {
		k := 1
		for k < len(name) && departments[name[k].lower()] {
			w.role = append(w.role, name[k].lower())
			k++
		}
		if k == 1 && len(name) > 1 {
			// A place: "governador de São Paulo", "Mayor of London Sadiq
			// Khan". Two words after the connector are the place; of more,
			// the first one or two (after "New", "São"…) are.
			place := 1
			switch rest := len(name) - 1; {
			case rest <= 2:
				place = rest
			case placeWords[name[1].lower()]:
				place = 2
			}
			for _, t := range name[1 : 1+place] {
				w.role = append(w.role, t.lower())
			}
			k = 1 + place
		}
		name = name[k:]
	}
	// "Marc Dubois of Transport Insight": no name goes on after "of".
	for i, t := range name {
		if i > 0 && (t.s == "of" || t.s == "for") {
			name = name[:i]
			break
		}
	}
	for len(name) > 0 && connectors[name[len(name)-1].s] {
		name = name[:len(name)-1]
	}
	lead := 0
	for lead < len(name)-1 && particles[name[lead].s] {
		lead++
	}
	if len(name) > 0 && isCap(name[lead].s) && (lead == 0 || last < 0) && len(name) <= 6 {
		parts := make([]string, len(name))
		for i, t := range name {
			parts[i] = t.s
		}
		w.name = strings.Join(parts, " ")
		if len(name) == 1 && isDemonym(w.name) {
			w.name = ""
		}
		if last >= 0 && (institutionWords[strings.ToLower(parts[len(parts)-1])] || bodyWords[strings.ToLower(parts[0])]) {
			// "General Assembly", "Foreign Ministry": a body, not a titled person.
			return who{det: det}
		}
		w.titled = w.titled || len(w.role) > 0 && w.name != ""
	}
	if w.name == "" && len(w.role) == 0 {
		// Only acronyms: an organisation speaking ("NATO said").
		var parts []string
		for _, t := range run {
			if !isAcronym(t.s) {
				return w
			}
			parts = append(parts, t.s)
		}
		w.name = strings.Join(parts, " ")
	}
	return w
}

// institutionWords end the names of bodies that a title word may precede.
var institutionWords = setOf(strings.Fields(`assembly council house ministry department office
	committee commission court parliament agency union nations forces army navy fleet bank fund
	group company party front alliance summit treaty university institute centre center
	government cabinet staff board service services command guard police`)...)

// demonyms are adjectives of nationality, which look like names in a run
// ("the Ukrainian minister") but are not.
var demonyms = setOf("french", "german", "british", "dutch", "greek", "swiss", "thai", "israeli",
	"iraqi", "afghan", "american", "european", "african", "mexican", "korean", "turkish", "polish",
	"spanish", "danish", "swedish", "finnish", "irish", "scottish", "english", "welsh", "chinese",
	"japanese", "portuguese", "vietnamese", "lebanese", "czech", "slovak", "pakistani", "yemeni",
	"saudi", "qatari", "kuwaiti", "emirati", "filipino", "republican", "democrat", "democratic", "conservative", "labour")

func isDemonym(s string) bool {
	l := strings.ToLower(s)
	return demonyms[l] || strings.HasSuffix(l, "ian") || strings.HasSuffix(l, "ese")
}

// nullSubject stands for the subject a Portuguese or Spanish verb leaves out;
// it resolves like a pronoun of unknown gender.
const nullSubject = "∅"

// speakerAfter reads the speaker from what follows a name or a speech verb
// that comes after it: a pronoun or a name with titles. A role followed by a
// name in apposition is that name ("segundo o presidente do partido, Marcos
// Figueiredo,").
func speakerAfter(toks []token, i int) who {
	if i < len(toks) && toks[i].word && !articleBefore(toks, i) {
		if g, ok := pronouns[toks[i].lower()]; ok {
			return who{pron: toks[i].lower(), gender: g}
		}
	}
	run, det, end := runForward(toks, i)
	var mods []string
	if len(run) == 0 {
		// "said council chair Mira Holm", "said the council chair, Mira
		// Holm": lower-case words before a title are part of it.
		k := end
		for k < len(toks) && k-end < 3 && toks[k].word && !isCap(toks[k].s) && !isTitleWord(toks[k]) {
			k++
		}
		if k > end && k < len(toks) && toks[k].word && isTitleWord(toks[k]) {
			for _, t := range toks[end:k] {
				mods = append(mods, t.lower())
			}
			run, _, end = runForward(toks, k)
		}
	}
	if len(run) == 0 {
		// "según la enóloga Florencia Aguirre", "explicó su
		// superintendente, Osvaldo Carrizo": a noun herald does not know
		// as a title, then the name.
		k := end
		if det == "" && i < len(toks) && possessives[toks[i].lower()] {
			k = i + 1
		}
		if w, ok := describedName(toks, k); ok {
			return w
		}
	}
	w := normalize(run, det)
	if len(mods) > 0 {
		w.role = append(mods, w.role...)
	}
	if w.name == "" && len(w.role) > 0 {
		if app, ok := nameAfterTitle(toks, end); ok {
			app.role = append(w.role, app.role...)
			if app.gender == 0 {
				app.gender = w.gender
			}
			return app
		}
		j := end
		for j < len(toks) && j-end < 6 && toks[j].word {
			j++
		}
		if j < len(toks) && toks[j].s == "," {
			arun, adet, aend := runForward(toks, j+1)
			app := normalize(arun, adet)
			if app.name != "" && (aend == len(toks) || !toks[aend].word) {
				app.role = append(w.role, app.role...)
				if app.gender == 0 {
					app.gender = w.gender
				}
				return app
			}
		}
	}
	return w
}

// ofWords join a title to the body it heads ("portavoz del Partido Popular").
var ofWords = setOf("of", "de", "del", "della", "dei", "degli", "des", "du", "da", "do", "dos", "das", "di", "von", "der")

// possessives may stand before a role as an article does ("su portavoz");
// [possessives] in lang/*.txt.
var possessives = map[string]bool{}

// describedName reads, from toks[k], one or two lower-case words that
// describe a person and the person's full name, right after them or in
// apposition after a comma.
func describedName(toks []token, k int) (who, bool) {
	start := k
	for k < len(toks) && k-start < 2 && toks[k].word && !isCap(toks[k].s) && !stopCaps[toks[k].lower()] && !speechVerbs[toks[k].s] {
		k++
	}
	if k == start || k >= len(toks) {
		return who{}, false
	}
	var role []string
	for _, t := range toks[start:k] {
		role = append(role, t.lower())
	}
	if toks[k].s == "," {
		w, ok := appositionAt(toks, k)
		w.role = role
		return w, ok
	}
	if !toks[k].word || !isCap(toks[k].s) {
		return who{}, false
	}
	run, det, end := runForward(toks, k)
	w := normalize(run, det)
	closed := end == len(toks) || !toks[end].word && strings.Contains(".,;!?", toks[end].s)
	// "каже десятирічний Максим.", "mówi pani Halina,": a first name alone
	// will do when nothing follows it.
	if w.name == "" || len(w.role) > 0 || len(strings.Fields(w.name)) < 2 && !closed || !closed && toks[end].word && isCap(toks[end].s) {
		return who{}, false
	}
	w.role = role
	return w, true
}

// articleBefore reports whether toks[i], which may be a pronoun in one
// language, is an article in another before a title or a name (Italian "il
// ministro", not French "il").
func articleBefore(toks []token, i int) bool {
	return determiners[toks[i].lower()] && i+1 < len(toks) && toks[i+1].word &&
		(isTitleWord(toks[i+1]) || isCap(toks[i+1].s))
}

// nameAfterTitle finds the full name that follows a title after at most
// three words that qualify it ("le commissaire européen Tomas Lind",
// "ředitel zoo Petr Novák", "Minister rolnictwa Piotr Zieliński", "ministro
// dell'Ambiente Giorgio Bianchi"), starting at toks[i].
func nameAfterTitle(toks []token, i int) (who, bool) {
	for k := i; k < len(toks) && k-i <= 4; k++ {
		t := toks[k]
		if t.s == "," {
			// "le ministre délégué au numérique, Karim Benali"
			return appositionAt(toks, k)
		}
		if !t.word {
			return who{}, false
		}
		if !isCap(t.s) {
			if ofWords[t.lower()] || contracted[t.lower()] {
				continue
			}
			if stopCaps[t.lower()] || verbGender[t.s] != 0 || speechVerbs[t.s] {
				return who{}, false // "professor at Harvard University"
			}
			continue
		}
		if k == i {
			return who{}, false
		}
		run, det, end := runForward(toks, k)
		w := normalize(run, det)
		if end < len(toks) && toks[end].s == "," {
			// "el portavoz del Partido Popular, Andrés Molina": the
			// name in apposition.
			if app, ok := appositionAt(toks, end); ok {
				return app, true
			}
		}
		if ofWords[toks[k-1].lower()] || contracted[toks[k-1].lower()] {
			return who{}, false // "del Partido Popular": a body
		}
		if len(strings.Fields(w.name)) >= 2 && len(w.role) == 0 && (end == len(toks) || !toks[end].word || !isCap(toks[end].s)) {
			return w, true
		}
		return who{}, false
	}
	return who{}, false
}

// contracted are prepositions fused with an article, which join a title to
// what it is of ("ministre délégué au numérique", "ministro dell'Ambiente").
var contracted = setOf("au", "aux", "al", "ao", "à", "zum", "zur", "dell'", "dell’", "l'", "l’", "nel", "della", "dello")

// appositionAt reads a full name in apposition after the comma at toks[c]:
// two words or more, without a title, closed by punctuation or the end.
func appositionAt(toks []token, c int) (who, bool) {
	run, det, end := runForward(toks, c+1)
	app := normalize(run, det)
	if len(strings.Fields(app.name)) >= 2 && len(app.role) == 0 && (end == len(toks) || !toks[end].word) {
		return app, true
	}
	return who{}, false
}

// subjectBefore reads the subject of the speech verb at toks[v]: a pronoun,
// a name, a role ("the minister"), or a name with an apposition between
// commas ("Jens Stoltenberg, NATO's secretary general, said").
func subjectBefore(toks []token, v int) who {
	i := v - 1
	for c := 0; c < 3 && i >= 0 && isAux(toks[i]); c++ {
		i--
	}
	if i < 0 {
		return who{}
	}
	if g, ok := pronouns[toks[i].lower()]; ok && toks[i].word {
		return who{pron: toks[i].lower(), gender: g}
	}
	if toks[i].s == "," {
		j := i - 1
		for j >= 0 && i-j <= 14 && toks[j].s != "," && toks[j].s != "." {
			j--
		}
		if j < 1 || toks[j].s != "," {
			return who{}
		}
		run, det, end := runForward(toks, j+1)
		app := normalize(run, det)
		if end != i {
			app = who{} // the apposition is not a name or a title
		}
		brun, bdet := runBackward(toks, j-1)
		subj := normalize(brun, bdet)
		before := j - 1 - len(brun)
		if bdet != "" {
			before--
		}
		if before >= 0 && ofWords[toks[before].lower()] && app.name != "" && len(app.role) == 0 {
			// "El presidente de la Asociación de Constructores, Ramón
			// Ibáñez, alertó": the body is not the subject, the person is.
			return app
		}
		switch {
		case subj.name != "":
			if len(subj.role) == 0 {
				subj.role = app.role
			}
			return subj
		case app.name != "":
			if len(app.role) == 0 {
				app.role = subj.role
			}
			return app
		case len(subj.role) > 0:
			return subj
		}
		return app
	}
	run, det := runBackward(toks, i)
	return normalize(run, det)
}

// verbSubject is the speaker of a speech verb at toks[v] (ending at end)
// whose subject is not given: nobody for a plural ("заявили", "spiegano"),
// else, where the subject is left out (”, avaliou.; – dodała s úsměvem; ”,
// ha dichiarato), the person last spoken of, of the gender the verb's ending
// tells.
func verbSubject(toks []token, v, end int) (who, bool) {
	g := verbGender[toks[v].s]
	if g == 'p' {
		return who{}, true
	}
	if end == len(toks) || !toks[end].word && strings.Contains(".!?;:", toks[end].s) ||
		proDropVerbs[toks[v].s] && (toks[end].s == "," || toks[end].word && !isCap(toks[end].s)) {
		return who{pron: nullSubject, gender: g}, true
	}
	return who{}, true
}

// attributionAfter finds who said a quotation in the text after it: "…,”
// said Stoltenberg", "…,” he said", "…,” the minister told reporters", "»,
// a-t-il ajouté", "”, disse ele". ok reports that an attribution was found
// even when its speaker cannot be named ("…,” a spokesman said).
func attributionAfter(toks []token) (who, bool) {
	i := 0
	for i < len(toks) && !toks[i].word && strings.Contains(",—–-:;", toks[i].s) {
		i++
	}
	if i >= len(toks) {
		return who{}, false
	}
	if toks[i].s == "so" && i+1 < len(toks) && isCap(toks[i+1].s) {
		// „…“, so Schröder. — German attributes with "so" and a name that
		// ends the sentence; English "so" never comes before a capital there.
		run, det, end := runForward(toks, i+1)
		if w := normalize(run, det); w.name != "" && (end == len(toks) || toks[end].s == "." || toks[end].s == ",") {
			return w, true
		}
	}
	// "a déclaré M. Macron"; "a-t-il déclaré", split into "a" "il" "déclaré";
	// "ha detto il ministro", "se preguntó Marta", "ha poi concluso".
	j := i
	for c := 0; c < 2 && j+1 < len(toks) && (toks[j].s == "a" || toks[j].s == "avait" || auxWords[toks[j].s]); c++ {
		if ok, _, _, _ := speechVerbAt(toks, j+1); ok {
			j++
			break
		} else if g, isPron := pronouns[toks[j+1].lower()]; isPron && j+2 < len(toks) && toks[j].s != "se" {
			if ok, _, _, _ := speechVerbAt(toks, j+2); ok {
				return who{pron: toks[j+1].lower(), gender: g}, true
			}
		}
		j++
	}
	if ok, _, _, _ := speechVerbAt(toks, j); !ok {
		j = i
	}
	if ok, end, _, _ := speechVerbAt(toks, j); ok {
		w := speakerAfter(toks, end)
		if w.empty() {
			return verbSubject(toks, j, end)
		}
		if w.gender == 0 && w.pron == "" {
			if g := verbGender[toks[j].s]; g == 'm' || g == 'f' {
				w.gender = g
			}
		}
		return w, true
	}
	// Subject first: "he said", "Stoltenberg told reporters", "the minister added",
	// "Jens Stoltenberg, NATO's secretary general, said".
	var w who
	k := i
	if g, ok := pronouns[toks[i].lower()]; ok && toks[i].word {
		w, k = who{pron: toks[i].lower(), gender: g}, i+1
	} else {
		var run []token
		var det string
		run, det, k = runForward(toks, i)
		if len(run) == 0 {
			return who{}, false
		}
		w = normalize(run, det)
	}
	if k < len(toks) && toks[k].s == "," {
		m := k + 1
		for m < len(toks) && m-k <= 14 && toks[m].s != "," && toks[m].s != "." {
			m++
		}
		if m < len(toks) && toks[m].s == "," {
			run, det, end := runForward(toks, k+1)
			if app := normalize(run, det); end == m && w.name == "" && app.name != "" {
				w = app
			}
			k = m + 1
		}
	}
	for c := 0; c < 3 && k < len(toks) && isAux(toks[k]); c++ {
		k++
	}
	if ok, _, _, _ := speechVerbAt(toks, k); ok {
		return w, true
	}
	return who{}, false
}

// attributionBefore finds who said a quotation in the part of the sentence
// before it: "Stoltenberg said: “…", "said Jens Stoltenberg: “…",
// "according to Stoltenberg, “…", "selon X, « …", "Schumer said the vote
// sent “…" (a partial quotation), "Emery retweeted the story, saying, “…"
// (the subject of the clause a participle hangs on), "Uber stepped in and
// tweeted: “…" (the subject of the first of two verbs).
func (r *resolver) attributionBefore(toks []token) (who, bool) {
	n := len(toks)
	for n > 0 && !toks[n-1].word && strings.Contains(",—–-:;(", toks[n-1].s) {
		n--
	}
	toks = toks[:n]
	v := -1
	var end int
	var forward, invertible bool
	for i := n - 1; i >= 0 && n-i <= 40; i-- {
		if ok, e, f, inv := speechVerbAt(toks, i); ok {
			v, end, forward, invertible = i, e, f, inv
			break
		}
	}
	if v < 0 {
		return who{}, false
	}
	if forward {
		if v > 0 && toks[v-1].word {
			// "Jego zdaniem „…”": the speaker is the possessive before.
			if g, ok := pronouns[toks[v-1].lower()]; ok && possessives[toks[v-1].lower()] {
				return who{pron: toks[v-1].lower(), gender: g}, true
			}
		}
		w := speakerAfter(toks, end)
		w.oblique = toks[v].lower() != "according" && w.name != ""
		return w, true
	}
	if participles[toks[v].s] {
		return r.clauseSubject(toks[:v], true), true
	}
	if invertible {
		// "said Jens Stoltenberg:" — the name ends the fragment.
		if g, ok := pronouns[lowerAt(toks, end)]; ok && end+1 == n {
			return who{pron: lowerAt(toks, end), gender: g}, true
		}
		run, det, e := runForward(toks, end)
		if len(run) > 0 && e == n {
			if subj := subjectBefore(toks, v); subj.empty() {
				return normalize(run, det), true
			}
		}
	}
	subj := subjectBefore(toks, v)
	if subj.empty() && v > 0 && (toks[v-1].lower() == "and" || toks[v-1].lower() == "et" || toks[v-1].lower() == "e") {
		subj = r.clauseSubject(toks[:v], true)
	}
	k := v - 1
	for k >= 0 && isAux(toks[k]) {
		k--
	}
	if subj.empty() && proDropVerbs[toks[v].s] && (k < 0 || !toks[k].word) {
		// "Kiedy zapytaliśmy o ceny, odpowiedziała krótko: „…”", but not
		// "una fuente de los servicios nos la resumió así:".
		if g := verbGender[toks[v].s]; g != 'p' {
			return who{pron: nullSubject, gender: g}, true
		}
	}
	if subj.gender == 0 && subj.pron == "" {
		if g := verbGender[toks[v].s]; g == 'm' || g == 'f' {
			subj.gender = g
		}
	}
	return subj, true
}

// connectives open a sentence before its subject ("And yet he…").
var connectives = setOf("and", "but", "yet", "so", "then", "still", "however", "also",
	"meanwhile", "now", "later", "mais", "et", "puis", "alors", "e", "mas", "então", "y", "pero")

// clauseSubject finds the subject of a clause: a pronoun, a person or a role
// at its start, after connectives ("And yet he…") or an introductory phrase
// ("Asked about the striker, Keller smiled"). With loose set, the first
// person named anywhere in the clause will do ("Snopes fact checker and
// staff writer David Emery posted…"), and failing a person, a name that
// starts the clause and is followed by a verb ("Uber stepped in…").
func (r *resolver) clauseSubject(toks []token, loose bool) who {
	skip := func(i int) int {
		for i < len(toks) && (!toks[i].word || connectives[toks[i].lower()]) {
			i++
		}
		return i
	}
	at := func(i int, anyName bool) (who, bool) {
		if i >= len(toks) {
			return who{}, false
		}
		if g, ok := pronouns[toks[i].lower()]; ok && toks[i].word && g != 0 {
			if passive(toks, i+1) {
				return who{}, false
			}
			return who{pron: toks[i].lower(), gender: g}, true
		}
		run, det, end := runForward(toks, i)
		if len(run) == 0 || end < len(toks) && toks[end].word && isCap(toks[end].s) || passive(toks, end) {
			return who{}, false
		}
		w := normalize(run, det)
		switch {
		case w.name != "" && r.isPerson(r.fullName(w.name, run[0].pos)):
			return w, true
		case w.name == "" && len(w.role) > 0 && definite(det) && r.role(w.role, det, run[0].pos) != "":
			return w, true
		case anyName && w.name != "" && r.names[w.name] >= 2 && end < len(toks) && toks[end].word:
			// A name the article uses more than once, followed by a verb:
			// an organisation speaking ("Uber stepped in and tweeted").
			return w, true
		}
		return who{}, false
	}
	starts := []int{skip(0)}
	for i := 0; i < len(toks) && i < 14; i++ {
		if toks[i].s == "," {
			starts = append(starts, skip(i+1))
			break
		}
	}
	for _, i := range starts {
		if w, ok := at(i, false); ok {
			return w
		}
	}
	if !loose {
		return who{}
	}
	for i := 0; i < len(toks); {
		run, det, end := runForward(toks, i)
		if len(run) == 0 {
			i = max(end, i+1)
			continue
		}
		if w := normalize(run, det); w.name != "" && r.isPerson(r.fullName(w.name, run[0].pos)) {
			return w
		}
		i = end
	}
	for _, i := range starts {
		if w, ok := at(i, true); ok {
			return w
		}
	}
	return who{}
}

// passive reports whether the verb at toks[i] is passive ("was arrested",
// "has been told"): its subject did not act, and need not be the one who
// speaks next.
func passive(toks []token, i int) bool {
	// Skip auxiliaries and adverbs: "has been told", "was quickly arrested",
	// "a été arrêté".
	for c := 0; c < 2 && i < len(toks) && toks[i].word; c++ {
		switch w := toks[i].s; {
		case w == "has", w == "have", w == "had", w == "a", w == "avait", strings.HasSuffix(w, "ly"):
			i++
			continue
		}
		break
	}
	if i+1 >= len(toks) || !toks[i].word {
		return false
	}
	switch toks[i].s {
	case "was", "were", "is", "are", "been", "being", "be", "foi", "été":
	default:
		return false
	}
	next := toks[i+1].s
	if next == "being" || next == "been" {
		return true
	}
	for _, suf := range []string{"ed", "en", "wn", "ado", "ada", "ido", "ida", "é", "ée", "és", "ées"} {
		if len(next) > len(suf)+2 && strings.HasSuffix(next, suf) {
			return true
		}
	}
	return false
}

// looseAttributionAfter finds an attribution after a quotation that ends with
// a comma when the strict reading fails: a speech verb among the first words
// of the sentence, its subject right before it (“…,” Pakistan-based developer
// Ammar Askar wrote; “…,” as Reuters reported).
func looseAttributionAfter(toks []token) (who, bool) {
	words := 0
	for v := 0; v < len(toks) && words < 10; v++ {
		t := toks[v]
		if !t.word {
			if strings.Contains(".!?;", t.s) {
				break
			}
			continue
		}
		words++
		ok, end, forward, invertible := speechVerbAt(toks, v)
		if !ok || forward || participles[t.s] || v == 0 {
			continue
		}
		if s := subjectBefore(toks, v); !s.empty() {
			return s, true
		}
		if invertible {
			if s := speakerAfter(toks, end); !s.empty() {
				return s, true
			}
		}
		return who{}, false
	}
	return who{}, false
}

func lowerAt(toks []token, i int) string {
	if i < 0 || i >= len(toks) || !toks[i].word {
		return ""
	}
	return toks[i].lower()
}
