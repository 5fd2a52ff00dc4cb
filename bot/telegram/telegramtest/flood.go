package telegramtest

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// flood is Telegram's flood control as token buckets: one per chat and one for
// the whole bot. It runs on real time, since it limits real throughput.
type flood struct {
	perChat rate.Limit
	burst   int
	global  *rate.Limiter
	chats   map[int64]*rate.Limiter
}

// admit takes a token for one message to chat, or reports in whole seconds (as
// Telegram's retry_after does) how long to wait. A refused message takes nothing.
func (f *flood) admit(chat int64) (retryAfter int, ok bool) {
	now := time.Now()
	lim := f.chats[chat]
	if lim == nil {
		lim = rate.NewLimiter(f.perChat, f.burst)
		f.chats[chat] = lim
	}
	own := lim.ReserveN(now, 1)
	if d := delay(own, now); d > 0 {
		own.CancelAt(now)
		return seconds(d), false
	}
	all := f.global.ReserveN(now, 1)
	if d := delay(all, now); d > 0 {
		all.CancelAt(now)
		own.CancelAt(now)
		return seconds(d), false
	}
	return 0, true
}

func delay(r *rate.Reservation, now time.Time) time.Duration {
	if !r.OK() {
		return time.Hour
	}
	return r.DelayFrom(now)
}

func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }
