package discord

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// health is what the adapter knows of its gateway connection: ready once
// Discord sent READY or RESUMED, and no longer once the connection dropped or
// an open failed, until the next READY or RESUMED.
type health struct {
	mu        sync.Mutex
	running   bool
	connected bool
	problem   string
}

func (h *health) set(connected bool, problem string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.connected, h.problem = connected, strings.Join(strings.Fields(problem), " ")
}

// run records that Run started (true) or returned (false).
func (h *health) run(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running, h.connected, h.problem = on, false, ""
}

// Ready reports whether the gateway session is up, so direct messages and
// slash commands arrive; the error says why not.
func (a *Adapter) Ready(context.Context) error {
	h := &a.health
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.running:
		return errors.New("not receiving")
	case h.connected:
		return nil
	case h.problem != "":
		return errors.New(h.problem)
	}
	return errors.New("gateway connecting")
}
