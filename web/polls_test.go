package web

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"herald/store"
	"herald/watchers"
)

func TestPollLog(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := NewPollLog(db, func() time.Time { return testNow }, nil)
	// A poll that stored new items, one that failed, then one of another feed.
	log.Stored("wire", 2)
	log.Stored("wire", 1)
	log.ObservePoll(watchers.PollEvent{Feed: "wire", Outcome: watchers.OutcomeOK, Duration: 120 * time.Millisecond, Items: 20})
	log.ObservePoll(watchers.PollEvent{Feed: "wire", Outcome: watchers.OutcomeError, ErrorKind: watchers.KindTimeout, Duration: 30 * time.Second})
	log.ObservePoll(watchers.PollEvent{Feed: "agency", Outcome: watchers.OutcomeNotModified, Duration: 40 * time.Millisecond})
	if got, _ := db.Polls(ctx, "wire", 10); len(got) != 0 {
		t.Fatalf("polls written before Flush: %+v", got)
	}
	log.Flush(ctx)
	got, err := db.Polls(ctx, "wire", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Poll{
		{Feed: "wire", At: testNow, Outcome: "error", ErrorKind: "timeout", Duration: 30 * time.Second},
		{Feed: "wire", At: testNow, Outcome: "ok", Duration: 120 * time.Millisecond, Items: 20, New: 3},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("polls of wire:\n got %+v\nwant %+v", got, want)
	}
	if other, _ := db.Polls(ctx, "agency", 10); len(other) != 1 || other[0].Outcome != "not_modified" {
		t.Errorf("polls of agency: %+v", other)
	}
	// Flushing nothing writes nothing and fails nothing.
	log.Flush(ctx)
	if again, _ := db.Polls(ctx, "wire", 10); len(again) != 2 {
		t.Errorf("a second Flush wrote %d polls", len(again)-2)
	}
}
