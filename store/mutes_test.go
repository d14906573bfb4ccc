package store

import (
	"testing"
	"time"

	"herald/news"
)

// MutesInForce gives every rule's mutes that last beyond now, by rule and
// destination, as MutedFor gives one rule's.
func TestMutesInForce(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	a := news.Destination{Platform: news.Telegram, Chat: "42"}
	b := news.Destination{Platform: news.Slack, Chat: "C1", Thread: "17.1"}
	for _, m := range []news.Mute{
		{Destination: a, Rule: "nuc", Until: now.Add(time.Hour)},
		{Destination: b, Rule: "nuc", Until: now.Add(2 * time.Hour), Queue: true},
		{Destination: a, Rule: "watch:3", Until: now.Add(time.Minute)},
		{Destination: b, Rule: "grain", Until: now.Add(-time.Minute)}, // over
	} {
		if err := db.Mute(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.MutesInForce(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || len(all["nuc"]) != 2 || len(all["watch:3"]) != 1 || all["grain"] != nil {
		t.Fatalf("MutesInForce = %+v, want nuc's two and watch:3's one", all)
	}
	if m := all["nuc"][b.String()]; !m.Queue || !m.Until.Equal(now.Add(2*time.Hour)) {
		t.Errorf("nuc's mute in %s = %+v", b, m)
	}
	for rule, byDest := range all {
		one, err := db.MutedFor(t.Context(), rule, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(one) != len(byDest) {
			t.Errorf("rule %s: MutedFor has %d mutes, MutesInForce %d", rule, len(one), len(byDest))
		}
	}
}
