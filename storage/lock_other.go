//go:build !unix

package storage

import (
	"errors"
	"os"
)

// tryLock fails where there is no flock: coachbot claims its database only on
// Unix systems.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("owner lock not supported on this system")
}

func unlock(*os.File) error { return nil }
