package storage

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// InUseError says another process owns the database: it holds the lock file
// next to it (see WithOwnerLock).
type InUseError struct {
	Path string // the database, as it was given to Open
	PID  int    // the owner's process ID; 0 when it could not be read
}

func (e *InUseError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("database %s is in use by another process", e.Path)
	}
	return fmt.Sprintf("database %s is in use by process %d", e.Path, e.PID)
}

// WithOwnerLock makes Open claim the database for this process alone: it takes
// an exclusive lock on PATH.lock, writes its process ID into it and holds it
// until Close. A second process asking for the lock fails at once with an
// *InUseError naming the owner. The kernel releases the lock when the owner
// ends, however it ends, so a crash leaves nothing to clean up. Processes that
// deliver replies take it, so no reply is ever sent by two processes; readers
// such as an export or a backup do not need it.
func WithOwnerLock() Option {
	return func(db *DB) { db.ownerLock = true }
}

// lockPath is the lock file of the database at path.
func lockPath(path string) string { return path + ".lock" }

// ownerLock is the held lock file.
type ownerLock struct{ f *os.File }

// claim takes the lock of the database at path, or says who holds it.
func claim(path string) (*ownerLock, error) {
	f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", lockPath(path), err)
	}
	if !held {
		f.Close()
		return nil, &InUseError{Path: path, PID: ownerPID(lockPath(path))}
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(pid, 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: write pid: %w", lockPath(path), err)
	}
	return &ownerLock{f: f}, nil
}

// ownerPID reads the owner's process ID from the lock file. An owner that has
// just taken the lock may not have written it yet, so an empty file is read
// again for a moment.
func ownerPID(path string) int {
	for range 20 {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0
}

// release gives the lock up. The file stays: removing it could let two
// processes lock two different files of the same name.
func (l *ownerLock) release() error {
	if l == nil {
		return nil
	}
	return errors.Join(unlock(l.f), l.f.Close())
}
