-- Collectives (issue 19): the organiser's formatting kept, the place named, admins found again.
-- custom_html: the same public text as custom_text, with its formatting (safe HTML subset).
ALTER TABLE campaigns ADD COLUMN custom_html TEXT;
ALTER TABLE broadcasts ADD COLUMN custom_html TEXT;
-- name: the collective's display name (set by an admin; defaults to the group or room title).
ALTER TABLE collectives ADD COLUMN name TEXT;
-- counts per campaign: people who opened its link, followers gained through it (never who).
ALTER TABLE campaigns ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN followers_gained INTEGER NOT NULL DEFAULT 0;
-- the progress message of a wave, edited in place where the platform allows.
ALTER TABLE broadcasts ADD COLUMN report_message TEXT;
-- who asked (platform user key), while the wave runs: on text-only transports her typed "1"
-- answers the progress message's "stop" choice.  Cleared when the wave ends, like report_chat.
ALTER TABLE broadcasts ADD COLUMN report_user TEXT;
-- places an admin opened: keyed hash of the admin (never the id), so that /campagne in private
-- lists them, old buttons keep working after the session expired (admin status re-checked), and
-- admins are told what happened (a post that failed, the bot removed). /oubli deletes her rows.
CREATE TABLE collective_admins (
    admin_hash    TEXT NOT NULL,
    collective_id INTEGER NOT NULL REFERENCES collectives(id) ON DELETE CASCADE,
    seen_at       TEXT NOT NULL,
    chat_id       TEXT,                     -- her private chat with the bot: where notices go
    locale        TEXT,
    PRIMARY KEY (admin_hash, collective_id)
);
