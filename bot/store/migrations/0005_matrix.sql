-- Matrix backend: what it needs to resume safely. No message text, no names.
-- Rooms the bot knows to be direct chats (the invite said is_direct, or the bot opened it).
CREATE TABLE IF NOT EXISTS matrix_rooms (
    room_id    TEXT PRIMARY KEY,
    is_direct  INTEGER NOT NULL DEFAULT 0
);
-- Event ids already handled: a message is never answered twice (crash between
-- answering and saving the sync token, replayed sync batch).  Pruned after a few days.
CREATE TABLE IF NOT EXISTS matrix_handled (
    event_id   TEXT PRIMARY KEY,
    ts         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS matrix_handled_ts ON matrix_handled(ts);
-- Direct chats the bot opened for a person (Reply.private_start), waiting for them to join.
CREATE TABLE IF NOT EXISTS matrix_dm_pending (
    room_id    TEXT PRIMARY KEY,
    user_key   TEXT NOT NULL,
    payload    TEXT,
    created_at TEXT NOT NULL
);
