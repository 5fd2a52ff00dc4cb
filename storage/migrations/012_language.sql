-- Each client and coach is spoken to in their own language: the one their app
-- reported when they started, or the one they chose in /settings. '' means the
-- bot's default language (messages.language).
ALTER TABLE clients ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE coaches ADD COLUMN language TEXT NOT NULL DEFAULT '';
