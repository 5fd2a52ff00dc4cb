// Package storage keeps coachbot's state in SQLite through modernc.org/sqlite (pure
// Go, no cgo). It implements flows.Store for the engine and bot.Outbox for the
// dispatcher.
//
// Every write goes through one writer goroutine that commits many updates at once
// (group commit): an update waits for the commit that contains it, so it is durable
// before its caller replies, while the cost of that commit is shared. Reads outside
// an update use a separate read-only pool and never wait for the writer.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// ErrClosed is returned by writes attempted after Close.
var ErrClosed = errors.New("storage: closed")

var (
	_ flows.Store = (*DB)(nil)
	_ bot.Outbox  = (*DB)(nil)
)

// maxBatch bounds how many updates share one commit, so one commit never holds
// back the first caller for long.
const maxBatch = 256

// DB owns the writer connection, the read pool, and the group-commit goroutine
// that runs every write. It is safe for concurrent use.
type DB struct {
	path   string
	now    func() time.Time
	logger *slog.Logger
	// ownerLock and existing are set by options: claim the database for this
	// process (WithOwnerLock), and open only a file that exists (Existing).
	ownerLock bool
	existing  bool
	lock      *ownerLock

	writerDB *sql.DB // one connection, held by the writer goroutine
	readerDB *sql.DB // query_only pool for View and the outbox reads
	w        *writer

	pending *sql.Stmt // Pending, prepared on the read pool
	offset  *sql.Stmt // Offset, prepared on the read pool

	jobs    chan *job
	urgent  chan *job // jobs to commit as soon as the one running is done
	closing chan struct{}
	gone    chan struct{} // closed if the writer goroutine ends before Close
	// queued is told of the outbox rows each commit wrote (see OnQueued).
	queued  atomic.Pointer[func([]bot.Outgoing)]
	commits atomic.Int64 // transactions the writer committed, for benchmarks
	jobsRun atomic.Int64 // jobs those transactions carried
	wg      sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	// observer is told of each commit (see OnCommit).
	observer commitObserver
}

// OnQueued sets fn to be told, right after each commit, of the outbox rows it
// wrote, oldest first, so a dispatcher in the same process can send them
// without reading them back. fn runs on the writer goroutine and must not
// block; the slice is fn's to keep. Rows written by other processes are not
// reported. A nil fn stops the reports.
func (db *DB) OnQueued(fn func([]bot.Outgoing)) {
	if fn == nil {
		db.queued.Store(nil)
		return
	}
	db.queued.Store(&fn)
}

// Option changes how Open sets up a DB.
type Option func(*DB)

// WithClock sets the clock the DB uses for the timestamps it sets itself
// (created and updated times, and times left zero where one is required), so a
// simulation on a fast clock stores simulated times. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.now = now }
}

// WithLogger sets where the DB reports migrations and recovered panics. The
// default discards.
func WithLogger(l *slog.Logger) Option {
	return func(db *DB) { db.logger = l }
}

// Existing makes Open fail with an error wrapping fs.ErrNotExist when there is
// no database file, instead of creating an empty one: for commands that only
// read, where a mistyped path should say so.
func Existing() Option {
	return func(db *DB) { db.existing = true }
}

// Open opens the database at path, creating the file when missing, checks
// that it is intact and writable, applies the pending migrations and starts
// the writer goroutine. ctx bounds opening and migrating only; the DB lives
// until Close. A damaged or read-only database fails here, with one line that
// says so, rather than at the first write.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, errors.New("open db: empty path")
	}
	db := &DB{
		path:    path,
		now:     time.Now,
		logger:  slog.New(slog.DiscardHandler),
		jobs:    make(chan *job),
		urgent:  make(chan *job),
		closing: make(chan struct{}),
		gone:    make(chan struct{}),
	}
	for _, o := range opts {
		o(db)
	}
	if db.existing {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open db %s: no such file: %w", path, fs.ErrNotExist)
			}
			return nil, fmt.Errorf("open db %s: %w", path, err)
		}
	}
	if db.ownerLock {
		l, err := claim(path)
		var inUse *InUseError
		if errors.As(err, &inUse) {
			return nil, inUse
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("open db %s: cannot be written: %w", path, err)
		}
		if err != nil {
			return nil, fmt.Errorf("open db %s: %w", path, err)
		}
		db.lock = l
	}
	if err := db.open(ctx); err != nil {
		db.closeAll()
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	db.wg.Add(1)
	go db.run()
	return db, nil
}

// checkTimeout bounds the integrity check at start: a large database is
// checked only as far as it gets in this time.
const checkTimeout = 5 * time.Second

