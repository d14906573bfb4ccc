package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word or a punctuation mark of an attribution or a sentence.
type token struct {
	s    string
	low  string // s lower-cased without a final full stop, set by tokenize
	pos  int    // byte offset in the article text
	word bool
}

// lower is the token lower-cased without a final full stop, the form the
// word lists use.
func (t token) lower() string {
	if t.low == "" && t.s != "" {
		return lowerWord(t.s)
	}
	return t.low
}

func lowerWord(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenize splits s (found at offset base of the article) into words and
// punctuation. Apostrophes, hyphens and dots inside a word stay in it
// ("NATO’s", "a-t-il", "U.S"); a final dot stays with abbreviations ("Mr.",
// "U.S.", "J."). French elision and inversion are split ("l'ambassadeur" →
// "l'" "ambassadeur", "a-t-il" → "a" "il", "dit-elle" → "dit" "elle").
func tokenize(s string, base int) []token {
	var toks []token
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		if !isWordRune(r) {
			toks = append(toks, token{s: s[i : i+w], pos: base + i})
			i += w
			continue
		}
		j := i + w
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if isWordRune(r2) {
				j += w2
				continue
			}
			if strings.ContainsRune("'’-.", r2) && j+w2 < len(s) {
				if r3, _ := utf8.DecodeRuneInString(s[j+w2:]); isWordRune(r3) {
					j += w2
					continue
				}
			}
			break
		}
		if j < len(s) && s[j] == '.' && keepsDot(s[i:j]) {
			j++
		}
		toks = append(toks, splitWord(s[i:j], base+i)...)
		i = j
	}
	for k := range toks {
		toks[k].low = lowerWord(toks[k].s)
	}
	return toks
}

// keepsDot reports whether a full stop after word belongs to it.
func keepsDot(word string) bool {
	if r, n := utf8.DecodeRuneInString(word); n == len(word) {
		return unicode.IsUpper(r)
	}
	l := strings.ToLower(word)
	_, hon := honorifics[l]
	return hon || titleAbbr[l] || strings.Contains(word, ".")
}

var (
	elisions   = []string{"qu'", "qu’", "l'", "l’", "d'", "d’", "j'", "j’", "n'", "n’", "s'", "s’", "c'", "c’", "m'", "m’", "t'", "t’", "L'", "L’"}
	inversions = []string{"-t-il", "-t-elle", "-t-on", "-il", "-elle", "-ils", "-elles"}
)

func splitWord(w string, pos int) []token {
	for _, e := range elisions {
		if len(w) > len(e) && strings.HasPrefix(w, e) {
			return append([]token{{s: w[:len(e)], pos: pos, word: true}}, splitWord(w[len(e):], pos+len(e))...)
		}
	}
	if first, _ := utf8.DecodeRuneInString(w); unicode.IsLower(first) {
		for _, inv := range inversions {
			if len(w) > len(inv) && strings.HasSuffix(w, inv) {
				head := w[:len(w)-len(inv)]
				pron := inv[strings.LastIndexByte(inv, '-')+1:]
				return []token{
					{s: head, pos: pos, word: true},
					{s: pron, pos: pos + len(w) - len(pron), word: true},
				}
			}
		}
	}
	return []token{{s: w, pos: pos, word: true}}
}

