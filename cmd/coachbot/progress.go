package main

import (
	"os"
	"time"

	"github.com/coachbot/coachbot/internal/progress"
)

// newProgress shows progress on e.stderr when it is a terminal.
func newProgress(e env) *progress.Line { return progress.On(e.stderr) }

// copying shows how much of src has been copied to dst until stop is called:
// VACUUM INTO writes dst as it goes, and the copy is about as large as src.
func copying(p *progress.Line, what, src, dst string) (stop func()) {
	if !p.Active() {
		return func() {}
	}
	var total int64
	if st, err := os.Stat(src); err == nil {
		total = st.Size()
	}
	return p.Watch(100*time.Millisecond, func(p *progress.Line) {
		if st, err := os.Stat(dst); err == nil {
			p.Show("%s: %s of about %s", what, size(st.Size()), size(total))
		}
	})
}
