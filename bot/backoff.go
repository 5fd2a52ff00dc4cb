package bot

import (
	"math/rand/v2"
	"time"
)

// Backoff is how long to wait before the given attempt (1 for the first retry)
// after failures: first, doubled per attempt, capped at limit, and then drawn
// at random from its upper half, so retries of many chats or of many restarted
// bots do not arrive together. Every retry loop in the bot waits this way.
func Backoff(first, limit time.Duration, attempt int) time.Duration {
	if first <= 0 {
		return 0
	}
	d := first << min(max(attempt-1, 0), 16)
	if d <= 0 || d > limit {
		d = limit
	}
	return d/2 + rand.N(d/2+1)
}