func isCap(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// isAcronym reports words of two or more capitals and nothing lower case:
// "NATO", "U.S.", "EU".
func isAcronym(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n >= 2
}

func isPossessive(s string) bool {
	return strings.HasSuffix(s, "'s") || strings.HasSuffix(s, "’s")
}

// Speech verbs. The value says whether the verb can precede its speaker
// ("said Stoltenberg"); "told" and "asked" take an object there instead.
var speechVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`said says say added adds stated states noted notes warned warns
		explained explains wrote writes declared declares declare insisted insists stressed stresses
		emphasized emphasised emphasizes emphasises remarked remarks replied replies answered
		answers continued continues argued argues acknowledged acknowledges admitted admits
		announced announces commented comments observed observes recalled recalls tweeted tweets
		concluded concludes claimed claims confirmed confirms cautioned cautions underlined
		underscored suggested suggests predicted predicts promised promises vowed vows pledged
		pledges reiterated reiterates conceded concedes responded responds shouted joked jokes
		quipped quips affirmed reported reports countered counters retorted complained complains
		lamented laments boasted mused recounted recounts testified alleged maintained contended
		wondered whispered exclaimed
		déclaré dit affirmé ajouté expliqué souligné indiqué estimé précisé assuré averti martelé
		lancé insisté rappelé confié annoncé répondu écrit témoigné raconté reconnu poursuivi
		conclu résumé tranché regretté dénoncé prévenu répété déclare affirme ajoute explique
		souligne indique estime précise assure avertit martèle lance insiste rappelle confie
		annonce répond écrit témoigne raconte reconnaît poursuit conclut résume tranche regrette
		dénonce prévient répète déclarait disait affirmait ajoutait expliquait soulignait
		indiquait estimait précisait assurait lançait confiait témoignait racontait poursuivait
		disse afirmou declarou acrescentou explicou ressaltou destacou salientou sublinhou comentou
		alertou advertiu defendeu garantiu completou observou avaliou escreveu respondeu diz afirma
		declara explica ponderou argumentou reconheceu contou relatou lembrou frisou enfatizou
		pontuou reforçou concluiu opinou brincou admitiu prometeu analisou disseram afirmaram
		dijo afirmó declaró añadió explicó señaló aseguró dice agregó indicó expresó sostuvo
		comentó precisó subrayó advirtió insistió recordó reconoció manifestó
		sagte erklärte betonte sagt erklärt betont fügte`) {
		m[v] = true
	}
	for _, v := range strings.Fields(`told tells asked asks urged urges written`) {
		m[v] = false
	}
	return m
}()

// participles of speech verbs attribute a quotation to the subject of the
// clause they hang on ("Emery retweeted the story, saying, “…”").
var participles = setOf("saying", "adding", "noting", "writing", "telling", "declaring",
	"stating", "explaining", "warning", "insisting", "arguing", "asking", "tweeting",
	"stressing", "replying", "answering", "concluding", "recalling", "promising", "vowing",
	"déclarant", "affirmant", "ajoutant", "expliquant", "soulignant", "estimant", "assurant",
	"dizendo", "afirmando", "acrescentando", "explicando", "diciendo", "afirmando", "añadiendo")

// speechVerbAt reports whether a speech verb starts at toks[i], returning the
// index after it and whether the speaker must follow it ("according to X",
// "selon X", "segundo X").
func speechVerbAt(toks []token, i int) (ok bool, end int, forward bool, invertible bool) {
	if i < 0 || i >= len(toks) || !toks[i].word {
		return false, i, false, false
	}
	l := toks[i].lower()
	next := func(k int) string {
		if i+k < len(toks) {
			return toks[i+k].lower()
		}
		return ""
	}
	switch {
	case l == "according" && next(1) == "to":
		return true, i + 2, true, true
	case l == "de" && next(1) == "acordo" && next(2) == "com":
		return true, i + 3, true, true
	case (l == "d'" || l == "d’") && next(1) == "après":
		return true, i + 2, true, true
	case l == "selon" || l == "segundo" || l == "según" || l == "conforme":
		return true, i + 1, true, true
	}
	for _, ph := range accordingPhrases {
		if ph[0] != l {
			continue
		}
		k := 1
		for k < len(ph) && next(k) == ph[k] {
			k++
		}
		if k == len(ph) {
			return true, i + k, true, true
		}
	}
	inv, ok := speechVerbs[toks[i].s]
	if !ok && participles[toks[i].s] {
		return true, i + 1, false, false
	}
	return ok, i + 1, false, inv
}

// pronouns that may stand for a speaker, with their gender. The plural ones
// are known so that they are not read as names, but they stand for a group,
// which has no name to give: they resolve to nobody.
var pronouns = map[string]byte{
	"he": 'm', "she": 'f', "they": 0, "il": 'm', "elle": 'f', "ils": 0, "elles": 0,
	"ele": 'm', "ela": 'f', "eles": 0, "elas": 0, "él": 'm', "ella": 'f',
}

// honorifics are stripped from names; the value is the gender they imply.
var honorifics = map[string]byte{
	"mr": 'm', "mrs": 'f', "ms": 'f', "miss": 'f', "dr": 0, "prof": 0, "mme": 'f', "mlle": 'f',
	"sr": 'm', "sra": 'f', "srta": 'f', "dom": 'm', "dona": 'f', "sir": 'm', "dame": 'f',
	"lord": 'm', "lady": 'f', "sen": 0, "rep": 0, "gov": 0, "gen": 0, "lt": 0, "col": 0,
	"maj": 0, "capt": 0, "sgt": 0, "adm": 0, "rev": 0, "hon": 0, "herr": 'm', "frau": 'f',
	"brig": 0, "amb": 0,
}

