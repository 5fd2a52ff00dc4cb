// Package progress shows how far long work has come (a backup, a simulation,
// a replay, a load run) on one line of the terminal that it rewrites. When
// the output is not a terminal (piped, redirected, a service's log) it writes
// nothing, so logs and pipes see only the work's own output.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Line is the one line of progress. The zero Line, and a Line on something
// that is not a terminal, shows nothing.
type Line struct {
	mu    sync.Mutex
	w     io.Writer // the terminal; nil when off
	shown bool      // a line is on screen
	last  time.Time
}

// On returns a Line on w when w is a terminal, and one that shows nothing
// otherwise.
func On(w io.Writer) *Line {
	if f, ok := w.(*os.File); ok && terminal(f) {
		return &Line{w: f}
	}
	return &Line{}
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

// Active reports whether the line is shown at all.
func (p *Line) Active() bool { return p.w != nil }

// Show replaces the line with a new one, at most ten times a second.
func (p *Line) Show(format string, args ...any) {
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
func (p *Line) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *Line) clearLocked() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
		p.last = time.Time{}
	}
}

// Above returns w such that what is written to it appears above the line
// (which is cleared first and drawn again with the next Show), for output that
// shares the terminal.
func (p *Line) Above(w io.Writer) io.Writer {
	if p.w == nil {
		return w
	}
	return aboveWriter{p: p, w: w}
}

type aboveWriter struct {
	p *Line
	w io.Writer
}

func (a aboveWriter) Write(b []byte) (int, error) {
	a.p.mu.Lock()
	defer a.p.mu.Unlock()
	a.p.clearLocked()
	return a.w.Write(b)
}

// Watch shows what show says every tick until stop is called, then clears
// the line: for work whose progress is read from outside it (a file's size,
// the time taken). On something that is not a terminal it does nothing.
func (p *Line) Watch(every time.Duration, show func(p *Line)) (stop func()) {
	if !p.Active() {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				show(p)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		p.Done()
	}
}
