package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// writer is the single connection every write runs on, with the statements
// prepared on it. Only the writer goroutine touches it once Open returns.
type writer struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	// queued collects the outbox rows of the jobs committing, for OnQueued.
	queued []bot.Outgoing
	// forgot is set when a job of the commit forgot a client: once the
	// commit is durable, the write-ahead log is emptied so their words leave
	// the disk too.
	forgot bool
	// clients caches client rows as committed, for the lookup every message
	// starts with. Only the writer goroutine touches it, and the writer is the
	// only way to change the database, so it cannot go stale; what a job that
	// fails or a batch that rolls back touched is dropped from it.
	clients map[string]flows.Client
}

// clientCacheMax bounds the client cache; past it the cache starts over.
const clientCacheMax = 20000

// stmt returns query prepared on the writer connection, preparing it on first use.
func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	s, err := w.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = s
	return s, nil
}

// exec runs a statement that takes no arguments, such as BEGIN or SAVEPOINT.
func (w *writer) exec(query string) error {
	s, err := w.stmt(query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(context.Background())
	return err
}

func (w *writer) close() error {
	var first error
	for _, s := range w.stmts {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	clear(w.stmts)
	if err := w.conn.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// Job states: a job is taken by the writer or abandoned by its caller, never both.
const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

// job is one write waiting for the writer goroutine.
type job struct {
	ctx    context.Context
	fn     func(*tx) error
	urgent bool // sent by writeUrgent: runs before the jobs not yet run
	state  atomic.Int32
	err    error         // written by the writer before done is closed
	done   chan struct{} // closed once err is final
}

// Update runs fn in a transaction and returns once it is durably committed. fn
// runs on the writer goroutine, batched with other updates into one commit; an
// error or a panic in fn undoes only fn's writes, and the others still commit.
// For that, when fn fails, the updates that ran before it in the commit are run
// once more: fn may run more than once, so it must not change anything but
// through the Tx and its own variables. If the commit itself fails, every
// update in it gets that error.
//
// The Tx is valid only inside fn; reads through it see fn's own writes. fn must
// not call Update (the writer is busy running fn) and should not block: every
// update in the batch waits for it. If fn calls runtime.Goexit (t.FailNow in a
// test), nothing of its batch commits, every update in it fails, and so does
// every later one: the writer is gone. If ctx ends while fn is still queued,
// Update returns ctx.Err() and fn never runs; once fn runs, Update waits for
// the commit.
func (db *DB) Update(ctx context.Context, fn func(flows.Tx) error) error {
	return db.write(ctx, func(t *tx) error { return fn(t) })
}

// write queues fn for the writer goroutine and waits for its result.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	return db.submit(ctx, db.jobs, fn)
}

// writeUrgent is write for a caller that holds up more work until fn is
// committed, such as a poller that asks for the next updates only once the last
// ones are stored: fn is committed as soon as the job running finishes, and the
// jobs it overtakes go into the next commit.
func (db *DB) writeUrgent(ctx context.Context, fn func(*tx) error) error {
	return db.submit(ctx, db.urgent, fn)
}

func (db *DB) submit(ctx context.Context, queue chan *job, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, urgent: queue == db.urgent, done: make(chan struct{})}
	if j.urgent {
		testHookUrgent()
	}
	select {
	case queue <- j:
	case <-db.closing:
		return ErrClosed
	case <-db.gone:
		return errAborted
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		<-j.done // already running: its outcome is decided by the commit
		return j.err
	}
}

// run is the writer goroutine: it takes the first waiting job and every other
// one already waiting, and commits them together. On Close it finishes the jobs
// already handed over and returns.
func (db *DB) run() {
	stopped := false
	defer func() {
		if !stopped {
			// An update called runtime.Goexit (t.FailNow in a test) on this
			// goroutine; commit has answered its batch. Later updates fail at
			// once instead of waiting for a writer that is gone.
			db.logger.Error("update ended the writer goroutine; writes fail from now on")
			close(db.gone)
		}
		db.wg.Done()
	}()
	batch := make([]*job, 0, maxBatch)
	var rest []*job // jobs an urgent one overtook, first in the next commit
	for {
		batch = append(batch[:0], rest...)
		if len(rest) == 0 {
			select {
			case j := <-db.urgent: // first when both wait, not by chance
				batch = append(batch, j)
			default:
			}
		}
		if len(batch) == 0 {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			case j := <-db.urgent:
				batch = append(batch, j)
			case <-db.closing:
				for {
					batch = db.gather(append(batch[:0], rest...))
					if len(batch) == 0 {
						stopped = true
						return
					}
					rest = db.commit(batch)
				}
			}
		}
		rest = db.commit(db.gather(batch))
	}
}

