-- The chat a linked account writes from, so /forget reaches every message
-- the bot sent there, even after that account's conversation has ended
-- (a Discord DM channel's ID is not its user's).
ALTER TABLE aliases ADD COLUMN chat_id TEXT NOT NULL DEFAULT '';
