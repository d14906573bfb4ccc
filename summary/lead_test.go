package summary

import (
	"slices"
	"strings"
	"testing"

	"herald/news"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain", "One thing happened. Another followed! Did it? Yes.", []string{"One thing happened.", "Another followed!", "Did it?", "Yes."}},
		{"title abbreviations", "Gen. Smith met Mr. Jones and Dr. Brown. They talked.", []string{"Gen. Smith met Mr. Jones and Dr. Brown.", "They talked."}},
		{"dotted abbreviation before a name", "U.S. President Joe Biden spoke. Then he left.", []string{"U.S. President Joe Biden spoke.", "Then he left."}},
		{"dotted abbreviation ending a sentence", "Sanctions hit the U.S. The move angered Beijing.", []string{"Sanctions hit the U.S.", "The move angered Beijing."}},
		{"time inside a sentence", "The meeting ended at 3 p.m. Friday in Brussels. Talks resume Monday.", []string{"The meeting ended at 3 p.m. Friday in Brussels.", "Talks resume Monday."}},
		{"time ending a sentence", "It ended at 5 a.m. The talks resume Monday.", []string{"It ended at 5 a.m.", "The talks resume Monday."}},
		{"initials number decimal", "Dr. J. R. Smith, No. 5 on the list, said growth was 3.5 percent. Markets rose.", []string{"Dr. J. R. Smith, No. 5 on the list, said growth was 3.5 percent.", "Markets rose."}},
		{"no at the end", "The answer was no. Nobody asked again.", []string{"The answer was no.", "Nobody asked again."}},
		{"month abbreviation", "It starts Jan. 6 in Kyiv. Delegates arrive early.", []string{"It starts Jan. 6 in Kyiv.", "Delegates arrive early."}},
		{"company", "Apple Inc. Chief Executive Tim Cook spoke. Shares rose.", []string{"Apple Inc. Chief Executive Tim Cook spoke.", "Shares rose."}},
		{"closing quote", "“We will win.” The crowd cheered.", []string{"“We will win.”", "The crowd cheered."}},
		{"straight closing quote", `He said "enough." Then he left.`, []string{`He said "enough."`, "Then he left."}},
		{"question inside quote with attribution", "“Why now?” he asked. Nobody answered.", []string{"“Why now?” he asked.", "Nobody answered."}},
		{"ellipsis", "It was built to last... Ukraine can rely on it.", []string{"It was built to last...", "Ukraine can rely on it."}},
		{"lower case after full stop", "See fig. 3 and e.g. the table. Done.", []string{"See fig. 3 and e.g. the table.", "Done."}},
		{"guillemets with a space", "Ils attendaient. « On nous a prévenus hier », dit-il.", []string{"Ils attendaient.", "« On nous a prévenus hier », dit-il."}},
		{"japanese", "新しいアプリを発表した。価格は2900円（税込）。「安全です」と述べた。", []string{"新しいアプリを発表した。", "価格は2900円（税込）。", "「安全です」と述べた。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitSentences(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("splitSentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLead(t *testing.T) {
	long := strings.Repeat("The alliance agreed to expand its air defence coordination across the eastern flank ", 5) + "today."
	tests := []struct {
		name, title, text, want string
	}{
		{
			name: "second sentence is the start of a longer quote",
			text: "Ministers agreed on Wednesday to speed up deliveries.\n\n“We need dates, not declarations. Our engineers plan repairs a week at a time,” said Andriy Sokil.",
			want: "Ministers agreed on Wednesday to speed up deliveries.",
		},
		{
			name: "second sentence is a whole quote",
			text: "Ministers agreed on Wednesday to speed up deliveries. “We need dates,” Sokil said.",
			want: "Ministers agreed on Wednesday to speed up deliveries. “We need dates,” Sokil said.",
		},
		{
			name: "caps dateline with agency",
			text: "BRUSSELS (Reuters) - NATO allies agreed on Wednesday to take over the coordination of weapons deliveries to Ukraine from the United States, diplomats said after the meeting.",
			want: "NATO allies agreed on Wednesday to take over the coordination of weapons deliveries to Ukraine from the United States, diplomats said after the meeting.",
		},
		{
			name: "caps dateline with date",
			text: "KYIV, April 3 — Ukraine's parliament passed a law lowering the mobilisation age to 25. The president signed it the same day.",
			want: "Ukraine's parliament passed a law lowering the mobilisation age to 25. The president signed it the same day.",
		},
		{
			name: "mixed case dateline",
			text: "Kyiv, April 3 (AP) – Air raid sirens sounded across Ukraine overnight.",
			want: "Air raid sirens sounded across Ukraine overnight.",
		},
		{
			name: "date and agency boilerplate",
			text: " date 2024-04-03 (MENAFN- UkrinForm) NATO foreign ministers have supported the proposal to strengthen the Alliance's role in providing security assistance to Ukraine.\n\nNATO Secretary General Jens Stoltenberg stated this at a press conference.",
			want: "NATO foreign ministers have supported the proposal to strengthen the Alliance's role in providing security assistance to Ukraine.",
		},
		{
			name: "byline paragraph",
			text: "By Jane Doe\n\nLONDON (AP) — Britain will raise defence spending to 2.5% of GDP by 2030.",
			want: "Britain will raise defence spending to 2.5% of GDP by 2030.",
		},
		{
			name: "byline before dateline",
			text: "By Jane Doe and J. R. Smith BRUSSELS (Reuters) - The European Union agreed new sanctions on Russia.",
			want: "The European Union agreed new sanctions on Russia.",
		},
		{
			name: "byline with affiliation",
			text: "By Jane Doe, Reuters\n\nOil prices fell for a third day on Friday.",
			want: "Oil prices fell for a third day on Friday.",
		},
		{
			name: "not a byline",
			text: "By Tuesday, most of the ballots had been counted.",
			want: "By Tuesday, most of the ballots had been counted.",
		},
		{
			name: "abbreviations",
			text: "Gen. Oleksandr Syrskyi told Mr. Smith at 3 p.m. on Tuesday that U.S. shells had reached the No. 5 brigade. Dr. J. R. Smith said output rose 3.5 percent.",
			want: "Gen. Oleksandr Syrskyi told Mr. Smith at 3 p.m. on Tuesday that U.S. shells had reached the No. 5 brigade. Dr. J. R. Smith said output rose 3.5 percent.",
		},
		{
			name: "sentence ending in a quote",
			text: "“We will not give up,” the mayor said on Monday. “Never.” Officials agreed.",
			want: "“We will not give up,” the mayor said on Monday. “Never.”",
		},
		{
			name:  "first sentence repeats the title",
			title: "NATO backs bigger role in Ukraine aid",
			text:  "NATO backs a bigger role in Ukraine aid. Foreign ministers agreed on Wednesday to plan a NATO mission to coordinate weapons deliveries.",
			want:  "Foreign ministers agreed on Wednesday to plan a NATO mission to coordinate weapons deliveries.",
		},
		{
			name:  "headline repeated as a paragraph",
			title: "Ministers back plan",
			text:  "Ministers back plan\n\nPhoto: Reuters\n\nForeign ministers backed the plan. It goes to leaders next.",
			want:  "Foreign ministers backed the plan. It goes to leaders next.",
		},
		{
			name: "read also skipped",
			text: "Read also: Earlier story.\n\nThe talks ended without a deal.",
			want: "The talks ended without a deal.",
		},
		{
			name: "long first sentence alone",
			text: "The foreign ministers of the thirty-two allies agreed on Wednesday in Brussels to begin planning a mission that would coordinate deliveries. A second sentence follows.",
			want: "The foreign ministers of the thirty-two allies agreed on Wednesday in Brussels to begin planning a mission that would coordinate deliveries.",
		},
		{
			name: "second sentence too long",
			text: "Talks ended. " + long,
			want: "Talks ended.",
		},
		{
			name: "no punctuation at all",
			text: "Breaking news from the summit",
			want: "Breaking news from the summit",
		},
		{
			name: "empty",
			text: "\n\n",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lead(tt.title, tt.text); got != tt.want {
				t.Errorf("Lead()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestLeadCut(t *testing.T) {
	long := strings.Repeat("The alliance agreed to expand its air defence coordination across the eastern flank ", 5) + "today."
	got := Lead("", long)
	if n := runeLen(got); n > LeadMax {
		t.Fatalf("lead has %d characters, want at most %d", n, LeadMax)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("lead %q does not end with …", got)
	}
	body := strings.TrimSuffix(got, "…")
	if !strings.HasPrefix(long, body) || long[len(body)] != ' ' {
		t.Errorf("lead %q is not cut at a word boundary of the text", got)
	}
	if runeLen(got) < LeadMax-20 {
		t.Errorf("lead %q is cut too short", got)
	}
}

func TestLeadPages(t *testing.T) {
	tests := []struct {
		name, title, text, want string
	}{
		{
			name: "photo captions among the paragraphs",
			text: "In this photo taken Tuesday, a rocket stands on the pad. (AP Photo/Jane Doe)\n\nThe rocket on the pad in Baikonur. (Photo: Roscosmos)\n\nMOSCOW (AP) — A Russian cargo ship broke up in the atmosphere on Thursday.",
			want: "A Russian cargo ship broke up in the atmosphere on Thursday.",
		},
		{
			name:  "headline repeated without its kicker",
			title: "Lupita Nyong'o's $150K Pearl Oscar Dress -- STOLEN!!!",
			text:  "$150K Pearl Oscar Dress ... STOLEN!!!!\n\nThe dress was taken from her hotel room on Wednesday, police said.",
			want:  "The dress was taken from her hotel room on Wednesday, police said.",
		},
		{
			name: "japanese sentences",
			text: "トレンドマイクロは3月9日、新しいアプリを発表した。価格は2900円。\n\n次の段落。",
			want: "トレンドマイクロは3月9日、新しいアプリを発表した。価格は2900円。",
		},
		{
			name: "french guillemets open the next sentence",
			text: "L'agacement gagnait les voyageurs. « On nous a prévenus hier soir. Je perds deux jours », témoignait Karim.",
			want: "L'agacement gagnait les voyageurs.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lead(tt.title, tt.text); got != tt.want {
				t.Errorf("Lead()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestLeadFor(t *testing.T) {
	text := "BRUSSELS (Reuters) - NATO foreign ministers backed a plan on Wednesday to coordinate weapons deliveries to Ukraine, diplomats said after a long meeting of the alliance.\n\n" +
		"“Tomorrow we will meet in the NATO-Ukraine Council,” Jens Stoltenberg said.\n\n" +
		"Ministers will meet Ukraine's foreign minister in the NATO–Ukraine Council on Thursday. The Black Sea was also discussed."
	lead := "NATO foreign ministers backed a plan on Wednesday to coordinate weapons deliveries to Ukraine, diplomats said after a long meeting of the alliance."
	tests := []struct {
		name string
		hits []news.Hit
		want string
	}{
		{"no hits", nil, lead},
		{"hit in the lead", []news.Hit{{Term: "ukraine", Field: "text", Text: "Ukraine"}}, lead},
		{"hit in the title only", []news.Hit{{Term: "summit", Field: "title", Text: "summit"}}, lead},
		{
			"hit outside the lead, not the quotation",
			[]news.Hit{{Term: "@nuc", Field: "text", Text: "NATO-Ukraine Council"}},
			lead + " … Ministers will meet Ukraine's foreign minister in the NATO–Ukraine Council on Thursday.",
		},
		{
			"first hit not in the lead",
			[]news.Hit{{Term: "nato", Field: "text", Text: "NATO"}, {Term: `"black sea"`, Field: "text", Text: "Black Sea"}},
			lead,
		},
		{
			"only in a quotation",
			[]news.Hit{{Term: "tomorrow", Field: "text", Text: "Tomorrow"}},
			lead,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LeadFor("", text, tt.hits); got != tt.want {
				t.Errorf("LeadFor()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// One Leads gives every alert of the article what LeadFor gives it, in
	// any order and asked twice: what it keeps from one alert does not
	// leak into the next.
	leads := NewLeads("", text)
	for _, k := range []int{3, 0, 5, 3, 1, 4, 2, 3} {
		if got := leads.For(tests[k].hits); got != tests[k].want {
			t.Errorf("Leads.For, %s:\n got %q\nwant %q", tests[k].name, got, tests[k].want)
		}
	}
	long := strings.Repeat("Ministers talked at length about many things that matter to the alliance and beyond. ", 8) + "They met in the NATO-Ukraine Council."
	got := LeadFor("", long, []news.Hit{{Field: "text", Text: "NATO-Ukraine Council"}})
	if n := runeLen(got); n > 2*LeadMax+3 || !strings.HasSuffix(got, "They met in the NATO-Ukraine Council.") {
		t.Errorf("LeadFor() = %q (%d characters)", got, n)
	}
}
