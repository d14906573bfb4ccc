package summary

import (
	"strings"
	"testing"

	"herald/news"
)

func TestPick(t *testing.T) {
	quotes := []news.Quote{
		{Text: "We will stand by Ukraine.", Speaker: "Jens Stoltenberg"},
		{Text: "The fleet has left the Black Sea ports.", Speaker: "Dmytro Kovalchuk"},
		{Text: "Allies must spend more.", Speaker: "Jens Stoltenberg"},
		{Text: "Nobody expected this."},
		{Text: "We meet in the NATO-Ukraine Council tomorrow.", Speaker: "Dmytro Kovalchuk"},
		{Text: "The summit will be historic.", Speaker: "Jens Stoltenberg"},
	}
	texts := func(qs []news.Quote) string {
		var s []string
		for _, q := range qs {
			s = append(s, q.Text)
		}
		return strings.Join(s, " | ")
	}
	tests := []struct {
		name string
		hits []news.Hit
		n    int
		want []int
	}{
		{"main speaker without hits", nil, 2, []int{0, 2}},
		{"hit first, article order kept", []news.Hit{{Term: `"black sea"`, Field: "text", Text: "Black Sea"}}, 2, []int{0, 1}},
		{"hit compared on words", []news.Hit{{Term: "@nuc", Field: "text", Text: "NATO–Ukraine council"}}, 1, []int{4}},
		{"hit by the main speaker beats a hit", []news.Hit{{Text: "Ukraine"}}, 1, []int{0}},
		{"hit in the middle of a word does not count", []news.Hit{{Text: "fleet has"}, {Text: "summ"}}, 2, []int{0, 1}},
		{"more than there are", nil, 10, []int{0, 1, 2, 3, 4, 5}},
		{"none", nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []news.Quote
			for _, i := range tt.want {
				want = append(want, quotes[i])
			}
			if got := Pick(quotes, tt.hits, tt.n); texts(got) != texts(want) {
				t.Errorf("Pick()\n got %s\nwant %s", texts(got), texts(want))
			}
		})
	}
}

func TestPickDuplicates(t *testing.T) {
	qs := []news.Quote{{Text: "We will win."}, {Text: "We will win!"}, {Text: "Another one."}}
	got := Pick(qs, nil, 3)
	if len(got) != 2 || got[0].Text != "We will win." || got[1].Text != "Another one." {
		t.Errorf("Pick() = %v, want the repeated quotation once", got)
	}
}

func TestPickCut(t *testing.T) {
	sentence := "Allies agreed today to put our support for Ukraine on a firmer and more enduring basis for the years to come. "
	long := strings.TrimSpace(strings.Repeat(sentence, 4))
	got := Pick([]news.Quote{{Text: long, Speaker: "Jens Stoltenberg"}}, nil, 1)
	if len(got) != 1 {
		t.Fatalf("Pick() returned %d quotes", len(got))
	}
	want := strings.TrimSpace(strings.Repeat(sentence, 2)) + " …"
	if got[0].Text != want {
		t.Errorf("cut quote\n got %q\nwant %q", got[0].Text, want)
	}
	if got[0].Speaker != "Jens Stoltenberg" {
		t.Errorf("speaker lost: %q", got[0].Speaker)
	}

	// One sentence longer than the limit is cut at a word boundary.
	one := strings.Repeat("very ", 70) + "long."
	got = Pick([]news.Quote{{Text: one}}, nil, 1)
	if n := runeLen(got[0].Text); n > QuoteMax || !strings.HasSuffix(got[0].Text, "very…") {
		t.Errorf("cut sentence %q (%d characters)", got[0].Text, n)
	}

	// Short quotations are left alone.
	short := "Short and sweet."
	if got := Pick([]news.Quote{{Text: short}}, nil, 1); got[0].Text != short {
		t.Errorf("short quote changed to %q", got[0].Text)
	}
}

func TestPickSpeakerAndUnknown(t *testing.T) {
	quotes := []news.Quote{
		{Text: "Nobody expected this."},
		{Text: "The fleet has left port.", Speaker: "Dmytro Kovalchuk"},
		{Text: "We will stand by Ukraine.", Speaker: "Jens Stoltenberg"},
		{Text: "Allies must spend more.", Speaker: "Jens Stoltenberg"},
		{Text: "No family will be left alone.", Speaker: "Mark Ellison"},
	}
	tests := []struct {
		name string
		hits []news.Hit
		n    int
		want []int
	}{
		{"a known speaker before an unknown one", nil, 3, []int{1, 2, 3}},
		{"a hit on the speaker's name", []news.Hit{{Term: "ellison", Field: "text", Text: "Ellison"}}, 2, []int{2, 4}},
		{"feed and tag hits do not count", []news.Hit{{Field: "feed", Text: "fleet"}, {Field: "tag", Text: "Ellison"}}, 1, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pick(quotes, tt.hits, tt.n)
			var want []news.Quote
			for _, i := range tt.want {
				want = append(want, quotes[i])
			}
			if dump(got) != dump(want) {
				t.Errorf("Pick()\n got %s\nwant %s", dump(got), dump(want))
			}
		})
	}
}

func TestPickCutAroundHit(t *testing.T) {
	filler := "Allies agreed today to put our support for Ukraine on a firmer and more enduring basis for the years to come. "
	long := strings.Repeat(filler, 3) + "Tomorrow we will meet Minister Kovalchuk in the NATO-Ukraine Council. Together we will discuss the needs."
	got := Pick([]news.Quote{{Text: long, Speaker: "Jens Stoltenberg"}}, []news.Hit{{Field: "text", Text: "NATO–Ukraine Council"}}, 1)
	want := "… Tomorrow we will meet Minister Kovalchuk in the NATO-Ukraine Council. Together we will discuss the needs."
	if got[0].Text != want {
		t.Errorf("cut quote\n got %q\nwant %q", got[0].Text, want)
	}
	// Without the hit, the start is kept.
	got = Pick([]news.Quote{{Text: long}}, nil, 1)
	if !strings.HasPrefix(got[0].Text, "Allies agreed today") || !strings.HasSuffix(got[0].Text, " …") || runeLen(got[0].Text) > QuoteMax {
		t.Errorf("cut quote without a hit: %q", got[0].Text)
	}
}
