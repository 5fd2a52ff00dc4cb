package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Stats are counts an operator watches: how much is waiting to leave, how late
// the sweep is, how many people use the bot. They carry no client data.
type Stats struct {
	// OutboxPending is how many replies wait to be delivered, and
	// OldestPending when the oldest of them was queued (zero when none).
	OutboxPending int
	OldestPending time.Time
	// OldestDue is the due time of the oldest proactive moment that is due
	// and not yet handled (zero when none): the sweep's lag is now minus it.
	OldestDue time.Time
	// Clients is how many clients agreed to take part; ActiveClients how many
	// of them wrote in the last ActiveWindow.
	Clients       int
	ActiveClients int
	// SafetyEvents is how many safety events were ever recorded, forgotten
	// clients' included: it only grows.
	SafetyEvents int64
}

// ActiveWindow is how recently a client must have written to count as active.
const ActiveWindow = 7 * 24 * time.Hour

// Stats reads the counts as of now from the read pool; it never waits for the
// writer.
func (db *DB) Stats(ctx context.Context, now time.Time) (Stats, error) {
	var s Stats
	var oldestPending, oldestDue sql.NullInt64
	err := db.readerDB.QueryRowContext(ctx,
		`SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'`).Scan(&s.OutboxPending, &oldestPending)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: outbox: %w", err)
	}
	err = db.readerDB.QueryRowContext(ctx,
		`SELECT min(at) FROM due WHERE status = 'pending' AND at <= ?`, now.UnixMilli()).Scan(&oldestDue)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: due: %w", err)
	}
	err = db.readerDB.QueryRowContext(ctx,
		`SELECT count(*), coalesce(sum(last_seen >= ?), 0) FROM clients WHERE consented = 1`,
		now.Add(-ActiveWindow).UnixMilli()).Scan(&s.Clients, &s.ActiveClients)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: clients: %w", err)
	}
	// safety_events has AUTOINCREMENT, so its sequence counts every event
	// ever recorded, also after /forget deleted the rows.
	err = db.readerDB.QueryRowContext(ctx,
		`SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'safety_events'`).Scan(&s.SafetyEvents)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: safety events: %w", err)
	}
	s.OldestPending = fromMillis(oldestPending)
	s.OldestDue = fromMillis(oldestDue)
	return s, nil
}

// writeCheckName is the offsets row WriteCheck rewrites.
const writeCheckName = "ops:write_check"

// WriteCheck commits one small write through the writer, as every update
// does, and reports whether it was durable: it fails when the file has turned
// read-only, the disk is full or the writer is gone.
func (db *DB) WriteCheck(ctx context.Context) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO offsets (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, writeCheckName, t.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("write check: %w", explain(err))
	}
	return nil
}

// CommitObserver is told of every commit the writer makes: how long the
// transaction took from BEGIN to COMMIT, how many updates it carried, and
// whether it failed.
type CommitObserver func(took time.Duration, updates int, err error)

// commitObserver is set by OnCommit.
type commitObserver = atomic.Pointer[CommitObserver]

// OnCommit sets fn to be told of every commit, on the writer goroutine; fn
// must not block. A nil fn stops the reports.
func (db *DB) OnCommit(fn CommitObserver) {
	if fn == nil {
		db.observer.Store(nil)
		return
	}
	db.observer.Store(&fn)
}

// observeCommit reports one commit to the observer, if any.
func (db *DB) observeCommit(start time.Time, updates int, err error) {
	if fn := db.observer.Load(); fn != nil {
		(*fn)(time.Since(start), updates, err)
	}
}

// Inspection is what Inspect finds in a database file without changing it.
type Inspection struct {
	// Size is the file's size in bytes, its write-ahead log not included.
	Size int64
	// Integrity is "ok", or SQLite's first problem.
	Integrity string
	// Schema is the newest migration applied; Latest the newest this build
	// knows. Schema < Latest means the next start migrates.
	Schema, Latest int
	// Zones are the time zones clients and coaches chose.
	Zones []string
}

// Inspect opens the database at path read-only and checks it: SQLite's
// quick_check over the whole file, the schema version, the zones in use. It
// changes nothing and works beside a running bot. A missing file is an error
// wrapping fs.ErrNotExist.
func Inspect(ctx context.Context, path string) (Inspection, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	var in Inspection
	in.Size = st.Size()
	ms, err := migrations()
	if err != nil {
		return Inspection{}, err
	}
	if len(ms) > 0 {
		in.Latest = ms[len(ms)-1].version
	}
	conn, err := sql.Open("sqlite", dsn(path, "mode=ro", "_pragma=busy_timeout(5000)", "_pragma=query_only(1)"))
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var problems []string
	rows, err := conn.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, explain(err))
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return Inspection{}, fmt.Errorf("inspect %s: %w", path, explain(err))
		}
		problems = append(problems, p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, explain(err))
	}
	in.Integrity = "ok"
	if len(problems) > 0 && (len(problems) > 1 || problems[0] != "ok") {
		in.Integrity = fmt.Sprintf("%s (%d problems)", problems[0], len(problems))
	}
	var hasSchema int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'`).Scan(&hasSchema); err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, explain(err))
	}
	if hasSchema == 0 {
		return in, nil // an empty file: the first start creates the schema
	}
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&in.Schema); err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: %w", path, explain(err))
	}
	if in.Schema == 0 {
		return in, nil
	}
	zones, err := conn.QueryContext(ctx, `SELECT zone FROM clients WHERE zone <> '' UNION SELECT zone FROM coaches WHERE zone <> '' ORDER BY 1`)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect %s: zones: %w", path, err)
	}
	defer zones.Close()
	for zones.Next() {
		var z string
		if err := zones.Scan(&z); err != nil {
			return Inspection{}, fmt.Errorf("inspect %s: zones: %w", path, err)
		}
		in.Zones = append(in.Zones, z)
	}
	return in, zones.Err()
}
