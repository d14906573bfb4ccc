package summary

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/news"
)

// seedPath is the article herald was designed around; it lives outside the
// repository and the test skips without it.
var seedPath = filepath.Join("..", "..", "shared", "fixtures", "seed-article.txt")

func TestSeedArticle(t *testing.T) {
	b, err := os.ReadFile(seedPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("seed article %s not present", seedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	text := PlainText(string(b))

	lead := Lead("", text)
	if !strings.HasPrefix(lead, "NATO foreign ministers have supported the proposal") {
		t.Errorf("Lead = %q, want it to start with the first sentence without dateline and agency tag", lead)
	}

	qs := Quotes(text)
	if len(qs) != 3 {
		t.Fatalf("got %d quotes, want 3: %s", len(qs), dump(qs))
	}
	starts := []string{"In our meeting today", "The Ukrainians are not running out of courage", "Tomorrow marks NATO's 75th anniversary"}
	ends := []string{"The details will take shape in the weeks to come.", "Ukraine's current and longer-term needs.", "for peace and security."}
	for i, q := range qs {
		if q.Speaker != "Jens Stoltenberg" {
			t.Errorf("quote %d speaker = %q, want Jens Stoltenberg", i+1, q.Speaker)
		}
		if !strings.HasPrefix(q.Text, starts[i]) || !strings.HasSuffix(q.Text, ends[i]) {
			t.Errorf("quote %d = %q, want %q … %q", i+1, q.Text, starts[i], ends[i])
		}
	}
	// The first quotation spans two paragraphs, the second without an opening mark.
	if !strings.Contains(qs[0].Text, "for the future. All Allies agree") {
		t.Errorf("quote 1 does not join its two paragraphs with a space: %q", qs[0].Text)
	}
}

// TestArticles runs Quotes on the articles in testdata, written for these
// tests, each exercising a way of attributing quotations.
func TestArticles(t *testing.T) {
	tests := []struct {
		file string
		want []news.Quote
	}{
		{"air-defence.txt", []news.Quote{
			// Attribution before the quotation, with a colon; a surname expanded.
			{Text: "We are not going to leave Ukraine alone in the coming winter. Every system we deliver saves lives in Kharkiv and Odesa.", Speaker: "Bernd Pohlmann"},
			// “war fatigue” is a scare quote. A pronoun.
			{Text: "Anyone who thinks this war will end by itself is mistaken.", Speaker: "Bernd Pohlmann"},
			// A role noun: the minister most recently named.
			{Text: "Air defence is the most urgent need we have right now, and Germany understands that.", Speaker: "Dmytro Kovalchuk"},
			// The memoir's title is not a quotation; these two have no speaker.
			{Text: "Every day of delay costs lives."},
			{Text: "Protect the sky over Ukraine now!"},
		}},
		{"senate.txt", []news.Quote{
			// A partial quotation attributed before it; straight quotes.
			{Text: "a clear message to our allies and our adversaries alike.", Speaker: "Chuck Schumer"},
			{Text: "This is a good day for democracy.", Speaker: "Chuck Schumer"},
			// Spans two paragraphs, the second reopening with a mark.
			{Text: "We kept our word. And we will keep it again next year.", Speaker: "Chuck Schumer"},
			// An honorific stripped.
			{Text: "It is a sad day for taxpayers.", Speaker: "Rand Paul"},
			// A paragraph that is only a quotation inherits the speaker.
			{Text: "We cannot keep writing blank checks while our own border is wide open.", Speaker: "Rand Paul"},
			// 'Security Supplemental' is a label; "according to".
			{Text: "the president will sign it as soon as it reaches his desk.", Speaker: "White House"},
		}},
		{"strike.txt", []news.Quote{
			// Single quotes; "doctors’" and "union’s" are apostrophes.
			{Text: "We will not let this dispute drag on for months.", Speaker: "Wes Hartley"},
			{Text: "Patients deserve better, and so do the doctors who care for them.", Speaker: "Wes Hartley"},
			// ‘not going anywhere’ is too short; this one is attributed.
			{Text: "an insult to every doctor in this country", Speaker: "Emma Carrow"},
			// Interrupted by its attribution: one quotation. "she" skips Mr Hartley.
			{Text: "We are ready to talk, but we will not accept another real-terms pay cut.", Speaker: "Emma Carrow"},
		}},
		{"marchal.txt", []news.Quote{
			// French: guillemets, "a déclaré", "a-t-il ajouté", "selon", a role.
			{Text: "Nous ne laisserons pas la Russie gagner cette guerre.", Speaker: "Étienne Marchal"},
			{Text: "La sécurité de l'Europe se joue aujourd'hui en Ukraine.", Speaker: "Étienne Marchal"},
			{Text: "les livraisons d'obus vont doubler d'ici à l'été", Speaker: "Sébastien Delorme"},
			// « bonne nouvelle » is a scare quote.
			{Text: "Nous produisons plus, et plus vite.", Speaker: "Sébastien Delorme"},
		}},
		{"vacina.txt", []news.Quote{
			// Portuguese: "disse Tavares" expanded to the full name, a role in
			// apposition, "segundo", and "ele" skipping the minister (ministra).
			{Text: "Nenhuma criança deste país vai ficar sem vacina.", Speaker: "Luiz Inácio Tavares da Silva"},
			{Text: "É um esforço de todo o governo, dos estados e dos municípios.", Speaker: "Marta Trindade"},
			{Text: "as doses já estão garantidas para o ano inteiro", Speaker: "Marta Trindade"},
			{Text: "Vamos bater a meta.", Speaker: "Luiz Inácio Tavares da Silva"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := Quotes(PlainText(string(b)))
			if dump(got) != dump(tt.want) {
				t.Errorf("Quotes()\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func TestQuotes(t *testing.T) {
	tests := []struct {
		name, text string
		want       []news.Quote
	}{
		{"apostrophes are not quotes", "NATO’s chief said the allies’ plan wouldn’t change. It's the allies' call.", nil},
		{"scare quotes", "Russia continued its so-called “special military operation” and its “partial mobilisation”.", nil},
		{"title of a work", "He has read “The Rise and Fall of the Third Reich” twice.", nil},
		{"no speaker", "“Nobody expected this to happen so quickly.”", []news.Quote{{Text: "Nobody expected this to happen so quickly."}}},
		{"pronoun without anybody named", "“We are ready for talks,” he said.", []news.Quote{{Text: "We are ready for talks."}}},
		{"indefinite role", "Defence Minister Bernd Pohlmann spoke first. “The order is signed,” a spokesman said.", []news.Quote{{Text: "The order is signed."}}},
		{"unknown role", "“The order is signed,” the minister said.", []news.Quote{{Text: "The order is signed."}}},
		{
			"inverted before attribution",
			"After the meeting said NATO Secretary General Jens Stoltenberg: “We will decide in June.”",
			[]news.Quote{{Text: "We will decide in June.", Speaker: "Jens Stoltenberg"}},
		},
		{
			"colon ends the previous paragraph",
			"Jens Stoltenberg told reporters:\n\n“We will decide in June.”",
			[]news.Quote{{Text: "We will decide in June.", Speaker: "Jens Stoltenberg"}},
		},
		{
			"role with a lower-case modifier, then the name",
			"The council met on Tuesday. “We will hold the line,” said the council chair, Mira Holm. Others disagreed.",
			[]news.Quote{{Text: "We will hold the line.", Speaker: "Mira Holm"}},
		},
		{
			"lower-case modifier and title before the name",
			"The board met. “Fares rise in May,” said transit board chair Tomas Wendt.",
			[]news.Quote{{Text: "Fares rise in May.", Speaker: "Tomas Wendt"}},
		},
		{
			"a common noun and a comma is not a speaker",
			"“Fares rise in May,” said the report, Tomas Wendt's first.",
			[]news.Quote{{Text: "Fares rise in May."}},
		},
		{
			"apposition",
			"“Deliveries must speed up,” said Dmytro Kovalchuk, Ukraine's foreign minister. Later, “We need shells now,” the foreign minister added.",
			[]news.Quote{
				{Text: "Deliveries must speed up.", Speaker: "Dmytro Kovalchuk"},
				{Text: "We need shells now.", Speaker: "Dmytro Kovalchuk"},
			},
		},
		{
			"gender",
			"German Foreign Minister Annelie Brandt met Mr. Stoltenberg on Monday.\n\n“Europe must do more,” she said.\n\n“I agree,” he replied.",
			[]news.Quote{
				{Text: "Europe must do more.", Speaker: "Annelie Brandt"},
				{Text: "I agree", Speaker: "Stoltenberg"},
			},
		},
		{
			"last subject before a pronoun",
			"Jens Stoltenberg said the talks went well.\n\nDmytro Kovalchuk welcomed the outcome. “It is a good day,” he said.",
			[]news.Quote{{Text: "It is a good day.", Speaker: "Dmytro Kovalchuk"}},
		},
		{
			"german low quotes",
			"„Wir werden helfen“, sagte Bundeskanzler Olaf Scholz.",
			[]news.Quote{{Text: "Wir werden helfen.", Speaker: "Olaf Scholz"}},
		},
		{
			"guillemets with spaces",
			"« Le dialogue reste possible », selon le porte-parole.",
			[]news.Quote{{Text: "Le dialogue reste possible."}},
		},
		{
			"unterminated quotation",
			"“This one never closes.\n\nA paragraph without marks.\n\n“A new quotation starts here,” Kovalchuk said.",
			[]news.Quote{
				{Text: "This one never closes."},
				{Text: "A new quotation starts here.", Speaker: "Kovalchuk"},
			},
		},
		{
			"surname of several words",
			"European Commission President Ursula von der Leyen spoke first.\n\n“Europe stands united,” von der Leyen said.",
			[]news.Quote{{Text: "Europe stands united.", Speaker: "Ursula von der Leyen"}},
		},
		{
			"a body is not a person",
			"The UN General Assembly voted on Friday. “The vote sends a clear signal,” he said.",
			[]news.Quote{{Text: "The vote sends a clear signal."}},
		},
		{
			"nested single quotes stay inside",
			"“He told me ‘never again’, and I believed him,” said Jens Stoltenberg.",
			[]news.Quote{{Text: "He told me ‘never again’, and I believed him.", Speaker: "Jens Stoltenberg"}},
		},
		{
			"absorbed punctuation does not make a quotation",
			"Neon, which translates as “new.” The lights were called “the sharing economy,” and “the father of chaos,” by some. The game “Super Mario Run.” sold well. Journalism was seen as “a career with words.”",
			nil,
		},
		{
			"title case with a full stop is a title",
			"Lorenz wrote a paper titled “Deterministic Nonperiodic Flow.” It lit “The World of Tomorrow.”",
			nil,
		},
		{
			"participle takes the subject of the clause",
			"Staff writer David Emery posted to Twitter asking if there were “any un-angry Trump supporters?” Emery retweeted the story, saying, “Are there un-angry Trump supporters?”",
			[]news.Quote{
				{Text: "any un-angry Trump supporters?", Speaker: "David Emery"},
				{Text: "Are there un-angry Trump supporters?", Speaker: "David Emery"},
			},
		},
		{
			"colon after a clause with a subject",
			"The philosopher Luis de Miranda writes about neon.\n\nDe Miranda evokes it in his introduction: “When we hear the word neon, an image pops into our heads.”",
			[]news.Quote{{Text: "When we hear the word neon, an image pops into our heads.", Speaker: "Luis de Miranda"}},
		},
		{
			"the subject of the sentence before",
			"Northbridge manager Stefan Keller was pleased. Asked about the striker, Keller smiled. “He is a special player.”",
			[]news.Quote{{Text: "He is a special player.", Speaker: "Stefan Keller"}},
		},
		{
			"not the passive subject of the sentence before",
			"Northbridge manager Stefan Keller spoke first. Later, Keller was booed by the fans. “He should resign at once.”",
			[]news.Quote{{Text: "He should resign at once."}},
		},
		{
			"speech verb after a descriptor",
			"“I thought a lot before writing this post,” Pakistan-based developer Ammar Askar wrote in a blog post.",
			[]news.Quote{{Text: "I thought a lot before writing this post.", Speaker: "Ammar Askar"}},
		},
		{
			"interrupted by as X reported",
			"He put up a flag – “igniting,” as Reuters reported, “fears of a jihadist attack in the city.”",
			[]news.Quote{{Text: "igniting, fears of a jihadist attack in the city.", Speaker: "Reuters"}},
		},
		{
			"full name given without a title",
			"Instructions came from a meteorologist named Edward Norton Lorenz. Years later, Lorenz spoke about it.\n\n“We tried it once,” Lorenz said.",
			[]news.Quote{{Text: "We tried it once.", Speaker: "Edward Norton Lorenz"}},
		},
		{
			"gender from the pronouns around a name",
			"Fire chief Robert Mbeki said crews worked all night. He urged residents to stay away.\n\nSandra Pohl, 68, spent the night in a gym with her two dogs. “I have never seen anything like it,” she said.",
			[]news.Quote{{Text: "I have never seen anything like it.", Speaker: "Sandra Pohl"}},
		},
		{
			"a role as the subject of a sentence",
			"Governor Helena Varga spoke first. Economist Anna Kowalczyk said she expected a cut.\n\nThe governor ended on a lighter note. “We are getting it about right,” she said.",
			[]news.Quote{{Text: "We are getting it about right.", Speaker: "Helena Varga"}},
		},
		{
			"portuguese verb without a subject",
			"Para o cientista político Paulo Nogueira, a saída abre espaço para uma disputa fragmentada. “Ninguém larga como favorito”, avaliou.",
			[]news.Quote{{Text: "Ninguém larga como favorito.", Speaker: "Paulo Nogueira"}},
		},
		{
			"role with a name in apposition",
			"Segundo o presidente do partido, Marcos Figueiredo, “a legenda terá candidato próprio e competitivo”.",
			[]news.Quote{{Text: "a legenda terá candidato próprio e competitivo", Speaker: "Marcos Figueiredo"}},
		},
		{
			"they is a group",
			"Jens Stoltenberg met students. They reported fears but followed with “print advertising is keeping us afloat”.",
			[]news.Quote{{Text: "print advertising is keeping us afloat"}},
		},
		{
			"a contraction is not a name",
			"We’re told that “the market will sort it out, as it always does.”",
			[]news.Quote{{Text: "the market will sort it out, as it always does."}},
		},
		{
			"full stop then a new statement",
			"“We have enough shells.” Kovalchuk said the opposite was true for air defence missiles in the south.",
			[]news.Quote{{Text: "We have enough shells."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Quotes(tt.text)
			if dump(got) != dump(tt.want) {
				t.Errorf("Quotes(%q)\n got %s\nwant %s", tt.text, dump(got), dump(tt.want))
			}
		})
	}
}

// dump shows the text and speaker of quotations; TestQuoteMarks checks
// their marks.
func dump(qs []news.Quote) string {
	if len(qs) == 0 {
		return "[]"
	}
	bare := make([]news.Quote, len(qs))
	for i, q := range qs {
		bare[i] = news.Quote{Text: q.Text, Speaker: q.Speaker}
	}
	b, err := json.MarshalIndent(bare, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestHTMLArticle runs the whole chain on feed HTML: entities escaped once
// and twice, a figure, share and related-posts widgets, a script, and a
// quotation broken by <br>.
func TestHTMLArticle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "kovalchuk.html"))
	if err != nil {
		t.Fatal(err)
	}
	text := PlainText(string(b))
	wantText := "KYIV, June 4 — Ukraine’s Foreign Minister Dmytro Kovalchuk on Tuesday urged allies to speed up deliveries of air defence systems.\n\n" +
		"“Every Patriot battery we receive saves a city,” Kovalchuk told a news conference in Kyiv.\n\n" +
		"“We are grateful to our partners.\n\n" +
		"But gratitude does not stop missiles,” he added."
	if text != wantText {
		t.Errorf("PlainText()\n got %q\nwant %q", text, wantText)
	}
	wantLead := "Ukraine’s Foreign Minister Dmytro Kovalchuk on Tuesday urged allies to speed up deliveries of air defence systems. " +
		"“Every Patriot battery we receive saves a city,” Kovalchuk told a news conference in Kyiv."
	if got := Lead("Kovalchuk urges allies to speed up air defence", text); got != wantLead {
		t.Errorf("Lead()\n got %q\nwant %q", got, wantLead)
	}
	want := []news.Quote{
		{Text: "Every Patriot battery we receive saves a city.", Speaker: "Dmytro Kovalchuk"},
		{Text: "We are grateful to our partners. But gratitude does not stop missiles.", Speaker: "Dmytro Kovalchuk"},
	}
	if got := Quotes(text); dump(got) != dump(want) {
		t.Errorf("Quotes()\n got %s\nwant %s", dump(got), dump(want))
	}
}

// TestQuoteMarks checks that a quotation keeps the marks of its article, so
// that alerts show « » as « » and „ “ as „ “.
func TestQuoteMarks(t *testing.T) {
	tests := []struct{ text, open, close string }{
		{"« Nous ne signerons pas », a-t-il ajouté.", "« ", " »"},
		{"«Ми не відступимо», — заявив Олег Коваль.", "«", "»"},
		{"„Wir helfen der Ukraine“, sagte Scholz.", "„", "“"},
		{"„Nie zgadzam się” – powiedziała Anna Nowak.", "„", "”"},
		{"“We are ready,” she said.", "“", "”"},
		{"\"Je to chyba,\" řekl Petr Novák.", "", ""},
		{"— Не можу повірити, — сказала вона.", "", ""},
	}
	for _, tt := range tests {
		qs := Quotes(tt.text)
		if len(qs) != 1 {
			t.Errorf("Quotes(%q) = %s, want one quotation", tt.text, dump(qs))
			continue
		}
		if qs[0].Open != tt.open || qs[0].Close != tt.close {
			t.Errorf("Quotes(%q) marks %q %q, want %q %q", tt.text, qs[0].Open, qs[0].Close, tt.open, tt.close)
		}
	}
}
