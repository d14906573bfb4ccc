package store

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"herald/news"
)

// TestConcurrentWriters runs writers and readers in parallel, on one DB and
// on a second DB opened on the same file (as a second process would), and
// expects no error at all: in particular no SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "herald.db")
	first, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	const (
		writers = 8
		perG    = 20
	)
	errs := make(chan error, 4*writers*perG)
	var wg sync.WaitGroup
	for g := range writers {
		db := first
		if g%4 == 3 {
			db = second
		}
		feed := fmt.Sprintf("feed%d", g)
		wg.Go(func() {
			for i := range perG {
				it := news.Item{Feed: feed, ID: strconv.Itoa(i), Title: "t"}
				// Every writer also adds one item all the others add too.
				shared := news.Item{Feed: "shared", ID: strconv.Itoa(i)}
				for _, it := range []news.Item{it, shared} {
					if _, _, err := db.AddItem(ctx, it, t0, []news.Match{{Rule: "r"}},
						[]news.Alert{{Rule: "r", Destination: console}}); err != nil {
						errs <- err
					}
				}
				if err := db.Set(ctx, feed, strconv.Itoa(i)); err != nil {
					errs <- err
				}
				if err := db.SaveFeedState(ctx, feed, news.FeedState{Failures: i, LastPoll: t0}); err != nil {
					errs <- err
				}
				if _, err := db.Subscribe(ctx, news.Subscription{Destination: console, Rule: strconv.Itoa(i)}); err != nil {
					errs <- err
				}
			}
		})
		// A reader and a dispatcher alongside each writer.
		wg.Go(func() {
			for range perG {
				if _, err := db.KnownItems(ctx, feed, []string{"1", "2", "3"}); err != nil {
					errs <- err
				}
				if _, err := db.Stats(ctx); err != nil {
					errs <- err
				}
				due, err := db.Pending(ctx, t0.Add(time.Minute), 5)
				if err != nil {
					errs <- err
				}
				for _, a := range due {
					// Two dispatchers may pick the same row; marking it twice is fine here.
					if err := db.MarkSent(ctx, a.ID, t0); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	s, err := first.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := writers*perG + perG; s.Items != want || s.Matches != want || s.Pending+s.Sent != want {
		t.Errorf("Stats = %+v, want %d items, matches and outbox rows", s, want)
	}
	for g := range writers {
		feed := fmt.Sprintf("feed%d", g)
		if v, _, _ := second.Get(ctx, feed); v != strconv.Itoa(perG-1) {
			t.Errorf("Get(%s) = %q, want %d", feed, v, perG-1)
		}
	}
}
