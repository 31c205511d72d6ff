-- Deadlines and the reminder queue (issue 5). The database is the queue.
-- Per deadline: a label chosen from buttons ("me", "child1"...), never a name; dates; the IANA
-- time zone; the schedule; an optional campaign code (no user info). Nothing else.
CREATE TABLE deadlines (
    id          INTEGER PRIMARY KEY,
    user_key    TEXT NOT NULL,               -- "<backend>:<platform user id>" (erased by /oubli)
    label       TEXT NOT NULL,               -- "me" | "child1" | "child2" | "child3" | "other"
    deadline    TEXT NOT NULL,               -- last day to object, YYYY-MM-DD
    recommended TEXT,                        -- advised day, YYYY-MM-DD
    tz          TEXT NOT NULL,               -- IANA zone name, e.g. "Europe/Paris"
    until_at    INTEGER NOT NULL,            -- end of the last day in tz, as UTC epoch seconds
    schedule    TEXT NOT NULL,               -- "14,7,3,1,0": days before the last day
    campaign    TEXT,                        -- campaign code that started it (collectives)
    status      TEXT NOT NULL DEFAULT 'active', -- active | done | cancelled | expired
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX deadlines_user ON deadlines(user_key);
CREATE INDEX deadlines_active_until ON deadlines(until_at) WHERE status = 'active';
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    deadline_id INTEGER NOT NULL REFERENCES deadlines(id) ON DELETE CASCADE,
    user_key    TEXT NOT NULL,
    due_at      INTEGER NOT NULL,            -- next time to try, UTC epoch seconds
    offset_days INTEGER NOT NULL,            -- days before the last day (for a snooze: days left then)
    kind        TEXT NOT NULL DEFAULT 'plan',-- plan | act_now (moved to a working day) | snooze
    state       TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | skipped | expired | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    attempt_at  INTEGER,                     -- when the last attempt started
    sent_at     INTEGER                      -- NULL while still to do, set once finished (any end state)
);
-- Partial index: only rows still to do. Finished rows accumulate; a plain index on due_at would
-- slow down as they do (see design.md), this one stays the size of the live queue.
CREATE INDEX reminders_due ON reminders(due_at) WHERE sent_at IS NULL;
CREATE INDEX reminders_deadline ON reminders(deadline_id);
