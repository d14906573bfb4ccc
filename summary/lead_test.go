package summary

import (
	"slices"
	"strings"
	"testing"
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
