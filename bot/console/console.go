// Package console is the terminal adapter: one person chats with the bot on
// standard input and output. It is how a newcomer tries coachbot with nothing
// configured, and how end-to-end transcripts drive the whole program in tests.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
)

// Console reads one line at a time from In and writes the bot's messages to Out.
// Buttons are shown as numbered options; typing the number or the label presses
// the button.
type Console struct {
	in     io.Reader
	out    io.Writer
	user   string // qualified ID, "console:NAME"
	name   string
	prompt bool

	mu      sync.Mutex
	buttons []bot.Button // the buttons of the latest message
}

// New returns a console chat for the person called name. With prompt set it
// shows "> " before each input line, for interactive use.
func New(in io.Reader, out io.Writer, name string, prompt bool) *Console {
	return &Console{in: in, out: out, user: bot.ID(bot.Console, name), name: name, prompt: prompt}
}

// ChatID is the chat this console speaks in.
func (c *Console) ChatID() string { return c.user }

// Send prints one reply. It implements bot.Sender for the console platform.
// Nothing it prints carries a control character or an escape sequence (see
// bot.CleanText), whoever wrote the text: the terminal shows text, and is
// never told to do anything.
func (c *Console) Send(_ context.Context, r bot.Reply) error {
	var b strings.Builder
	for _, line := range strings.Split(bot.CleanText(r.Text), "\n") {
		b.WriteString("bot: " + line + "\n")
	}
	writeButtons(&b, r.Buttons)
	if d := r.Document; d != nil {
		fmt.Fprintf(&b, "bot: (file %s, %d bytes)\n%s\n", bot.CleanText(d.Name), len(d.Content), bot.CleanText(string(d.Content)))
	}
	c.mu.Lock()
	c.buttons = r.Buttons
	c.mu.Unlock()
	_, err := io.WriteString(c.out, b.String())
	return err
}

// Run reads lines until the input ends or ctx is cancelled, hands each to h, and
// calls flush after each so the replies appear before the next line is read.
// Between lines it flushes every second, so proactive messages appear too. At the
// end of input it returns nil once every reply is written.
func (c *Console) Run(ctx context.Context, h bot.Handler, flush func(context.Context) error) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		// The reader goroutine ends at end of input; stdin cannot be interrupted,
		// so on cancellation it is left blocked until the process exits.
		r := bufio.NewReader(c.in)
		for {
			line, err := readLine(r)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := flush(ctx); err != nil {
		return err
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	ask := c.prompt
	for {
		if ask {
			io.WriteString(c.out, "> ")
			ask = false
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if ferr := flush(context.WithoutCancel(ctx)); ferr != nil {
				return ferr
			}
			return err
		case <-tick.C:
			if err := flush(ctx); err != nil {
				return err
			}
			continue
		case line := <-lines:
			// A failed message has been logged and apologised for by the
			// engine; the chat goes on.
			_ = h.Handle(ctx, c.message(line))
			if err := flush(ctx); err != nil {
				return err
			}
			ask = c.prompt
		}
	}
}

// maxLine is how much of one input line is kept. The engine answers anything
// over its own limit (a few thousand characters) as too long, so a longer line
// is cut here, still far over that limit, and the rest of it is read and
// dropped: a pasted megabyte gets the usual answer instead of ending the chat.
const maxLine = 64 << 10

// readLine reads one line without its line ending, keeping at most maxLine
// bytes of it, cut at a character boundary. The last line counts even without
// a newline; io.EOF comes after it.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	read := false
	for {
		chunk, err := r.ReadSlice('\n')
		read = read || len(chunk) > 0
		if room := maxLine - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (!errors.Is(err, io.EOF) || !read) {
			return "", err
		}
		break
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if len(line) >= maxLine {
		// Drop a character cut in half.
		for n := 0; n < utf8.UTFMax-1 && len(s) > 0; n++ {
			if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
				break
			}
			s = s[:len(s)-1]
		}
	}
	return s, nil
}

// message turns a typed line into a Message: a button press when it names one of
// the latest buttons by number or label, typed text otherwise.
func (c *Console) message(line string) bot.Message {
	m := bot.Message{ChatID: c.user, UserID: c.user, Name: c.name, At: time.Now()}
	text := strings.TrimSpace(line)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, err := strconv.Atoi(text); err == nil && n >= 1 && n <= len(c.buttons) {
		m.Press = c.buttons[n-1].Data
		return m
	}
	for _, b := range c.buttons {
		if strings.EqualFold(b.Label, text) {
			m.Press = b.Data
			return m
		}
	}
	m.Text = line
	return m
}

// writeButtons shows buttons as numbered options: on one line when they are
// short (a scale, low/medium/high), one per line otherwise.
func writeButtons(b *strings.Builder, buttons []bot.Button) {
	width := 0
	for _, btn := range buttons {
		width += len(btn.Label) + 6
	}
	if width <= 60 {
		if len(buttons) > 0 {
			b.WriteString(" ")
			for i, btn := range buttons {
				if btn.Label == strconv.Itoa(i+1) {
					fmt.Fprintf(b, " [%d]", i+1)
				} else {
					fmt.Fprintf(b, " [%d] %s", i+1, oneLineLabel(btn.Label))
				}
			}
			b.WriteString("\n")
		}
		return
	}
	for i, btn := range buttons {
		fmt.Fprintf(b, "  [%d] %s\n", i+1, oneLineLabel(btn.Label))
	}
}

// oneLineLabel is a button label as shown: clean, on one line.
func oneLineLabel(label string) string {
	return strings.Join(strings.Fields(bot.CleanText(label)), " ")
}