func (db *DB) open(ctx context.Context) error {
	var err error
	// synchronous(FULL) makes every commit durable across power loss, not just a
	// crash of the process; group commit pays that fsync once per batch.
	// secure_delete overwrites what is deleted, so a forgotten client's words
	// do not linger in free pages of the file.
	db.writerDB, err = sql.Open("sqlite", dsn(db.path,
		"_pragma=busy_timeout(5000)", "_pragma=journal_mode(WAL)", "_pragma=foreign_keys(1)",
		"_pragma=synchronous(FULL)", "_pragma=secure_delete(1)", "_txlock=immediate"))
	if err != nil {
		return err
	}
	db.writerDB.SetMaxOpenConns(1)
	db.writerDB.SetMaxIdleConns(1)
	conn, err := db.writerDB.Conn(ctx)
	if err != nil {
		return explain(fmt.Errorf("writer: %w", err))
	}
	db.w = &writer{conn: conn, stmts: make(map[string]*sql.Stmt), clients: make(map[string]flows.Client)}
	if err := db.check(ctx, conn); err != nil {
		return err
	}
	if err := db.migrate(ctx, conn); err != nil {
		return explain(err)
	}

	// Each reader keeps a page cache of its own, beside the operating system's
	// cache of the same file: 512 KiB each rather than SQLite's 2 MiB keeps
	// the pages their queries return to (the outbox, what is due) and not
	// eight copies of the rest.
	db.readerDB, err = sql.Open("sqlite", dsn(db.path,
		"_pragma=busy_timeout(5000)", "_pragma=foreign_keys(1)", "_pragma=query_only(1)",
		"_pragma=cache_size(-512)"))
	if err != nil {
		return err
	}
	db.readerDB.SetMaxOpenConns(8)
	db.readerDB.SetMaxIdleConns(8)
	if db.pending, err = db.readerDB.PrepareContext(ctx, pendingSQL); err != nil {
		return fmt.Errorf("prepare pending: %w", err)
	}
	if db.offset, err = db.readerDB.PrepareContext(ctx, offsetSQL); err != nil {
		return fmt.Errorf("prepare offset: %w", err)
	}
	return nil
}

// check fails when the database is damaged or cannot be written. The
// integrity check is SQLite's quick_check, stopped at the first problem and
// after checkTimeout; the write check writes in a transaction it rolls back.
func (db *DB) check(ctx context.Context, conn *sql.Conn) error {
	qctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	var result string
	err := conn.QueryRowContext(qctx, `PRAGMA quick_check(1)`).Scan(&result)
	switch {
	case err != nil && qctx.Err() != nil && ctx.Err() == nil:
		db.logger.Warn("integrity check stopped before the end", "after", checkTimeout)
	case err != nil:
		return explain(fmt.Errorf("integrity check: %w", err))
	case result != "ok":
		return fmt.Errorf("damaged: integrity check: %s", strings.Join(strings.Fields(result), " "))
	}
	// SQLite opens a file it may not write read-only, and begins a write
	// transaction on it; only a write fails. This one is rolled back.
	tx, err := conn.BeginTx(ctx, nil) // immediate, from the DSN
	if err == nil {
		_, err = tx.ExecContext(ctx, `CREATE TABLE write_check (x)`)
		err = errors.Join(err, tx.Rollback())
	}
	if err != nil {
		return explain(fmt.Errorf("write check: %w", err))
	}
	return nil
}

// explain names what an SQLite error means for the whole database: damaged,
// read-only, or out of space.
func explain(err error) error {
	var serr *sqlite.Error
	if !errors.As(err, &serr) {
		return err
	}
	switch serr.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("damaged: %w", err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("cannot be written: %w", err)
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("disk full: %w", err)
	}
	return err
}

// dsn builds a file: URI for path with the given driver parameters. The path is
// escaped, so names with '?', '#' or '%' open the file they name.
func dsn(path string, params ...string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	s := u.String()
	for i, p := range params {
		if i == 0 {
			s += "?"
		} else {
			s += "&"
		}
		s += p
	}
	return s
}

// Close stops accepting writes, lets the writer finish the updates already
// queued, and closes both pools. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closing)
		db.wg.Wait()
		db.closeErr = db.closeAll()
	})
	return db.closeErr
}

// closeAll releases whatever open managed to set up and returns the first error.
func (db *DB) closeAll() error {
	var errs []error
	for _, s := range []*sql.Stmt{db.pending, db.offset} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	if db.w != nil {
		errs = append(errs, db.w.close())
	}
	for _, p := range []*sql.DB{db.readerDB, db.writerDB} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	errs = append(errs, db.lock.release())
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("close db: %w", err)
		}
	}
	return nil
}

// View runs fn in a read-only transaction on the read pool, so it never waits
// for the writer. fn sees one consistent snapshot; writes fail. The Tx is valid
// only inside fn.
func (db *DB) View(ctx context.Context, fn func(flows.Tx) error) error {
	select {
	case <-db.closing:
		return ErrClosed
	default:
	}
	rtx, err := db.readerDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	defer rtx.Rollback()
	t := &tx{ctx: ctx, rtx: rtx, now: db.now}
	defer t.end()
	return fn(t)
}

// SchemaVersion reports the number of the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.readerDB.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// Backup writes a consistent copy of the live database to path with VACUUM INTO.
// It refuses to overwrite an existing file. It runs on a connection of its own
// that only reads the live database, so writes go on while it copies.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup to %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// Not query_only: VACUUM INTO writes the new file, which query_only forbids.
	src, err := sql.Open("sqlite", dsn(db.path, "_pragma=busy_timeout(5000)"))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// pruneChunk bounds the rows one prune step deletes, so updates queued behind a
// large prune wait for one small step, not for all of it.
const pruneChunk = 2000

// Prune deletes seen-update records and finished outbox rows (sent, failed or
// dropped) older than before. Pending rows are never pruned.
func (db *DB) Prune(ctx context.Context, before time.Time) error {
	steps := []struct{ name, query string }{
		{"seen updates", `DELETE FROM seen_updates WHERE update_id IN
			(SELECT update_id FROM seen_updates WHERE at < ?1 LIMIT ?2)`},
		{"outbox", `DELETE FROM outbox WHERE id IN
			(SELECT id FROM outbox WHERE status <> 'pending' AND created_at < ?1 ORDER BY id LIMIT ?2)`},
	}
	for _, s := range steps {
		for {
			var n int64
			err := db.write(ctx, func(t *tx) error {
				res, err := t.exec(s.query, before.UnixMilli(), pruneChunk)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return fmt.Errorf("prune %s: %w", s.name, err)
			}
			if n < pruneChunk {
				break
			}
		}
	}
	return nil
}
