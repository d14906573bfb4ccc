package store

import (
	"slices"
	"testing"
	"time"

	"herald/news"
)

func TestAlsoEdits(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	it := testItem("wire", "a")
	it.StoryLink = "example.org/a"
	if _, _, err := db.AddItem(ctx, it, t0, []news.Match{testMatch("nato")}, []news.Alert{testAlert(it, "nato", tgChat)}); err != nil {
		t.Fatal(err)
	}
	since := t0.Add(-48 * time.Hour)
	add := func(feed string, want int) {
		t.Helper()
		if n, err := db.AddAlso(ctx, it.StoryLink, "", feed, since); err != nil || n != want {
			t.Errorf("AddAlso(%s) = %d, %v; want %d", feed, n, err, want)
		}
	}
	due := func(now time.Time) []news.Edit {
		t.Helper()
		es, err := db.DueEdits(ctx, now, now.Add(-48*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	// A source added before the alert went out is in the first message.
	add("reuters", 1)
	add("reuters", 0) // once
	add("wire", 0)    // the alert's own feed
	pending, err := db.Pending(ctx, t0, 10)
	if err != nil || len(pending) != 1 || !slices.Equal(pending[0].Also, []string{"reuters"}) {
		t.Fatalf("pending %+v, %v", pending, err)
	}
	id := pending[0].ID
	if err := db.MarkSent(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMessage(ctx, id, "-1001234567890/42", 1); err != nil {
		t.Fatal(err)
	}
	if es := due(t0); len(es) != 0 {
		t.Errorf("due edits %+v; the message names every source", es)
	}
	add("ap", 1)
	es := due(t0)
	if len(es) != 1 || es[0].Ref != "-1001234567890/42" || !slices.Equal(es[0].Alert.Also, []string{"reuters", "ap"}) || es[0].Alert.Destination != tgChat {
		t.Fatalf("due edits %+v", es)
	}
	// Edited: nothing due until another source comes, and not within the minute.
	if err := db.MarkEdited(ctx, id, 2, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	add("afp", 1)
	if es := due(t0.Add(30 * time.Second)); len(es) != 0 {
		t.Errorf("an edit due within the minute: %+v", es)
	}
	if es := due(t0.Add(time.Minute)); len(es) != 1 {
		t.Errorf("no edit due after the minute")
	}
	// A failed edit keeps what the message shows.
	if err := db.MarkEdited(ctx, id, -1, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if es := due(t0.Add(2 * time.Minute)); len(es) != 1 {
		t.Errorf("the failed edit is not due again")
	}
	// Never past 48 hours.
	if es := due(t0.Add(49 * time.Hour)); len(es) != 0 {
		t.Errorf("an edit of a message sent 49h ago is due: %+v", es)
	}
	if n, err := db.AddAlso(ctx, it.StoryLink, "", "bbc", t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("AddAlso after the story window = %d, %v; want 0", n, err)
	}
	if err := db.MarkEdited(ctx, 999, 1, t0); err == nil {
		t.Error("MarkEdited of a missing row succeeded")
	}
}