// Group commit lingers briefly for more jobs when they keep coming: many
// chats handled at once (a poll batch) then share one commit, and its sync,
// instead of a commit every few jobs. A lone update waits at most lingerQuiet.
const (
	lingerQuiet = 100 * time.Microsecond // stop when no job came for this long
	lingerMax   = time.Millisecond       // and never wait longer than this
)

// gather adds the jobs already waiting, and those that follow closely; with an
// urgent job among them it does not linger, and urgent jobs go first.
func (db *DB) gather(batch []*job) []*job {
	var timer *time.Timer
	deadline := time.Now().Add(lingerMax)
	for len(batch) < maxBatch {
		select {
		case j := <-db.urgent:
			batch = putUrgent(batch, j)
			deadline = time.Time{}
			continue
		case j := <-db.jobs:
			batch = append(batch, j)
			continue
		default:
		}
		wait := min(lingerQuiet, time.Until(deadline))
		if wait <= 0 {
			break
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case j := <-db.urgent:
			batch = putUrgent(batch, j)
			deadline = time.Time{}
			continue
		case j := <-db.jobs:
			batch = append(batch, j)
			continue
		case <-timer.C:
		}
		break
	}
	return batch
}

// putUrgent puts j after the urgent jobs at the front of batch, before the
// others.
func putUrgent(batch []*job, j *job) []*job {
	i := slices.IndexFunc(batch, func(j *job) bool { return !j.urgent })
	if i < 0 {
		return append(batch, j)
	}
	return slices.Insert(batch, i, j)
}

// commit runs the batch in one transaction and then tells every caller its
// result. A job is taken only when its turn comes, so a caller whose context ends
// while earlier jobs of the batch run can still withdraw it. An urgent job that
// comes meanwhile cuts the batch short: it runs next and commits with the jobs
// already run, and commit returns the rest, not yet run, for the next commit.
func (db *DB) commit(batch []*job) (rest []*job) {
	w := db.w
	live := make([]*job, 0, len(batch)) // the jobs taken, whose callers wait for the result
	answered := false
	defer func() {
		if answered {
			return
		}
		// An update left the writer goroutine without returning (runtime.Goexit):
		// nothing of this batch can be trusted, so nothing of it commits.
		clear(w.clients)
		if err := w.exec("ROLLBACK"); err != nil {
			db.logger.Warn("rollback after aborted batch", "err", err)
		}
		for _, j := range live {
			if j.err == nil {
				j.err = errAborted
			}
			close(j.done)
		}
		for _, j := range slices.Concat(batch, rest) {
			if j.state.CompareAndSwap(jobQueued, jobTaken) {
				j.err = errAborted
				close(j.done)
			}
		}
	}()

	w.queued, w.forgot = w.queued[:0], false
	start := time.Now()
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		db.logger.Error("begin failed", "updates", len(batch), "err", explain(err))
		db.observeCommit(start, len(batch), err)
		for _, j := range batch {
			if j.state.CompareAndSwap(jobQueued, jobTaken) {
				j.err = fmt.Errorf("begin: %w", err)
				close(j.done)
			}
		}
		answered = true
		return
	}
	var broken error // the transaction can no longer be trusted
	// Jobs run without savepoints, which cost two statements each, until one
	// fails; that is rare, and then the batch is run again with them.
	safe := false
	for i := 0; i < len(batch); i++ {
		j := batch[i]
		if i > 0 && rest == nil && broken == nil {
			select {
			case u := <-db.urgent:
				rest = slices.Clone(batch[i:])
				batch = append(batch[:i:i], u)
				j = u
			default:
			}
		}
		if !j.state.CompareAndSwap(jobQueued, jobTaken) {
			continue // its caller gave up and has returned
		}
		live = append(live, j)
		if broken != nil {
			continue
		}
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		if safe {
			broken = db.runJob(j)
			continue
		}
		if db.runFn(j) == nil {
			continue
		}
		// No savepoint can undo just this job's writes: start the transaction
		// over and run the jobs before it again, each in a savepoint, as every
		// job after it will be.
		broken = db.restart(live[:len(live)-1])
		safe = true
	}
	if broken == nil {
		if err := w.exec("COMMIT"); err != nil {
			broken = fmt.Errorf("commit: %w", explain(err))
		} else {
			db.commits.Add(1)
			db.jobsRun.Add(int64(len(live)))
			if fn := db.queued.Load(); fn != nil && len(w.queued) > 0 {
				(*fn)(slices.Clone(w.queued))
			}
			if w.forgot {
				db.checkpoint()
			}
		}
	}
	db.observeCommit(start, len(live), broken)
	if broken != nil {
		// One line per failed commit; each caller gets the error too.
		db.logger.Error("commit failed, its updates are not saved", "updates", len(live), "err", broken)
		clear(w.clients)
		if err := w.exec("ROLLBACK"); err != nil && !noTransaction(err) {
			db.logger.Warn("rollback after failed batch", "err", err)
		}
		for _, j := range live {
			if j.err == nil {
				j.err = broken
			}
		}
	}
	answered = true
	for _, j := range live {
		close(j.done)
	}
	return rest
}

