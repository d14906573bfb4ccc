package alerts_test

import (
	"testing"
	"time"

	"herald/alerts"
	"herald/news"
)

func TestStoryLink(t *testing.T) {
	cases := []struct{ a, b string }{
		{"https://www.wire.example/2026/11/council/?utm_source=rss&utm_medium=feed", "http://wire.example/2026/11/council"},
		{"https://wire.example/a?id=7&fbclid=XYZ#comments", "https://wire.example/a?id=7"},
		{"https://wire.example/a?b=2&a=1", "https://WIRE.example/a?a=1&b=2&gclid=1"},
	}
	for _, c := range cases {
		if x, y := alerts.StoryLink(c.a), alerts.StoryLink(c.b); x != y || x == "" {
			t.Errorf("StoryLink(%q) = %q, StoryLink(%q) = %q; want equal", c.a, x, c.b, y)
		}
	}
	for _, different := range [][2]string{
		{"https://wire.example/a?id=7", "https://wire.example/a?id=8"},
		{"https://wire.example/a", "https://other.example/a"},
	} {
		if alerts.StoryLink(different[0]) == alerts.StoryLink(different[1]) {
			t.Errorf("%q and %q made one story", different[0], different[1])
		}
	}
	if alerts.StoryLink("javascript:alert(1)") != "" || alerts.StoryLink("/relative") != "" {
		t.Error("a non-http link got a story key")
	}
}

func TestStoryTitle(t *testing.T) {
	if a, b := alerts.StoryTitle("NATO–Ukraine Council meets on air defence"), alerts.StoryTitle("NATO-Ukraine council meets on air defence"); a != b || a == "" {
		t.Errorf("titles differing by dash and case: %q vs %q", a, b)
	}
	if alerts.StoryTitle("Live updates") != "" {
		t.Error("a short generic title got a story key")
	}
}

func TestSameStoryFromTwoFeedsAlertsOnce(t *testing.T) {
	db, p := setup(t)
	first := item("w1", "NATO-Ukraine Council meets on air defence", "<p>The NATO-Ukraine Council met.</p>", now)
	first.Link = "https://wire.example/nuc?utm_source=rss"
	if _, err := p.Ingest(t.Context(), news.Feed{Name: "wire", Backfill: time.Hour}, []news.Item{first}, true); err != nil {
		t.Fatal(err)
	}
	// The same story from a second feed: same link but for tracking...
	copy1 := item("a1", "Council meets", "<p>The NATO-Ukraine Council met in Brussels.</p>", now)
	copy1.Link = "https://www.wire.example/nuc?utm_source=partner"
	// ...and from a third, with another link but the same headline.
	copy2 := item("b1", "NATO–Ukraine council meets on air defence", "<p>The NATO-Ukraine Council met.</p>", now)
	copy2.Link = "https://agency.example/story/991"
	// A different story on the same topic still alerts.
	other := item("c1", "NATO-Ukraine Council agrees winter plan", "<p>The NATO-Ukraine Council agreed.</p>", now)
	other.Link = "https://agency.example/story/992"
	res, err := p.Ingest(t.Context(), news.Feed{Name: "agency", Backfill: time.Hour}, []news.Item{copy1, copy2, other}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 3 || res.Queued != 1 {
		t.Errorf("second feed: %+v; want 3 stored and only the different story queued", res)
	}
	st, _ := db.Stats(t.Context())
	if st.Matches != 4 {
		t.Errorf("matches = %d; every copy is still matched and searchable", st.Matches)
	}
	// After the window the story may alert again.
	late := item("d1", "NATO-Ukraine Council meets on air defence", "<p>Again.</p>", now)
	late.Link = "https://wire.example/nuc"
	p2 := alerts.New(db, p.Topics(), func() time.Time { return now.Add(alerts.StoryWindow + time.Hour) }, nil)
	if res, _ := p2.Ingest(t.Context(), news.Feed{Name: "late", Backfill: 100 * time.Hour}, []news.Item{late}, false); res.Queued != 1 {
		t.Errorf("after the story window: %+v, want the item alerted", res)
	}
}