// isHonorific reports "Mr.", "Dr.", "Gen."… and the French "M." (only with
// its dot, so that an initial is not taken for it).
func isHonorific(t token) bool {
	if t.s == "M." {
		return true
	}
	_, ok := honorifics[t.lower()]
	return ok && isCap(t.s)
}

// Title nouns name what a person is; they are stripped from names and kept
// as the person's role.
const (
	englishTitles = `president vice-president president-elect minister secretary
		secretary-general chancellor chief spokesman spokesperson ambassador envoy senator
		representative congressman lawmaker legislator governor mayor commissioner director
		director-general chairman chairperson chair ceo cfo coo head leader king prince pope premier
		commander commander-in-chief colonel lieutenant major captain admiral sergeant marshal
		general officer official analyst professor doctor judge justice attorney prosecutor lawyer
		adviser advisor aide diplomat negotiator founder co-founder executive manager coordinator
		economist researcher expert speaker counsel undersecretary correspondent editor sheriff
		bishop archbishop cardinal patriarch rabbi imam cleric mp deputy
		spokeswoman chairwoman congresswoman queen princess boss coach writer reporter
		columnist journalist author developer programmer scientist historian philosopher
		physicist geophysicist astronomer meteorologist chemist engineer activist candidate
		nominee campaigner organiser organizer strategist consultant pollster
		oceanographer sociologist psychologist biologist`
	otherTitles = `président ministre secrétaire porte-parole ambassadeur chef directeur général
		maire député sénateur commissaire conseiller procureur juge patron dirigeant responsable
		presidente ministro secretário secretario porta-voz portavoz embaixador embajador
		governador prefeito deputado senador diretor chefe comandante procurador juiz assessor
		líder alcalde primeiro-ministro premier-ministre
		préfet préfète sous-préfet commandant capitaine adjoint adjointe
		présidente ministra secretária ambassadrice directrice députée sénatrice conseillère
		presidenta embaixadora governadora prefeita deputada senadora diretora juíza assessora
		kanzler bundeskanzler kanzlerin bundeskanzlerin präsident präsidentin bundespräsident
		minister ministerin außenminister außenministerin sprecher sprecherin regierungssprecher`
	feminineTitles = `préfète adjointe spokeswoman chairwoman congresswoman queen princess présidente ministra
		secretária ambassadrice directrice députée sénatrice conseillère presidenta embaixadora
		governadora prefeita deputada senadora diretora juíza assessora kanzlerin
		bundeskanzlerin präsidentin ministerin außenministerin sprecherin`
	masculineTitles = `spokesman chairman congressman king prince ministro secretário
		embaixador embajador governador prefeito deputado senador diretor juiz assessor
		président ambassadeur directeur député sénateur conseiller procureur préfet`
)

var (
	// titleNouns maps every title noun to the gender it implies ('m', 'f' or 0).
	titleNouns = func() map[string]byte {
		m := map[string]byte{}
		for _, w := range strings.Fields(englishTitles + " " + otherTitles) {
			m[w] = 0
		}
		for _, w := range strings.Fields(feminineTitles) {
			m[w] = 'f'
		}
		for _, w := range strings.Fields(masculineTitles) {
			m[w] = 'm'
		}
		return m
	}()
	// englishTitleSet tells English titles, for which "a" is the indefinite
	// article ("a spokesman"), from Portuguese ones, for which it is the
	// definite one ("a ministra").
	englishTitleSet = setOf(strings.Fields(englishTitles)...)
)

// titleModifiers qualify a title ("foreign minister", "former president").
var titleModifiers = setOf("foreign", "defence", "defense", "interior", "finance", "economy",
	"health", "prime", "vice", "deputy", "former", "acting", "ex", "senior", "top", "assistant",
	"under", "first", "high", "premier", "primeiro", "chief", "state", "national", "security",
	"press", "military", "army", "navy", "police", "ancien", "ancienne", "ex-président", "vice-presidente")

// rankModifiers make a different office: a "deputy minister" is not "the minister".
var rankModifiers = setOf("vice", "deputy", "former", "acting", "ex", "assistant", "under", "ancien", "ancienne")

func isTitleNoun(t token) bool {
	_, ok := titleNoun(t.lower())
	return ok
}

