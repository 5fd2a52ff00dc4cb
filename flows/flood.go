package flows

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Default flood limit: a person may send this many messages in this window;
// beyond it the bot asks once to slow down and handles nothing more until the
// pace drops. Nobody types this fast in a conversation; a stuck key or a
// script does.
const (
	DefaultFloodMessages = 20
	DefaultFloodWindow   = 10 * time.Second
)

// floodGate keeps one token bucket per person, in memory only: what it guards
// against is a burst, and a restart forgetting it costs nothing.
type floodGate struct {
	every time.Duration // one message's worth of refill
	burst int

	mu      sync.Mutex
	people  map[string]*floodState
	checked time.Time // when idle people were last let go
}

type floodState struct {
	limiter *rate.Limiter
	last    time.Time
	warned  bool // asked to slow down since the pace was last fine
}

func newFloodGate(messages int, window time.Duration) *floodGate {
	if messages <= 0 {
		return nil
	}
	return &floodGate{every: window / time.Duration(messages), burst: messages, people: make(map[string]*floodState)}
}

// verdicts of floodGate.admit.
const (
	floodOK   = iota // handle the message
	floodWarn        // over the limit: ask once to slow down
	floodDrop        // over the limit and already asked: drop it
)

// admit says what to do with a message from userID at now. A nil gate admits
// everything.
func (g *floodGate) admit(userID string, now time.Time) int {
	if g == nil {
		return floodOK
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.checked) > time.Minute {
		// People idle for a full window have a full bucket again: forget them.
		for id, p := range g.people {
			if now.Sub(p.last) > time.Duration(g.burst)*g.every {
				delete(g.people, id)
			}
		}
		g.checked = now
	}
	p := g.people[userID]
	if p == nil {
		p = &floodState{limiter: rate.NewLimiter(rate.Every(g.every), g.burst)}
		g.people[userID] = p
	}
	p.last = now
	if p.limiter.AllowN(now, 1) {
		p.warned = false
		return floodOK
	}
	if p.warned {
		return floodDrop
	}
	p.warned = true
	return floodWarn
}
