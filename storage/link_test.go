package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
)

func TestLinks(t *testing.T) {
	db, _ := openDB(t)
	update(t, db, func(tx flows.Tx) error {
		return tx.SaveClient(flows.Client{ID: "telegram:1", ChatID: "telegram:1", Consented: true, CreatedAt: t0, UpdatedAt: t0})
	})
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error {
			if err := tx.AddLinkCode("abc", "telegram:1", t0.Add(time.Minute)); err != nil {
				return err
			}
			id, err := tx.UseLinkCode("abc", t0)
			if err != nil || id != "telegram:1" {
				t.Fatalf("UseLinkCode = %q, %v", id, err)
			}
			if err := tx.AddAlias("discord:9", id, "discord:909"); err != nil {
				return err
			}
			got, err := tx.Alias("discord:9")
			if err != nil || got != "telegram:1" {
				t.Fatalf("Alias = %q, %v", got, err)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error {
			if _, err := tx.UseLinkCode("abc", t0); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("used code again: %v, want ErrNotFound", err)
			}
			if err := tx.AddLinkCode("old", "telegram:1", t0); err != nil {
				return err
			}
			if _, err := tx.UseLinkCode("old", t0); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("expired code: %v, want ErrNotFound", err)
			}
			if _, err := tx.Alias("discord:404"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("unknown alias: %v, want ErrNotFound", err)
			}
			return nil
		})
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error {
			if err := tx.AddAlias("discord:9", "telegram:1", "discord:909"); !errors.Is(err, flows.ErrDuplicate) {
				t.Errorf("second alias: %v, want ErrDuplicate", err)
			}
			return nil
		})
	})
	t.Run("ForgetRemovesAliases", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.Forget("telegram:1") })
		update(t, db, func(tx flows.Tx) error {
			if _, err := tx.Alias("discord:9"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("alias after Forget: %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}
