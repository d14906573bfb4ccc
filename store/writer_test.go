package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/news"
)

// holdWriter takes the write connection, so that the writer blocks on its
// next transaction, and returns the function that gives it back.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	tx, err := db.w.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback() }
}

// waitQueued waits until n requests wait in the writer's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(db.writer.requests) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued, want %d", len(db.writer.requests), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitReceived waits until the writer has taken n requests from its queue.
func waitReceived(t *testing.T, db *DB, n int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); db.writer.received.Load() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("the writer took %d requests, want %d", db.writer.received.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// addAsync calls AddItems in a goroutine; the result arrives on the channel.
type addResult struct {
	out []Stored
	err error
}

func addAsync(t *testing.T, db *DB, items ...NewItem) <-chan addResult {
	ch := make(chan addResult, 1)
	go func() {
		out, err := db.AddItems(t.Context(), t0, items)
		ch <- addResult{out, err}
	}()
	return ch
}

func TestAddItemsGroupCommit(t *testing.T) {
	db, _ := openTest(t)
	release := holdWriter(t, db)
	first := addAsync(t, db, NewItem{Item: testItem("wire", "first")})
	// The writer takes the first call and waits for the connection; the
	// next three wait in the queue and are then written together.
	waitReceived(t, db, 1)
	var rest []<-chan addResult
	for i := range 3 {
		it := testItem("wire", fmt.Sprintf("next-%d", i))
		rest = append(rest, addAsync(t, db,
			NewItem{Item: it, Matches: []news.Match{testMatch("nato")}, Alerts: []news.Alert{testAlert(it, "nato", tgChat)}},
			NewItem{Item: testItem("desk", fmt.Sprintf("next-%d", i))}))
	}
	waitQueued(t, db, 3)
	release()

	if r := <-first; r.err != nil || len(r.out) != 1 || !r.out[0].Added {
		t.Fatalf("first call = %+v, %v; want one item added", r.out, r.err)
	}
	ids := map[int64]bool{}
	for i, ch := range rest {
		r := <-ch
		if r.err != nil || len(r.out) != 2 {
			t.Fatalf("call %d = %+v, %v; want two results", i, r.out, r.err)
		}
		for _, s := range r.out {
			if !s.Added || s.Err != nil || ids[s.ID] {
				t.Errorf("call %d: %+v; want each item added under an id of its own", i, s)
			}
			ids[s.ID] = true
		}
	}
	if got := db.writer.txs.Load(); got != 2 {
		t.Errorf("%d transactions, want 2: the first call, then the three queued together", got)
	}
	if n := count(t, db, "items", ""); n != 7 {
		t.Errorf("%d items stored, want 7", n)
	}
	if n := count(t, db, "outbox", ""); n != 3 {
		t.Errorf("%d outbox rows, want 3", n)
	}
	if n := count(t, db, "items_fts", ""); n != 7 {
		t.Errorf("%d index rows, want 7", n)
	}
}

// A call whose items break a constraint fails alone: the calls that shared
// its transaction are stored all the same.
func TestAddItemsGroupFailureIsolated(t *testing.T) {
	db, _ := openTest(t)
	release := holdWriter(t, db)
	first := addAsync(t, db, NewItem{Item: testItem("wire", "first")})
	waitReceived(t, db, 1)
	good1 := testItem("wire", "good-1")
	bad := testItem("wire", "bad")
	good2 := testItem("wire", "good-2")
	a := addAsync(t, db, NewItem{Item: good1, Alerts: []news.Alert{testAlert(good1, "nato", tgChat)}})
	waitQueued(t, db, 1)
	b := addAsync(t, db,
		NewItem{Item: testItem("wire", "bad-sibling")},
		NewItem{Item: bad, Alerts: []news.Alert{testAlert(bad, "nato", tgChat), testAlert(bad, "nato", tgChat)}})
	waitQueued(t, db, 2)
	c := addAsync(t, db, NewItem{Item: good2})
	waitQueued(t, db, 3)
	release()

	if r := <-first; r.err != nil {
		t.Fatal(r.err)
	}
	for name, ch := range map[string]<-chan addResult{"good-1": a, "good-2": c} {
		if r := <-ch; r.err != nil || len(r.out) != 1 || !r.out[0].Added {
			t.Errorf("%s: %+v, %v; want it added", name, r.out, r.err)
		}
	}
	r := <-b
	if r.err == nil || !strings.Contains(r.err.Error(), "UNIQUE") || r.out != nil {
		t.Errorf("the bad call = %+v, %v; want a UNIQUE error and no results", r.out, r.err)
	}
	// Nothing of the bad call is stored, not even its good item.
	known, err := db.KnownItems(t.Context(), "wire", []string{"first", "good-1", "good-2", "bad", "bad-sibling"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"first": true, "good-1": true, "good-2": true}
	if fmt.Sprint(known) != fmt.Sprint(want) {
		t.Errorf("stored %v, want %v", known, want)
	}
	if n := count(t, db, "outbox", ""); n != 1 {
		t.Errorf("%d outbox rows, want good-1's one", n)
	}
}

// Many pollers storing at once: every item is stored once, with its index
// row, and each caller learns its own ids.
func TestAddItemsConcurrent(t *testing.T) {
	db, _ := openTest(t)
	const pollers, polls = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, pollers*polls)
	for p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			feed := fmt.Sprintf("feed-%d", p)
			for k := range polls {
				var items []NewItem
				for i := range 1 + k%3 {
					items = append(items, NewItem{Item: testItem(feed, fmt.Sprintf("%d-%d", k, i))})
				}
				// The first item again: stored already after the first poll.
				items = append(items, NewItem{Item: testItem(feed, "0-0")})
				out, err := db.AddItems(t.Context(), t0, items)
				if err != nil {
					errs <- err
					return
				}
				for i, s := range out[:len(out)-1] {
					if !s.Added && !(k == 0 && i == 0) {
						errs <- fmt.Errorf("%s poll %d item %d not added: %+v", feed, k, i, s)
					}
				}
				if last := out[len(out)-1]; last.Added != false && k > 0 {
					errs <- fmt.Errorf("%s poll %d: the known item was added again", feed, k)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := 0
	for k := range polls {
		want += 1 + k%3
	}
	want *= pollers
	if n := count(t, db, "items", ""); n != want {
		t.Errorf("%d items, want %d", n, want)
	}
	if n := count(t, db, "items_fts", ""); n != want {
		t.Errorf("%d index rows, want %d", n, want)
	}
	t.Logf("%d items in %d transactions", db.writer.items.Load(), db.writer.txs.Load())
}

func TestAddItemsAfterClose(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.AddItems(t.Context(), t0, []NewItem{{Item: testItem("wire", "late")}})
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("AddItems after Close = %v, want an error saying the database is closed", err)
	}
}
