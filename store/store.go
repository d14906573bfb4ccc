// Package store keeps herald's state in one SQLite file: feed polling state,
// the items seen, the rules they matched, the outbox of alerts to deliver,
// chat subscriptions and small key-value state. All SQL in herald lives here.
//
// # Concurrency
//
// A DB holds two connection pools on the same file. Writes go through a pool
// of exactly one connection whose transactions begin IMMEDIATE, so herald's
// own writers queue in Go (honouring their contexts) instead of racing for
// SQLite's write lock, and a transaction that reads before it writes can
// never fail with SQLITE_BUSY on upgrading its lock. Reads go through a
// separate pool of query-only connections: in WAL mode readers see the last
// committed state and neither block the writer nor wait for it. busy_timeout
// still covers the one case the single writer cannot, another process (a
// second herald, the sqlite3 shell) writing the same file.
//
// # Times
//
// Times are stored as INTEGER unix seconds in UTC and read back in UTC; the
// zero time.Time is stored as NULL and reads back as the zero time exactly.
// Sub-second precision is dropped, except that an outbox retry time is
// rounded up so that a retry never becomes due early.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when a row addressed by its key does not exist.
var ErrNotFound = errors.New("not found")

// ErrNewerSchema is returned by Open when the database was migrated by a
// newer herald than this one.
var ErrNewerSchema = errors.New("database schema is newer than this herald")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is herald's store. It is safe for concurrent use.
type DB struct {
	path string
	// w is the single-connection pool every write goes through.
	w *sql.DB
	// r is the pool of query-only connections for reads.
	r *sql.DB
	// The statements that store an item, prepared once on w: preparing
	// them for each item cost a fifth of storing it.
	insertFTS, insertItem, findItem, insertMatch, insertOutbox *sql.Stmt
	// writer stores AddItems' items, several calls per transaction.
	writer *writer
}

// Open opens the database at path, creating it and its directory when
// missing, and migrates it to the schema this herald knows.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: open: empty database path; set the path of the SQLite file herald should use")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("store: open %s: create its directory: %w", path, err)
	}
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}

	hint := "check that the directory is writable and the file, if it exists, is a herald database"
	w, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w; %s", path, err, hint)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w; %s", path, err, hint)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w; %s", path, err, hint)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("store: open %s: journal mode is %q, not wal; keep the database on a local file system", path, mode)
	}
	if err := db.migrate(ctx, migrations); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.prepareWrites(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.buildIndex(ctx); err != nil {
		db.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w; %s", path, err, hint)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w; %s", path, err, hint)
	}
	db.r = r
	db.writer = newWriter(db)
	return db, nil
}

// dsn builds the driver's data source name. The path goes in a file: URI so
// that characters such as '?' and '#' in it survive; journal mode is set by
// the writer only, because WAL is a property of the file, not the connection.
func dsn(abs string, writer bool) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows: file:///C:/...
	}
	q := []string{"_pragma=busy_timeout(5000)", "_pragma=foreign_keys(1)"}
	if writer {
		// temp_store(MEMORY): a statement's journal (each insert in the
		// transaction of a poll's items has one, for the triggers) is kept
		// in memory, not written to a temporary file a syscall at a time.
		q = append(q, "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)", "_pragma=temp_store(MEMORY)", "_txlock=immediate")
	} else {
		q = append(q, "_pragma=query_only(1)")
	}
	return u.String() + "?" + strings.Join(q, "&")
}

// Close closes the database. It must not be called while other methods are
// still running.
func (db *DB) Close() error {
	var errs []error
	if db.writer != nil {
		db.writer.close()
	}
	for _, st := range []*sql.Stmt{db.insertFTS, db.insertItem, db.findItem, db.insertMatch, db.insertOutbox} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close %s: %w", db.path, err)
	}
	return nil
}

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/NNNN_name.sql from fsys, ordered by number,
// and insists the numbers run 1, 2, 3, ... without gaps or repeats so that a
// version in user_version always names the same set of changes.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s: name must be NNNN_description.sql with NNNN > 0", base)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations: %s: expected version %d; versions must run 1, 2, 3, ... without gaps or repeats", m.name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("migrations: none embedded")
	}
	return ms, nil
}

// migrate brings the schema up to the last of ms, one transaction per
// migration, recording progress in PRAGMA user_version.
func (db *DB) migrate(ctx context.Context, ms []migration) error {
	v, err := db.schemaVersion(ctx, db.w)
	if err != nil {
		return fmt.Errorf("store: open %s: read schema version: %w", db.path, err)
	}
	if v > len(ms) {
		return fmt.Errorf("store: open %s: schema version %d, but this herald knows only up to %d; upgrade herald or point it at another database: %w",
			db.path, v, len(ms), ErrNewerSchema)
	}
	for _, m := range ms[v:] {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("store: open %s: migration %s: %w", db.path, m.name, err)
		}
	}
	return nil
}

// apply runs one migration in a transaction. The version is read again inside
// the (IMMEDIATE, so write-locked) transaction because another process may
// have migrated the file since migrate looked.
func (db *DB) apply(ctx context.Context, m migration) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return err
	}
	switch {
	case cur >= m.version:
		return nil
	case cur != m.version-1:
		return fmt.Errorf("schema version is %d, expected %d", cur, m.version-1)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// PRAGMA takes no parameters; m.version is an int we parsed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// queryer is what *sql.DB and *sql.Tx share for reading.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// schemaVersion returns the number of migrations applied to the file.
func (db *DB) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

// nullTime stores the zero time as NULL and any other as unix seconds.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// ceilUnix returns t in unix seconds rounded up, for times before which
// something must not happen.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// fromNull is the inverse of nullTime.
func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// boolInt stores a bool in an INTEGER column of a STRICT table.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
