package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	t.Run("Terminal", func(t *testing.T) {
		var term, out bytes.Buffer
		p := &Line{w: &term}
		p.Show("simulate: day %d of %d", 1, 14)
		p.Show("simulate: day %d of %d", 2, 14) // within a tenth of a second: skipped
		if got, want := term.String(), "\r\033[Ksimulate: day 1 of 14"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		above := p.Above(&out)
		above.Write([]byte("Mon 23 Nov 09:00  Ana  checkin\n"))
		if got := term.String(); !strings.HasSuffix(got, "14\r\033[K") {
			t.Errorf("the line is not cleared before output: %q", got)
		}
		p.last = time.Time{}
		p.Show("simulate: day %d of %d", 3, 14)
		p.Done()
		if got := term.String(); !strings.HasSuffix(got, "day 3 of 14\r\033[K") {
			t.Errorf("Done does not clear the line: %q", got)
		}
		if out.String() != "Mon 23 Nov 09:00  Ana  checkin\n" {
			t.Errorf("output: %q", out.String())
		}
	})
	t.Run("NotATerminal", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer null.Close()
		file, err := os.Create(filepath.Join(t.TempDir(), "log"))
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		for _, f := range []*os.File{w, null, file} {
			if On(f).Active() {
				t.Errorf("progress on %s, want none when not a terminal", f.Name())
			}
		}
		var buf bytes.Buffer
		if p := On(&buf); p.Active() || p.Above(&buf) != &buf {
			t.Error("progress on a buffer")
		}
	})
}

func TestWatch(t *testing.T) {
	var term bytes.Buffer
	p := &Line{w: &term}
	n := 0
	stop := p.Watch(time.Millisecond, func(p *Line) {
		n++
		p.last = time.Time{}
		p.Show("step %d", n)
	})
	time.Sleep(20 * time.Millisecond)
	stop()
	if !strings.Contains(term.String(), "step 1") || !strings.HasSuffix(term.String(), "\r\033[K") {
		t.Errorf("watched line: %q", term.String())
	}
	if stop := On(&bytes.Buffer{}).Watch(time.Millisecond, func(*Line) { t.Error("shown on a buffer") }); stop != nil {
		time.Sleep(5 * time.Millisecond)
		stop()
	}
}
