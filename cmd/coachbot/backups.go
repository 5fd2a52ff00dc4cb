package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// backupClock is the time the backup schedule runs on: the real one, or a
// test clock that moves when told.
type backupClock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// backupSource writes a consistent copy of the live database to a new file.
type backupSource interface {
	Backup(ctx context.Context, path string) error
}

// backupSchedule writes a copy of the database into dir every so often and
// deletes all but the newest keep. A failed backup is logged and counted and
// tried again later; it never stops the bot. The schedule survives restarts:
// the next backup is due every after the newest one in dir.
type backupSchedule struct {
	db     backupSource
	dir    string
	prefix string // file names are PREFIX-YYYYMMDDTHHMMSSZ.db
	every  time.Duration
	keep   int
	clock  backupClock
	logger *slog.Logger
	// done, when set, is told of every backup attempt (the metrics).
	done func(at time.Time, err error)
}

// newBackupSchedule returns the schedule the configuration asks for, or nil
// when backup.every is 0.
func newBackupSchedule(cfg Config, db backupSource, logger *slog.Logger, done func(time.Time, error)) *backupSchedule {
	if cfg.Backup.Every == 0 {
		return nil
	}
	dir := cfg.Backup.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(cfg.DB), dir)
	}
	prefix := strings.TrimSuffix(filepath.Base(cfg.DB), filepath.Ext(cfg.DB))
	return &backupSchedule{
		db: db, dir: dir, prefix: prefix, every: time.Duration(cfg.Backup.Every), keep: cfg.Backup.Keep,
		clock: realClock{}, logger: logger, done: done,
	}
}

// backupStamp is the time in a backup's file name, UTC, sortable as text.
const backupStamp = "20060102T150405Z"

// retryFailedBackup is how soon a failed backup is tried again, at most.
const retryFailedBackup = time.Hour

// run makes backups until ctx ends.
func (b *backupSchedule) run(ctx context.Context) {
	b.removeUnfinished()
	next := b.clock.Now()
	if newest, ok := b.newest(); ok {
		next = newest.Add(b.every)
	}
	b.logger.Info("scheduled backups", "dir", b.dir, "every", b.every, "keep", b.keep, "next", next.Format(time.RFC3339))
	for {
		if wait := next.Sub(b.clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-b.clock.After(wait):
			}
		}
		if ctx.Err() != nil {
			return
		}
		at := b.clock.Now()
		path, err := b.backup(ctx, at)
		if b.done != nil {
			b.done(at, err)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			retry := min(b.every, retryFailedBackup)
			b.logger.Error("scheduled backup failed; the bot goes on", "dir", b.dir, "retry_in", retry, "err", err)
			next = at.Add(retry)
			continue
		}
		b.logger.Info("backup written", "path", path)
		b.prune()
		next = at.Add(b.every)
	}
}

// backup writes one copy. It goes to a temporary name first, so a copy cut
// short is never taken for a backup.
func (b *backupSchedule) backup(ctx context.Context, at time.Time) (string, error) {
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		return "", fmt.Errorf("backup dir: %w", err)
	}
	path := filepath.Join(b.dir, b.prefix+"-"+at.UTC().Format(backupStamp)+".db")
	tmp := path + ".partial"
	_ = os.Remove(tmp)
	if err := b.db.Backup(ctx, tmp); err != nil {
		_ = os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("backup: %w", err)
	}
	return path, nil
}

// backups lists the finished backups in dir, oldest first, with their times.
func (b *backupSchedule) backups() ([]string, []time.Time) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			b.logger.Warn("list backups", "dir", b.dir, "err", err)
		}
		return nil, nil
	}
	var names []string
	for _, e := range entries {
		if _, ok := b.stamp(e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // the stamp sorts as text
	times := make([]time.Time, len(names))
	for i, n := range names {
		times[i], _ = b.stamp(n)
	}
	return names, times
}

// stamp reads the time out of a backup's file name.
func (b *backupSchedule) stamp(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, b.prefix+"-")
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, ".db")
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(backupStamp, s)
	return t, err == nil
}

// newest is the time of the newest backup in dir.
func (b *backupSchedule) newest() (time.Time, bool) {
	_, times := b.backups()
	if len(times) == 0 {
		return time.Time{}, false
	}
	return times[len(times)-1], true
}

// prune deletes all but the newest keep backups. Nothing else in dir is
// touched.
func (b *backupSchedule) prune() {
	names, _ := b.backups()
	for len(names) > b.keep {
		if err := os.Remove(filepath.Join(b.dir, names[0])); err != nil {
			b.logger.Warn("remove old backup", "path", filepath.Join(b.dir, names[0]), "err", err)
		}
		names = names[1:]
	}
}

// removeUnfinished deletes copies a crash cut short.
func (b *backupSchedule) removeUnfinished() {
	matches, _ := filepath.Glob(filepath.Join(b.dir, b.prefix+"-*.db.partial"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}
