-- Forget deletes every outbox row of a chat, sent ones included (they hold the
-- client's words), so it needs to find them without a scan.
DROP INDEX outbox_pending_chat;
CREATE INDEX outbox_chat ON outbox (chat_id);
