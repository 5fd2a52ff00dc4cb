package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/coachbot/coachbot/bot"
)

// discordHost is the host discordgo's endpoints point at.
const discordHost = "discord.com"

// transport sends discordgo's requests to the configured API server and turns
// every 429 into a rateLimited error before discordgo sees it: discordgo would
// otherwise sleep and retry, or mistake a non-JSON 429 body for a decoding error.
type transport struct {
	next   http.RoundTripper
	target *url.URL // nil: requests go to discord.com unchanged
}

// newHTTPClient copies the base client (or makes one) and wraps its transport.
func newHTTPClient(base *http.Client, apiURL string) (*http.Client, error) {
	target, err := url.Parse(strings.TrimRight(apiURL, "/"))
	if err != nil {
		return nil, err
	}
	if target.Scheme != "http" && target.Scheme != "https" || target.Host == "" {
		return nil, fmt.Errorf("%q: want an http or https URL", apiURL)
	}
	if target.Scheme == "https" && target.Host == discordHost && target.Path == "" {
		target = nil
	}
	client := &http.Client{}
	if base != nil {
		c := *base
		client = &c
	}
	if client.Timeout == 0 {
		client.Timeout = clientTimeout
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = &transport{next: next, target: target}
	return client, nil
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.target != nil && req.URL.Host == discordHost {
		r := req.Clone(req.Context())
		r.URL.Scheme = t.target.Scheme
		r.URL.Host = t.target.Host
		r.URL.Path = t.target.Path + req.URL.Path
		r.URL.RawPath = ""
		r.Host = t.target.Host
		req = r
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return nil, &rateLimited{after: retryAfter(resp.Header, body), global: resp.Header.Get("X-RateLimit-Global") != ""}
}

// rateLimited is a 429 from Discord.
type rateLimited struct {
	after  time.Duration
	global bool
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("rate limited (global %t): retry after %s", e.global, e.after)
}

// retryAfter reads how long to wait from a 429: the body's retry_after (seconds,
// fractional), else the X-RateLimit-Reset-After or Retry-After header, else 1s.
func retryAfter(h http.Header, body []byte) time.Duration {
	var rl struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &rl) == nil && rl.RetryAfter != nil && *rl.RetryAfter >= 0 {
		return seconds(*rl.RetryAfter)
	}
	for _, key := range []string{"X-RateLimit-Reset-After", "Retry-After"} {
		if v, err := strconv.ParseFloat(h.Get(key), 64); err == nil && v >= 0 {
			return seconds(v)
		}
	}
	return time.Second
}

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// apiError is a non-2xx answer from Discord, reduced to what decides the next step.
type apiError struct {
	status int
	code   int // Discord's JSON error code, 0 if none
	text   string
	err    error
}

func (e *apiError) Error() string {
	if e.code != 0 {
		return fmt.Sprintf("%d %s (code %d)", e.status, e.text, e.code)
	}
	return fmt.Sprintf("%d %s", e.status, e.text)
}

func (e *apiError) Unwrap() error { return e.err }

// codeCannotMessageUser is Discord's "Cannot send messages to this user": the
// user blocked the bot, left every shared server or closed their DMs.
const codeCannotMessageUser = 50007

// describe turns discordgo's errors into short ones: a REST error into an apiError
// with status, code and message instead of the whole response body, and the
// transport's 429 out of the *url.Error around it.
func describe(err error) error {
	var rl *rateLimited
	if errors.As(err, &rl) {
		return rl
	}
	var rerr *discordgo.RESTError
	if errors.As(err, &rerr) && rerr.Response != nil {
		e := &apiError{status: rerr.Response.StatusCode, text: http.StatusText(rerr.Response.StatusCode), err: err}
		if rerr.Message != nil {
			e.code = rerr.Message.Code
			if rerr.Message.Message != "" {
				e.text = rerr.Message.Message
			}
		}
		return e
	}
	return err
}

// classify maps an error of a send to what the dispatcher should do: wait
// (RetryAfterError), give up on the chat (ErrUnreachable), give up on the reply
// (PermanentError), or retry later (anything else).
func classify(err error) error {
	err = describe(err)
	var rl *rateLimited
	if errors.As(err, &rl) {
		return &bot.RetryAfterError{After: rl.after}
	}
	var sdkRL *discordgo.RateLimitError
	if errors.As(err, &sdkRL) && sdkRL.RateLimit != nil && sdkRL.TooManyRequests != nil {
		return &bot.RetryAfterError{After: sdkRL.RetryAfter}
	}
	var api *apiError
	if errors.As(err, &api) {
		switch {
		case api.code == codeCannotMessageUser:
			return fmt.Errorf("discord: %w: %w", bot.ErrUnreachable, api)
		case api.status >= 400 && api.status < 500:
			return &bot.PermanentError{Err: fmt.Errorf("discord: %w", api)}
		}
	}
	return fmt.Errorf("discord: %w", err)
}
