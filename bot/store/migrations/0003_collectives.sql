-- Collectives (issue 8): places (group, channel, room), their campaigns, followers,
-- broadcasts to followers and the delivery queue.  Counters only: never who answered what.
-- Admin-written campaign text is public announcement text (posted in the place), kept
-- only while the campaign or broadcast exists.
CREATE TABLE collectives (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,        -- random, used in deep links (f_<code>, a_<code>)
    backend    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,               -- the group / channel / room
    locale     TEXT NOT NULL DEFAULT 'fr',
    tz         TEXT NOT NULL DEFAULT 'Europe/Paris',
    created_at TEXT NOT NULL,
    UNIQUE (backend, chat_id)
);
CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,     -- deep link c_<code>: personal reminders in private
    collective_id INTEGER NOT NULL REFERENCES collectives(id) ON DELETE CASCADE,
    template      TEXT NOT NULL,            -- "basics" | "parents" | "adults18" | "close" | "custom"
    custom_text   TEXT,                     -- only for template "custom"
    kind          TEXT NOT NULL,            -- "once" | "weekly" | "countdown"
    at_date       TEXT,                     -- once: the day, countdown: the target day (local)
    weekday       INTEGER,                  -- weekly: 0 = Monday
    at_time       TEXT NOT NULL DEFAULT '10:00',  -- local time HH:MM
    offsets       TEXT,                     -- countdown: "7,1" (days before at_date)
    status        TEXT NOT NULL DEFAULT 'active',  -- active | paused | stopped | done
    next_at       TEXT,                     -- UTC ISO time of the next post
    posts         INTEGER NOT NULL DEFAULT 0,
    reminders_started INTEGER NOT NULL DEFAULT 0,
    done_count    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX campaigns_due ON campaigns(next_at) WHERE status = 'active';
CREATE INDEX campaigns_place ON campaigns(collective_id);
CREATE TABLE followers (
    collective_id INTEGER NOT NULL REFERENCES collectives(id) ON DELETE CASCADE,
    user_key      TEXT NOT NULL,
    backend       TEXT NOT NULL,
    chat_id       TEXT NOT NULL,            -- private chat used to send announcements
    locale        TEXT,
    active        INTEGER NOT NULL DEFAULT 1,  -- 0 once the person blocked the bot
    created_at    TEXT NOT NULL,
    PRIMARY KEY (collective_id, user_key)
);
CREATE INDEX followers_user ON followers(user_key);
CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    collective_id INTEGER NOT NULL REFERENCES collectives(id) ON DELETE CASCADE,
    template      TEXT NOT NULL,
    custom_text   TEXT,
    status        TEXT NOT NULL,            -- approval | queued | running | done | stopped | rejected
    approval_token TEXT UNIQUE,             -- deep link v_<token> for the second admin
    requested_by  TEXT NOT NULL,            -- keyed hash of the requesting admin (never the id)
    approved_by   TEXT,
    report_backend TEXT,                    -- where progress goes (requesting admin's chat),
    report_chat   TEXT,                     -- cleared when the broadcast ends
    report_locale TEXT,
    report_tz     TEXT,
    total         INTEGER NOT NULL DEFAULT 0,
    sent          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0,
    spread_minutes INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX broadcasts_active ON broadcasts(status) WHERE status IN ('queued', 'running');
-- The queue: one row per recipient while a broadcast runs; deleted when it ends.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    user_key     TEXT NOT NULL,
    backend      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    locale       TEXT,
    due_at       REAL NOT NULL,             -- unix time, spreads a wave over a window
    status       TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed | blocked
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_pending ON deliveries(broadcast_id, due_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_user ON deliveries(user_key);