// titleNoun looks a title up, also with a prefix that makes a different
// office of it ("vice-governadora", "ex-ministre", "co-chair").
func titleNoun(w string) (byte, bool) {
	if g, ok := titleNouns[w]; ok || w == "" {
		return g, ok
	}
	// A compound title: "wirtschaftsministerin", "verbandschef".
	for _, s := range titleSuffixList {
		if !suffixLast[w[len(w)-1]] {
			break // no suffix ends with this byte: none to try
		}
		if len(w) > len(s.suffix)+2 && strings.HasSuffix(w, s.suffix) && runeLen(w)-runeLen(s.suffix) >= 3 {
			return s.gender, true
		}
	}
	for _, pre := range []string{"vice-", "ex-", "co-", "deputy-", "sub-", "vice"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && rest != "" {
			if g, ok := titleNouns[rest]; ok {
				return g, true
			}
		}
	}
	return 0, false
}

func isTitleWord(t token) bool { return isTitleNoun(t) || titleModifiers[t.lower()] }

// connectors join the words of a name or a title ("Secretary of State",
// "Luiz Inácio Lula da Silva", "Ursula von der Leyen").
var connectors = setOf("of", "for", "de", "da", "do", "das", "dos", "du", "des", "della", "di",
	"van", "von", "der", "den", "al", "bin", "ibn", "y", "la", "le")

// particles may start a surname used alone ("von der Leyen said").
var particles = setOf("von", "van", "de", "da", "di", "du", "al", "bin", "ibn", "della", "dos", "das", "do", "le", "la", "der")

// departments follow a connector in a title ("Minister of Foreign Affairs",
// "ministre des Armées", "ministra da Saúde").
var departments = setOf("affairs", "state", "defence", "defense", "foreign", "interior", "finance",
	"justice", "health", "economy", "trade", "education", "energy", "agriculture", "environment",
	"transport", "labor", "labour", "treasury", "commerce", "armées", "armed", "forces", "affaires",
	"étrangères", "europe", "économie", "intérieur", "santé", "saúde", "fazenda", "defesa",
	"justiça", "educação", "relações", "exteriores", "economia", "minas", "energia", "agricultura",
	"trabalho", "planejamento", "war", "home", "culture", "cultura")

// determiners that may precede a role ("the minister", "o ministro").
var determiners = setOf("the", "a", "an", "le", "la", "les", "l'", "l’", "o", "os", "as", "el", "los", "las")

// stopCaps are capitalised words that start sentences but never names.
var stopCaps = setOf(strings.Fields(`the a an in on at as but and or if when while after before
	since although though because so yet today tomorrow yesterday tonight this that these those it
	its he she they we i you his her their our my your there here according meanwhile however also
	then now earlier later speaking asked with for from by to of last next not no yes what why how
	who where which all some many both each every one two three first second speaking during over
	under among between against despite without within into upon until unlike like such than only
	even still just once again other another most more several monday tuesday wednesday thursday
	friday saturday sunday january february march april june july august september october november
	december le la les un une des selon il elle ils elles on nous vous dans pour avec mais et ou sur
	par lors après avant depuis o os um uma segundo ele ela eles elas em no na nos nas de do da dos
	das para por com mas e ou sobre após antes desde el los las según pero y con`)...)

// isAux reports auxiliaries and adverbs that may sit between a speaker and a
// speech verb ("Stoltenberg also said", "il a déclaré", "ela também afirmou").
func isAux(t token) bool {
	if !t.word || isCap(t.s) {
		return false
	}
	switch t.s {
	case "has", "had", "have", "was", "is", "would", "will", "also", "later", "then", "further",
		"again", "once", "earlier", "previously", "recently", "repeatedly", "simply", "just", "a",
		"avait", "aussi", "également", "encore", "ensuite", "enfin", "também", "ainda", "já", "not":
		return true
	}
	if auxWords[strings.ToLower(t.s)] {
		return true
	}
	n := runeLen(t.s)
	return n > 4 && strings.HasSuffix(t.s, "ly") || n > 6 && strings.HasSuffix(t.s, "ment") || n > 7 && strings.HasSuffix(t.s, "mente")
}

// inName reports whether a word can be part of a name with its titles:
// a capitalised word that does not merely start a sentence, a title, an
// honorific, an acronym or a possessive.
func inName(t token) bool {
	if !t.word {
		return false
	}
	if isHonorific(t) || isTitleWord(t) || isPossessive(t.s) {
		return true
	}
	if _, ok := pronouns[t.lower()]; ok {
		return false
	}
	if i := strings.IndexAny(t.s, "'’"); i > 0 && stopCaps[strings.ToLower(t.s[:i])] {
		return false // "We’re", "It's", "That’s"
	}
	return isCap(t.s) && !stopCaps[t.lower()]
}
