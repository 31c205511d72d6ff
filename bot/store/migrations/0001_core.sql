-- Core tables. Only what is needed to talk to a person and to send them a reminder.
-- Never message text, names, phone numbers, social security numbers, codes or health data.
CREATE TABLE users (
    user_key   TEXT PRIMARY KEY,          -- "<backend>:<platform user id>"
    backend    TEXT NOT NULL,
    chat_id    TEXT,                       -- private chat / direct room used to send reminders
    locale     TEXT,                       -- "fr" | "en" | NULL (not chosen: follow the platform)
    tz         TEXT,                       -- IANA zone name, NULL = default
    active     INTEGER NOT NULL DEFAULT 1, -- 0 once the user blocked the bot
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE sessions (
    session_key TEXT PRIMARY KEY,          -- "<backend>:<chat>:<user>"
    user_key    TEXT NOT NULL,
    flow        TEXT NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}', -- JSON: choices and dates only, never message text
    updated_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_key);
CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT
);
