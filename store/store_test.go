package store

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// openTest opens a fresh database in a temporary directory and closes it
// when the test ends.
func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "herald.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db, path
}

func pragma(t *testing.T, q queryer, name string) string {
	t.Helper()
	var v string
	if err := q.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpen(t *testing.T) {
	db, path := openTest(t)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	pools := []struct {
		name string
		q    queryer
	}{{"writer", db.w}, {"reader", db.r}}
	for _, p := range pools {
		t.Run(p.name, func(t *testing.T) {
			if got := pragma(t, p.q, "journal_mode"); got != "wal" {
				t.Errorf("journal_mode = %q, want wal", got)
			}
			if got := pragma(t, p.q, "foreign_keys"); got != "1" {
				t.Errorf("foreign_keys = %q, want 1", got)
			}
			if got := pragma(t, p.q, "busy_timeout"); got != "5000" {
				t.Errorf("busy_timeout = %q, want 5000", got)
			}
			if got := pragma(t, p.q, "user_version"); got != strconv.Itoa(len(ms)) {
				t.Errorf("user_version = %s, want %d", got, len(ms))
			}
		})
	}
	if got := pragma(t, db.w, "synchronous"); got != "1" {
		t.Errorf("writer synchronous = %q, want 1 (NORMAL)", got)
	}
	if got := pragma(t, db.w, "temp_store"); got != "2" {
		t.Errorf("writer temp_store = %q, want 2 (MEMORY)", got)
	}
	if _, err := db.r.ExecContext(t.Context(), `INSERT INTO kv (key, value) VALUES ('a', 'b')`); err == nil {
		t.Error("reader pool accepted a write; want query_only")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set(ctx, "offset", "42"); err != nil {
		t.Fatal(err)
	}
	before, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		after, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("reopen %d: stats %+v, want %+v", i, after, before)
		}
		if v, ok, err := db.Get(ctx, "offset"); err != nil || !ok || v != "42" {
			t.Errorf("reopen %d: Get = %q, %t, %v; want 42, true, nil", i, v, ok, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	raw, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(t.Context(), "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	tests := []struct {
		name   string
		path   string
		want   string
		wantIs error
	}{
		{name: "empty path", path: "", want: "empty database path"},
		{name: "directory", path: dir, want: dir},
		{name: "not a database", path: garbage, want: garbage},
		{name: "newer schema", path: newer, want: "upgrade herald", wantIs: ErrNewerSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(t.Context(), tt.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("error %q lacks the store: prefix", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		versions []int
		wantErr  string
	}{
		{
			name: "ordered by number not name",
			fsys: fstest.MapFS{
				"migrations/0002_b.sql":  file("b"),
				"migrations/0001_a.sql":  file("a"),
				"migrations/0010_j.sql":  file("j"),
				"migrations/0003_c.sql":  file("c"),
				"migrations/README.md":   file("ignored"),
				"migrations/0004_d.sql":  file("d"),
				"migrations/0005_e.sql":  file("e"),
				"migrations/0006_f.sql":  file("f"),
				"migrations/0007_g.sql":  file("g"),
				"migrations/0008_h.sql":  file("h"),
				"migrations/0009_i.sql":  file("i"),
				"migrations/other/x.sql": file("ignored"),
			},
			versions: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		},
		{name: "gap", fsys: fstest.MapFS{"migrations/0001_a.sql": file("a"), "migrations/0003_c.sql": file("c")}, wantErr: "expected version 2"},
		{name: "repeat", fsys: fstest.MapFS{"migrations/0001_a.sql": file("a"), "migrations/0001_b.sql": file("b")}, wantErr: "expected version 2"},
		{name: "bad name", fsys: fstest.MapFS{"migrations/init.sql": file("a")}, wantErr: "NNNN_description.sql"},
		{name: "zero", fsys: fstest.MapFS{"migrations/0000_a.sql": file("a")}, wantErr: "NNNN > 0"},
		{name: "none", fsys: fstest.MapFS{}, wantErr: "none embedded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if !slices.Equal(got, tt.versions) {
				t.Errorf("versions = %v, want %v", got, tt.versions)
			}
		})
	}
}

// TestMigrationTransaction checks that a failing migration leaves neither
// its earlier statements nor a new version behind.
func TestMigrationTransaction(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	v, err := db.schemaVersion(ctx, db.w)
	if err != nil {
		t.Fatal(err)
	}
	bad := migration{
		version: v + 1,
		name:    "9999_bad.sql",
		sql:     "CREATE TABLE half (a INTEGER);\nINSERT INTO no_such_table VALUES (1);",
	}
	if err := db.migrate(ctx, append(mustMigrations(t), bad)); err == nil {
		t.Fatal("migrate succeeded, want an error")
	} else if !strings.Contains(err.Error(), "9999_bad.sql") {
		t.Errorf("error %q does not name the migration", err)
	}
	if got, _ := db.schemaVersion(ctx, db.w); got != v {
		t.Errorf("version = %d after failed migration, want %d", got, v)
	}
	var n int
	if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("table from the failed migration survived")
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