// noTransaction reports the error of a ROLLBACK after SQLite has already
// rolled the transaction back by itself, as it does on a full disk or an I/O
// error: nothing is left to undo, and nothing worth a log line.
func noTransaction(err error) bool {
	return strings.Contains(err.Error(), "no transaction is active")
}

// checkpoint copies the write-ahead log into the database file and empties
// it, right after a commit that forgot a client: secure_delete has overwritten
// their rows in the new pages, and this removes the old ones from the log.
// Readers in the middle of a transaction can hold it up for the busy timeout;
// forgetting is rare, and a checkpoint cut short is done by a later one.
func (db *DB) checkpoint() {
	db.w.forgot = false
	var busy, frames, done int
	err := db.w.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
	switch {
	case err != nil:
		db.logger.Warn("checkpoint after forget", "err", err)
	case busy != 0:
		db.logger.Warn("checkpoint after forget incomplete: readers were busy", "frames", frames, "copied", done)
	}
}

// restart rolls the transaction back and begins it again, running the jobs
// that had succeeded in it once more, each in a savepoint. It returns an error
// only when the whole transaction is lost.
func (db *DB) restart(done []*job) error {
	w := db.w
	clear(w.clients)
	w.queued, w.forgot = w.queued[:0], false
	if err := w.exec("ROLLBACK"); err != nil && !noTransaction(err) {
		return fmt.Errorf("rollback to run again: %w", err)
	}
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin again: %w", err)
	}
	for _, j := range done {
		if err := db.runJob(j); err != nil {
			return err
		}
	}
	return nil
}

// runJob runs one job inside its own savepoint, leaving its error in j.err. It
// returns an error only when the whole transaction is lost.
func (db *DB) runJob(j *job) error {
	w := db.w
	if err := w.exec("SAVEPOINT j"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if t := db.runFn(j); t != nil {
		for _, id := range t.touched {
			delete(w.clients, id)
		}
		// If SQLite rolled the whole transaction back by itself (I/O error, full
		// disk), the savepoint is gone and this fails: the batch is lost, for
		// the reason this job failed.
		if err := w.exec("ROLLBACK TO j"); err != nil {
			if !noTransaction(err) && !strings.Contains(err.Error(), "no such savepoint") {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
			return explain(j.err)
		}
	}
	if err := w.exec("RELEASE j"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// runFn runs the job's function in the open transaction, leaving its error in
// j.err. The outbox rows of a job that succeeded join the commit's; for one
// that failed, runFn returns its Tx, to undo what it touched.
func (db *DB) runFn(j *job) (failed *tx) {
	w := db.w
	t := &tx{ctx: context.Background(), w: w, now: db.now}
	if j.err = db.call(t, j.fn); j.err != nil {
		return t
	}
	if t.forgotten != nil {
		// Rows of earlier jobs in this commit that the forget deleted must
		// not be reported as queued either.
		w.queued = slices.DeleteFunc(w.queued, t.forgotten)
		w.forgot = true
	}
	w.queued = append(w.queued, t.queued...)
	return nil
}

// call runs fn with the job's Tx and turns a panic into an error.
func (db *DB) call(t *tx, fn func(*tx) error) (err error) {
	defer t.end()
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("update panicked", "stack", string(debug.Stack()))
			err = fmt.Errorf("update panicked: %v", r)
		}
	}()
	return fn(t)
}

// errTxDone reports a Tx used after its function returned.
// testHookUrgent runs when an urgent job is about to be handed to the writer;
// a test uses it to know the job waits.
var testHookUrgent = func() {}

var errTxDone = errors.New("transaction already finished")

// errAborted is returned to every update of a batch in which one update left
// the writer goroutine without returning (runtime.Goexit, as t.FailNow does),
// and to every update after it.
var errAborted = errors.New("update aborted: a function in its commit called runtime.Goexit")
