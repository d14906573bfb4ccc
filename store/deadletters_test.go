package store

import (
	"testing"
	"time"

	"herald/news"
)

func TestDeadAndRequeue(t *testing.T) {
	db, _ := openTest(t)
	for _, id := range []string{"a", "b", "c"} {
		it := testItem("wire", id)
		if _, _, err := db.AddItem(t.Context(), it, t0, nil, []news.Alert{testAlert(it, "nato", tgTopic)}); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := db.Pending(t.Context(), t0, 10)
	if len(rows) != 3 || rows[0].Attempts != 0 || !rows[0].Queued.Equal(t0) {
		t.Fatalf("pending = %+v", rows)
	}
	for _, r := range rows[:2] {
		if err := db.MarkFailed(t.Context(), r.ID, "Forbidden: bot was blocked by the user", time.Time{}, true); err != nil {
			t.Fatal(err)
		}
	}
	dead, err := db.Dead(t.Context(), 10)
	if err != nil || len(dead) != 2 || dead[0].Alert.ID != rows[1].ID || dead[0].LastError != "Forbidden: bot was blocked by the user" || dead[0].Attempts != 1 {
		t.Fatalf("Dead = %+v, %v", dead, err)
	}
	later := t0.Add(48 * time.Hour)
	if n, err := db.Requeue(t.Context(), later, rows[0].ID); err != nil || n != 1 {
		t.Fatalf("Requeue one = %d, %v", n, err)
	}
	if n, _ := db.Requeue(t.Context(), later, rows[2].ID); n != 0 {
		t.Errorf("requeued a row that was not dead")
	}
	if n, err := db.Requeue(t.Context(), later); err != nil || n != 1 {
		t.Fatalf("Requeue all = %d, %v", n, err)
	}
	pending, _ := db.Pending(t.Context(), later, 10)
	if len(pending) != 3 {
		t.Fatalf("after requeue %d pending, want 3", len(pending))
	}
	for _, p := range pending[:2] {
		if p.Attempts != 0 || !p.Queued.Equal(later) {
			t.Errorf("requeued row %d: attempts %d queued %v; want 0 and the requeue time", p.ID, p.Attempts, p.Queued)
		}
	}
}
