package storage

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

// BenchmarkUpdate measures what one inbound update costs: the client lookup
// every message starts with, dedup record, conversation state and one reply,
// committed durably, with many chats writing at once as they do in
// production. It reports updates per second, allocations per update and how
// many updates shared a commit on average.
func BenchmarkUpdate(b *testing.B) {
	{
		{
			db, _ := openDB(b)
			var seq, chats atomic.Int64
			answers := map[string]string{"action": "walk after lunch", "energy": "2"}
			const clients = 1024
			update(b, db, func(tx flows.Tx) error {
				for i := range clients {
					id := "telegram:" + strconv.Itoa(i)
					if err := tx.SaveClient(flows.Client{ID: id, ChatID: id, Name: "Ana", Consented: true,
						Zone: scheduler.MustZone("Europe/Zurich"), CheckIn: scheduler.Clock{Hour: 9}, Cadence: scheduler.Cadence{}}); err != nil {
						return err
					}
				}
				return nil
			})
			b.SetParallelism(64) // callers per CPU: updates of many chats wait on commits together
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				chat := "telegram:" + strconv.FormatInt(chats.Add(1)%clients, 10)
				for pb.Next() {
					id := "telegram:u" + strconv.FormatInt(seq.Add(1), 10)
					err := db.Update(b.Context(), func(tx flows.Tx) error {
						if _, err := tx.Client(chat); err != nil {
							return err
						}
						if _, err := tx.MarkSeen(id, t0); err != nil {
							return err
						}
						c := flows.Conversation{ChatID: chat, UserID: chat, Flow: "action", Step: "energy",
							Version: 1, Answers: answers, Token: "t1"}
						if err := tx.SaveConversation(c); err != nil {
							return err
						}
						return tx.Send(bot.Reply{ChatID: chat, Text: "How much energy will it take?",
							Buttons: []bot.Button{{Label: "1", Data: "t1:1"}, {Label: "2", Data: "t1:2"}}}, t0)
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
			if c := db.commits.Load(); c > 0 {
				b.ReportMetric(float64(db.jobsRun.Load())/float64(c), "updates/commit")
			}
		}
	}
}

// BenchmarkPending measures one dispatcher read of the outbox.
func BenchmarkPending(b *testing.B) {
	db, _ := openDB(b)
	update(b, db, func(tx flows.Tx) error {
		for i := range 1000 {
			if err := tx.Send(bot.Reply{ChatID: fmt.Sprint("telegram:", i%50), Text: "hello"}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Pending(b.Context(), bot.Telegram, 64); err != nil {
			b.Fatal(err)
		}
	}
}
