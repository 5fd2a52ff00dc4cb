package flows_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/coachbot/coachbot/bot"
)

// BenchmarkEngine measures messages through the engine with real SQLite, each
// committed with its replies before Handle returns. Parallel chats let the
// storage layer group commits, as it does under real load.
func BenchmarkEngine(b *testing.B) {
	w := newWorld(b)
	var next atomic.Int64
	ctx := context.Background()
	// Each chat is set up once, then loops through /rest: three messages, three
	// commits, replies queued in the outbox.
	b.ReportAllocs()
	b.SetParallelism(16) // 16 chats per core: enough for commits to group
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := w.chat(fmt.Sprintf("bench%d", next.Add(1)))
		msgs := []bot.Message{{Text: "/rest"}, {Text: "1"}, {Text: "Skip"}}
		for _, m := range []string{"/start", "1", "UTC", "09:00", "none"} {
			handle(b, w, c, ctx, bot.Message{Text: m})
		}
		i := 0
		for pb.Next() {
			handle(b, w, c, ctx, msgs[i%len(msgs)])
			i++
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func handle(b *testing.B, w *world, c *chat, ctx context.Context, m bot.Message) {
	m.ChatID, m.UserID = c.id, c.id
	if err := w.e.Handle(ctx, m); err != nil {
		b.Fatal(err)
	}
}
