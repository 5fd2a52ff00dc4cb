// Package serve runs an http.Server on a listener in the background and stops
// it cleanly: the lifecycle the operator's endpoints and the coach's web view
// share.
package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Running is a server serving in the background.
type Running struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Start serves srv on ln until Close.
func Start(srv *http.Server, ln net.Listener) *Running {
	r := &Running{srv: srv, ln: ln, done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(ln) }()
	return r
}

// Addr is the address the server listens on; "" for a nil Running.
func (r *Running) Addr() string {
	if r == nil {
		return ""
	}
	return r.ln.Addr().String()
}

// Close stops taking requests, lets those in flight finish for up to grace,
// waits for the server to stop and returns the first error: from the
// shutdown, or from serving if it had failed. A nil Running closes at once.
func (r *Running) Close(grace time.Duration) error {
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if serr := <-r.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
