package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows how far long work has come (a backup, a simulation, a
// replay) on one line of the terminal that it rewrites. When stderr is not a
// terminal (piped, redirected, a service's log) it writes nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer // the terminal; nil when off
	shown bool      // a line is on screen
	last  time.Time
}

// newProgress shows progress on e.stderr when it is a terminal.
func newProgress(e env) *progress {
	if f, ok := e.stderr.(*os.File); ok && terminal(f) {
		return &progress{w: f}
	}
	return &progress{}
}

// terminal reports whether f is a terminal: a character device that is not
// /dev/null.
func terminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

// Show replaces the line with a new one, at most ten times a second.
func (p *progress) Show(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s", fmt.Sprintf(format, args...))
	p.shown = true
}

// Done clears the line.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progress) clearLocked() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
		p.last = time.Time{}
	}
}

// Above returns w such that what is written to it appears above the line
// (which is cleared first and drawn again with the next Show), for output that
// shares the terminal.
func (p *progress) Above(w io.Writer) io.Writer {
	if p.w == nil {
		return w
	}
	return aboveWriter{p: p, w: w}
}

type aboveWriter struct {
	p *progress
	w io.Writer
}

func (a aboveWriter) Write(b []byte) (int, error) {
	a.p.mu.Lock()
	defer a.p.mu.Unlock()
	a.p.clearLocked()
	return a.w.Write(b)
}

// copying shows how much of src has been copied to dst until stop is called:
// VACUUM INTO writes dst as it goes, and the copy is about as large as src.
func (p *progress) copying(what, src, dst string) (stop func()) {
	if p.w == nil {
		return func() {}
	}
	var total int64
	if st, err := os.Stat(src); err == nil {
		total = st.Size()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if st, err := os.Stat(dst); err == nil {
				p.Show("%s: %s of about %s", what, size(st.Size()), size(total))
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		p.Done()
	}
}
