package storage

import (
	"context"
	"database/sql"
	"errors"
	"github.com/coachbot/coachbot/bot"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// tx implements flows.Tx on either the writer connection (inside Update) or a
// read-only transaction of the read pool (inside View).
type tx struct {
	ctx  context.Context
	w    *writer // set inside Update
	rtx  *sql.Tx // set inside View
	now  func() time.Time
	done bool
	// touched lists the client IDs this Tx put into or took out of the
	// writer's client cache, to drop again if its job rolls back.
	touched []string
	// queued lists the outbox rows this Tx wrote (on the writer only).
	queued []bot.Outgoing
	// forgotten, set by Forget, reports the outbox rows it deleted.
	forgotten func(bot.Outgoing) bool
}

// cachedClient returns a client from the writer's cache.
func (t *tx) cachedClient(id string) (flows.Client, bool) {
	if t.w == nil || t.done {
		return flows.Client{}, false
	}
	c, ok := t.w.clients[id]
	return c, ok
}

// rememberClient puts a client row just read into the writer's cache.
func (t *tx) rememberClient(c flows.Client) {
	if t.w == nil {
		return
	}
	if len(t.w.clients) >= clientCacheMax {
		clear(t.w.clients)
	}
	t.w.clients[c.ID] = c
	t.touched = append(t.touched, c.ID)
}

// forgetClient drops a client the Tx is about to change from the cache; the
// next read fetches the row as written.
func (t *tx) forgetClient(id string) {
	if t.w == nil {
		return
	}
	delete(t.w.clients, id)
	t.touched = append(t.touched, id)
}

var _ flows.Tx = (*tx)(nil)

// end marks the Tx finished; later use fails instead of touching another
// update's transaction.
func (t *tx) end() { t.done = true }

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	switch {
	case t.done:
		return nil, errTxDone
	case t.rtx != nil:
		return t.rtx.ExecContext(t.ctx, query, args...)
	}
	s, err := t.w.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(t.ctx, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	switch {
	case t.done:
		return nil, errTxDone
	case t.rtx != nil:
		return t.rtx.QueryContext(t.ctx, query, args...)
	}
	s, err := t.w.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(t.ctx, args...)
}

// row runs a query that returns at most one row. Its Scan returns
// flows.ErrNotFound when there is none.
func (t *tx) row(query string, args ...any) row {
	switch {
	case t.done:
		return row{err: errTxDone}
	case t.rtx != nil:
		return row{r: t.rtx.QueryRowContext(t.ctx, query, args...)}
	}
	s, err := t.w.stmt(query)
	if err != nil {
		return row{err: err}
	}
	return row{r: s.QueryRowContext(t.ctx, args...)}
}

// row is the result of tx.row.
type row struct {
	r   *sql.Row
	err error
}

// Scan copies the row's columns into dest, like sql.Row.Scan.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.ErrNotFound
	}
	return err
}

// changed reports flows.ErrNotFound when an update or delete touched no row.
func changed(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return flows.ErrNotFound
	}
	return nil
}

// millis stores a time as unix milliseconds, the zero time as NULL.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMillis is the inverse of millis; times come back in UTC.
func fromMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// orNow returns t, or the DB's clock when t is zero.
func (t *tx) orNow(at time.Time) time.Time {
	if at.IsZero() {
		return t.now()
	}
	return at
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
