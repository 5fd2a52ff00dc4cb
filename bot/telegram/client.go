package telegram

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// newHTTPClient is the adapter's default client: bounded dialing and TLS, a pool
// large enough for the dispatcher's parallel sends, and no overall Timeout because
// every call gets a deadline of its own (long polls need a longer one).
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   64, // above the dispatcher's workers, so sends reuse connections
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

// contextClient is the SDK's HTTP client for one call: it attaches ctx and a
// deadline to the request, which the SDK cannot do, and removes the token from
// errors (the SDK puts it in the URL path, and net/http quotes the URL in errors).
type contextClient struct {
	ctx     context.Context
	client  *http.Client
	timeout time.Duration
	token   string
}

// Do sends req under the call's context. The deadline stays in force until the SDK
// closes the response body, so reading the body is covered too.
func (c *contextClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	resp, err := c.client.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, c.redact(err)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

func (c *contextClient) redact(err error) error {
	var uerr *url.Error
	if c.token == "" || !errors.As(err, &uerr) {
		return err
	}
	uerr.URL = bot.Redact(uerr.URL, c.token)
	return err
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
