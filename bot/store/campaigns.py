"""Collectives: places, campaigns, followers, broadcasts and the delivery queue (issue 8).

Counters only: the store can say how many people follow a collective or started
reminders from a campaign, never who.  The ``deliveries`` queue holds one row per
recipient while a broadcast runs and is emptied when it ends (the broadcast row keeps
the counts).  A delivery goes ``pending -> sending -> sent``: after a crash the rows
left in ``sending`` are sent again, so at most the in-flight messages are duplicated
and none is lost.
"""

from __future__ import annotations

import hashlib
import secrets
import string

from .base import utcnow_iso
from .core import CoreStore


def admin_hash(salt: str, value: str) -> str:
    """Keyed hash of an admin id (tells two admins apart; the salt never leaves the database)."""
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:16]


_ALPHABET = string.ascii_letters + string.digits
TEMPLATES = ("basics", "parents", "adults18", "close", "custom")
KINDS = ("once", "weekly", "countdown")


def new_code(n: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def new_token() -> str:
    """Approval token: letters only, so the privacy screen never takes it for a code provisoire."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))


class CampaignStore(CoreStore):
    """Places, campaigns, followers and broadcasts (uses the key/value table for its salt)."""

    # -- places ------------------------------------------------------------------------
    def ensure_collective(
        self, backend: str, chat_id: str, locale: str = "fr", tz: str = "Europe/Paris", now=None
    ) -> dict:
        with self.lock:
            row = self.collective_by_chat(backend, chat_id)
            if row:
                return row
            self.table("collectives").insert(
                {
                    "code": new_code(),
                    "backend": backend,
                    "chat_id": str(chat_id),
                    "locale": locale,
                    "tz": tz,
                    "created_at": utcnow_iso(now),
                }
            )
            row = self.collective_by_chat(backend, chat_id)
        assert row is not None  # written just above, under the lock
        return row

    def collective_by_chat(self, backend: str, chat_id: str) -> dict | None:
        return self._one("SELECT * FROM collectives WHERE backend = ? AND chat_id = ?", [backend, str(chat_id)])

    def collective_by_code(self, code: str) -> dict | None:
        return self._one("SELECT * FROM collectives WHERE code = ?", [code])

    def get_collective(self, cid: int) -> dict | None:
        return self._one("SELECT * FROM collectives WHERE id = ?", [cid])

    def set_collective_name(self, cid: int, name: str | None) -> None:
        with self.lock:
            self.db.execute("UPDATE collectives SET name = ? WHERE id = ?", [name, cid])

    def remember_admin(
        self, admin_hash: str, cid: int, now=None, chat_id: str | None = None, locale: str | None = None
    ) -> None:
        """An admin opened this place (keyed hash, never the id): found again after a session ends;
        ``chat_id`` is her private chat with the bot, where notices about the place go."""
        with self.lock:
            self.db.execute(
                "INSERT INTO collective_admins (admin_hash, collective_id, seen_at, chat_id, locale) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (admin_hash, collective_id) DO UPDATE SET "
                "seen_at = excluded.seen_at, chat_id = excluded.chat_id, locale = excluded.locale",
                [admin_hash, cid, utcnow_iso(now), chat_id, locale],
            )

    def forget_admin_chat(self, cid: int, chat_id: str) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE collective_admins SET chat_id = NULL WHERE collective_id = ? AND chat_id = ?",
                [cid, str(chat_id)],
            )

    def admin_chats(self, cid: int) -> list[dict]:
        """Where to tell this place's admins something: [{chat_id, locale}] (most recent first)."""
        return list(
            self.db.query(
                "SELECT chat_id, locale FROM collective_admins WHERE collective_id = ? "
                "AND chat_id IS NOT NULL ORDER BY seen_at DESC LIMIT 10",
                [cid],
            )
        )

    def hold_campaigns(self, cid: int) -> int:
        """The bot was removed from the place: its active campaigns wait ("held") for its return."""
        with self.lock:
            return self.db.execute(
                "UPDATE campaigns SET status = 'held' WHERE collective_id = ? AND status = 'active'", [cid]
            ).rowcount

    def held_campaigns(self, cid: int) -> list[dict]:
        return list(
            self.db.query("SELECT * FROM campaigns WHERE collective_id = ? AND status = 'held' ORDER BY id", [cid])
        )

    def forget_admin(self, admin_hash: str, cid: int | None = None) -> None:
        with self.lock:
            if cid is None:
                self.db.execute("DELETE FROM collective_admins WHERE admin_hash = ?", [admin_hash])
            else:
                self.db.execute(
                    "DELETE FROM collective_admins WHERE admin_hash = ? AND collective_id = ?", [admin_hash, cid]
                )

    def admin_places(self, admin_hash: str, backend: str) -> list[dict]:
        """Places this admin opened on this backend, most recent first (admin status not checked)."""
        return list(
            self.db.query(
                "SELECT p.* FROM collective_admins a JOIN collectives p ON p.id = a.collective_id "
                "WHERE a.admin_hash = ? AND p.backend = ? ORDER BY a.seen_at DESC, p.id DESC LIMIT 20",
                [admin_hash, backend],
            )
        )

    def move_collective(self, backend: str, old_chat: str, new_chat: str) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE collectives SET chat_id = ? WHERE backend = ? AND chat_id = ?",
                [str(new_chat), backend, str(old_chat)],
            )

    def move_chat(self, backend: str, old_chat: str, new_chat: str) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its people, its collective
        and the followers who get announcements there follow."""
        self.move_chat_users(backend, str(old_chat), str(new_chat))
        self.move_collective(backend, old_chat, new_chat)
        with self.lock:
            self.db.execute(
                "UPDATE followers SET chat_id = ? WHERE backend = ? AND chat_id = ?",
                [str(new_chat), backend, str(old_chat)],
            )

    def _one(self, sql: str, params) -> dict | None:
        rows = list(self.db.query(sql, params))
        return rows[0] if rows else None

    # -- campaigns ----------------------------------------------------------------------
    def create_campaign(
        self,
        collective_id: int,
        template: str,
        kind: str,
        next_at: str | None,
        *,
        custom_text: str | None = None,
        at_date: str | None = None,
        weekday: int | None = None,
        at_time: str = "10:00",
        offsets: str | None = None,
        now=None,
        code: str | None = None,
    ) -> dict:
        if template not in TEMPLATES or kind not in KINDS:
            raise ValueError("bad campaign template or kind")
        code = code or new_code()
        with self.lock:
            self.table("campaigns").insert(
                {
                    "code": code,
                    "collective_id": collective_id,
                    "template": template,
                    "custom_text": custom_text if template == "custom" else None,
                    "kind": kind,
                    "at_date": at_date,
                    "weekday": weekday,
                    "at_time": at_time,
                    "offsets": offsets,
                    "status": "active" if next_at else "done",
                    "next_at": next_at,
                    "created_at": utcnow_iso(now),
                }
            )
            row = self.campaign_by_code(code)
        assert row is not None  # written just above, under the lock
        return row

    def get_campaign(self, cid: int) -> dict | None:
        return self._one("SELECT * FROM campaigns WHERE id = ?", [cid])

    def campaign_by_code(self, code: str) -> dict | None:
        return self._one("SELECT * FROM campaigns WHERE code = ?", [code])

    def list_campaigns(self, collective_id: int, include_ended: bool = False) -> list[dict]:
        sql = "SELECT * FROM campaigns WHERE collective_id = ?"
        if not include_ended:
            sql += " AND status IN ('active', 'paused', 'held')"
        return list(self.db.query(sql + " ORDER BY id", [collective_id]))

    def set_campaign_status(self, cid: int, status: str, next_at: str | None = None) -> None:
        with self.lock:
            if next_at is not None:
                self.db.execute("UPDATE campaigns SET status = ?, next_at = ? WHERE id = ?", [status, next_at, cid])
            else:
                self.db.execute("UPDATE campaigns SET status = ? WHERE id = ?", [status, cid])

    def due_campaigns(self, now_iso: str, limit: int = 100) -> list[dict]:
        return list(
            self.db.query(
                "SELECT c.*, p.backend AS backend, p.chat_id AS chat_id, p.locale AS locale, p.tz AS tz, "
                "p.name AS name FROM campaigns c JOIN collectives p ON p.id = c.collective_id "
                "WHERE c.status = 'active' AND c.next_at IS NOT NULL AND c.next_at <= ? ORDER BY c.next_at LIMIT ?",
                [now_iso, limit],
            )
        )

    def campaign_advance(self, cid: int, next_at: str | None, posted: bool = True) -> None:
        """After a post (or a skipped stale one): move to the next time, or end the campaign."""
        with self.lock:
            self.db.execute(
                "UPDATE campaigns SET next_at = ?, posts = posts + ?, "
                "status = CASE WHEN ? IS NULL THEN 'done' ELSE status END WHERE id = ?",
                [next_at, 1 if posted else 0, next_at, cid],
            )

    def campaign_visit(self, code: str) -> None:
        """Someone opened the campaign's link (a count, never who)."""
        with self.lock:
            self.db.execute("UPDATE campaigns SET visits = visits + 1 WHERE code = ?", [code])

    def campaign_followed(self, cid: int) -> None:
        with self.lock:
            self.db.execute("UPDATE campaigns SET followers_gained = followers_gained + 1 WHERE id = ?", [cid])

    def campaign_count(self, code: str, kind: str) -> bool:
        """Count one event for a campaign: "reminder_started" or "done".  No one is named."""
        column = {"reminder_started": "reminders_started", "done": "done_count"}.get(kind)
        if column is None:
            raise ValueError(f"unknown campaign event {kind!r}")
        with self.lock:
            cur = self.db.execute(f"UPDATE campaigns SET {column} = {column} + 1 WHERE code = ?", [code])
        return cur.rowcount > 0

    def collective_stats(self, collective_id: int) -> dict:
        followers = self.db.execute(
            "SELECT COUNT(*) FROM followers WHERE collective_id = ? AND active = 1", [collective_id]
        ).fetchone()[0]
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(posts), 0), COALESCE(SUM(reminders_started), 0), "
            "COALESCE(SUM(done_count), 0) FROM campaigns WHERE collective_id = ?",
            [collective_id],
        ).fetchone()
        return {
            "followers": followers,
            "campaigns": row[0],
            "posts": row[1],
            "reminders_started": row[2],
            "done": row[3],
        }

    # -- followers ------------------------------------------------------------------------
    def follow(
        self, collective_id: int, user_key: str, backend: str, chat_id: str, locale: str | None, now=None
    ) -> bool:
        """Opt in; True when this is new (or re-activated)."""
        with self.lock:
            old = self._one(
                "SELECT active FROM followers WHERE collective_id = ? AND user_key = ?", [collective_id, user_key]
            )
            self.table("followers").upsert(
                {
                    "collective_id": collective_id,
                    "user_key": user_key,
                    "backend": backend,
                    "chat_id": str(chat_id),
                    "locale": locale,
                    "active": 1,
                    "created_at": utcnow_iso(now),
                },
                pk=("collective_id", "user_key"),
            )
            return old is None or not old["active"]

    def unfollow(self, collective_id: int, user_key: str) -> bool:
        with self.lock:
            cur = self.db.execute(
                "DELETE FROM followers WHERE collective_id = ? AND user_key = ?", [collective_id, user_key]
            )
            self.db.execute(
                "DELETE FROM deliveries WHERE user_key = ? AND status = 'pending' AND broadcast_id IN "
                "(SELECT id FROM broadcasts WHERE collective_id = ?)",
                [user_key, collective_id],
            )
        return cur.rowcount > 0

    def follows_of(self, user_key: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT p.* FROM followers f JOIN collectives p ON p.id = f.collective_id "
                "WHERE f.user_key = ? AND f.active = 1 ORDER BY p.id",
                [user_key],
            )
        )

    def is_following(self, collective_id: int, user_key: str) -> bool:
        return (
            self._one(
                "SELECT 1 AS x FROM followers WHERE collective_id = ? AND user_key = ? AND active = 1",
                [collective_id, user_key],
            )
            is not None
        )

    def follower_count(self, collective_id: int) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM followers WHERE collective_id = ? AND active = 1", [collective_id]
        ).fetchone()[0]

    def deactivate_follower(self, user_key: str) -> None:
        """The person blocked the bot: stop sending them announcements (every collective)."""
        with self.lock:
            self.db.execute("UPDATE followers SET active = 0 WHERE user_key = ?", [user_key])

    def add_followers_bulk(self, collective_id: int, rows, now=None) -> int:
        """[(user_key, backend, chat_id, locale)]: fast import (benchmarks, migrations)."""
        ts = utcnow_iso(now)
        with self.transaction() as db:
            cur = db.conn.executemany(
                "INSERT OR REPLACE INTO followers (collective_id, user_key, backend, chat_id, locale, active, "
                "created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                ((collective_id, uk, be, str(ch), loc, ts) for uk, be, ch, loc in rows),
            )
            return cur.rowcount

    # -- broadcasts ------------------------------------------------------------------------
    def create_broadcast(
        self,
        collective_id: int,
        template: str,
        *,
        custom_text: str | None,
        requested_by: str,
        needs_approval: bool,
        report: tuple[str, str, str, str] | None = None,
        spread_minutes: int = 0,
        now=None,
    ) -> dict:
        if template not in TEMPLATES:
            raise ValueError("bad template")
        rb, rc, rl, rt = report or (None, None, None, None)
        with self.lock:
            bid = (
                self.table("broadcasts")
                .insert(
                    {
                        "collective_id": collective_id,
                        "template": template,
                        "custom_text": custom_text if template == "custom" else None,
                        "status": "approval" if needs_approval else "queued",
                        "approval_token": new_token() if needs_approval else None,
                        "requested_by": requested_by,
                        "report_backend": rb,
                        "report_chat": rc,
                        "report_locale": rl,
                        "report_tz": rt,
                        "spread_minutes": int(spread_minutes),
                        "created_at": utcnow_iso(now),
                    }
                )
                .last_pk
            )
            row = self.get_broadcast(bid) if bid is not None else None
        assert row is not None  # written just above, under the lock
        return row

    def get_broadcast(self, bid: int) -> dict | None:
        return self._one("SELECT * FROM broadcasts WHERE id = ?", [bid])

    def broadcast_by_token(self, token: str) -> dict | None:
        return self._one("SELECT * FROM broadcasts WHERE approval_token = ?", [token])

    def list_broadcasts(self, collective_id: int, limit: int = 5) -> list[dict]:
        return list(
            self.db.query(
                "SELECT * FROM broadcasts WHERE collective_id = ? ORDER BY id DESC LIMIT ?", [collective_id, limit]
            )
        )

    def decide_broadcast(self, bid: int, approved: bool, by: str) -> bool:
        """Second admin's decision; only once, only while waiting."""
        with self.lock:
            cur = self.db.execute(
                "UPDATE broadcasts SET status = ?, approved_by = ?, approval_token = NULL "
                "WHERE id = ? AND status = 'approval'",
                ["queued" if approved else "rejected", by, bid],
            )
            if cur.rowcount and not approved:  # nothing will be sent: keep neither text nor admins
                self.db.execute(
                    "UPDATE broadcasts SET custom_text = NULL, requested_by = '', approved_by = NULL WHERE id = ?",
                    [bid],
                )
        if cur.rowcount and not approved:
            self.checkpoint()
        return cur.rowcount > 0

    def stop_broadcast(self, bid: int) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE broadcasts SET status = 'stopped', report_user = CASE WHEN status = 'running' "
                "THEN report_user END WHERE id = ? AND status IN ('approval', 'queued', 'running')",
                [bid],
            )
            if cur.rowcount:
                db.execute("DELETE FROM deliveries WHERE broadcast_id = ? AND status = 'pending'", [bid])
        return cur.rowcount > 0

    def start_broadcast(self, bid: int, start_ts: float, now=None) -> int:
        """Queue one delivery per active follower, spread over the broadcast's window; -> total."""
        with self.transaction() as db:
            b = self._one("SELECT * FROM broadcasts WHERE id = ?", [bid])
            if b is None or b["status"] != "queued":
                return 0
            n = db.execute(
                "SELECT COUNT(*) FROM followers WHERE collective_id = ? AND active = 1", [b["collective_id"]]
            ).fetchone()[0]
            spread = float(b["spread_minutes"]) * 60.0
            step = spread / n if n else 0.0
            db.execute(
                "INSERT INTO deliveries (broadcast_id, user_key, backend, chat_id, locale, due_at) "
                "SELECT ?, f.user_key, f.backend, f.chat_id, COALESCE(u.locale, f.locale), "
                "? + (ROW_NUMBER() OVER (ORDER BY f.rowid) - 1) * ? "
                "FROM followers f LEFT JOIN users u ON u.user_key = f.user_key "  # the language chosen since
                "WHERE f.collective_id = ? AND f.active = 1",
                [bid, start_ts, step, b["collective_id"]],
            )
            db.execute(
                "UPDATE broadcasts SET status = 'running', total = ?, started_at = ? WHERE id = ?",
                [n, utcnow_iso(now), bid],
            )
        return n

    def queued_broadcasts(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM broadcasts WHERE status IN ('queued', 'running') ORDER BY id"))

    def requeue_in_flight(self, bid: int) -> int:
        """At the start of a run: a delivery left "sending" by a run that ended abruptly (crash,
        cancelled task) may or may not have reached the person; send it again (the one
        duplicate per crash).  Only the run that starts calls this: while a run is going, a row
        "sending" is in flight (or delivered, its "sent" not yet committed) and is never picked
        again."""
        with self.lock:
            cur = self.db.execute(
                "UPDATE deliveries SET status = 'pending' WHERE broadcast_id = ? AND status = 'sending'", [bid]
            )
        return cur.rowcount

    def next_deliveries(self, bid: int, now_ts: float, limit: int = 200) -> list[dict]:
        """Due deliveries still to send (never one in flight: see :meth:`requeue_in_flight`).
        The ``IN`` term repeats the partial index's condition so that SQLite uses it."""
        return list(
            self.db.query(
                "SELECT id, user_key, backend, chat_id, locale, status, attempts FROM deliveries "
                "WHERE broadcast_id = ? AND status IN ('pending', 'sending') AND status = 'pending' "
                "AND due_at <= ? ORDER BY due_at, id LIMIT ?",
                [bid, now_ts, limit],
            )
        )

    def next_due_at(self, bid: int) -> float | None:
        """When the next delivery still to send is due (None: nothing left to send)."""
        row = self.db.execute(
            "SELECT MIN(due_at) FROM deliveries WHERE broadcast_id = ? AND status IN "
            "('pending', 'sending') AND status = 'pending'",
            [bid],
        ).fetchone()
        return row[0]

    def deliveries_left(self, bid: int) -> int:
        """Deliveries not yet settled (to send, or in flight)."""
        return self.db.execute(
            "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND status IN ('pending', 'sending')", [bid]
        ).fetchone()[0]

    def delivery_sending(self, did: int, done_id: int | None = None) -> None:
        """Mark ``did`` as in flight (and, in the same commit, the previous one as sent)."""
        with self.transaction() as db:
            if done_id is not None:
                db.execute("UPDATE deliveries SET status = 'sent' WHERE id = ?", [done_id])
            db.execute("UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?", [did])

    def delivery_done(self, did: int, status: str = "sent") -> None:
        with self.lock:
            self.db.execute("UPDATE deliveries SET status = ? WHERE id = ?", [status, did])

    def delivery_retry(self, did: int, due_ts: float) -> None:
        with self.lock:
            self.db.execute("UPDATE deliveries SET status = 'pending', due_at = ? WHERE id = ?", [due_ts, did])

    def delivery_moved(self, did: int, user_key: str, new_chat: str) -> None:
        with self.lock:
            self.db.execute("UPDATE deliveries SET chat_id = ?, status = 'pending' WHERE id = ?", [new_chat, did])
            self.db.execute("UPDATE followers SET chat_id = ? WHERE user_key = ?", [new_chat, user_key])

    def delivery_counts(self, bid: int) -> dict:
        out = {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "blocked": 0}
        for status, n in self.db.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status", [bid]
        ).fetchall():
            out[status] = n
        return out

    def finish_broadcast(self, bid: int, now=None) -> dict | None:
        """Keep the counts on the broadcast, forget who the recipients were."""
        with self.transaction() as db:
            b = self._one("SELECT * FROM broadcasts WHERE id = ?", [bid])
            if b is None:
                return None
            c = self.delivery_counts(bid)
            status = b["status"] if b["status"] == "stopped" else "done"
            # the counts stay; the admin's text and who asked or approved do not
            db.execute(
                "UPDATE broadcasts SET status = ?, sent = ?, failed = ?, blocked = ?, finished_at = ?, "
                "custom_text = NULL, custom_html = NULL, requested_by = '', approved_by = NULL WHERE id = ?",
                [
                    status,
                    b["sent"] + c["sent"],
                    b["failed"] + c["failed"],
                    b["blocked"] + c["blocked"],
                    utcnow_iso(now),
                    bid,
                ],
            )
            db.execute("DELETE FROM deliveries WHERE broadcast_id = ?", [bid])
            b = self._one("SELECT * FROM broadcasts WHERE id = ?", [bid])
            db.execute(
                "UPDATE broadcasts SET report_backend = NULL, report_chat = NULL, report_user = NULL WHERE id = ?",
                [bid],
            )
        self.checkpoint()  # the text's old page images must not stay in the write-ahead log
        return b

    def admin_key(self, value: str) -> str:
        """:func:`admin_hash` of ``value`` with this database's salt (made on first use)."""
        salt = self.kv_get("collectives_salt")
        if not salt:
            salt = secrets.token_hex(16)
            self.kv_set("collectives_salt", salt)
        return admin_hash(salt, value)

    def forget_admin_traces(self, db, user_key: str) -> int:
        """/oubli of an admin (inside :meth:`forget_user`'s transaction): the keyed hash that
        tells two admins apart is dropped from the broadcasts still waiting or running."""
        row = db.execute("SELECT value FROM kv WHERE key = 'collectives_salt'").fetchone()
        if not row or not row[0]:
            return 0
        h = admin_hash(row[0], user_key)
        n = db.execute("UPDATE broadcasts SET requested_by = '' WHERE requested_by = ?", [h]).rowcount
        return n + db.execute("UPDATE broadcasts SET approved_by = NULL WHERE approved_by = ?", [h]).rowcount

    # -- drafts (the campaign flow's previews) -----------------------------------------------
    def set_broadcast_report_message(self, bid: int, message_id: str) -> None:
        """The progress message to edit in place from now on."""
        with self.lock:
            self.db.execute("UPDATE broadcasts SET report_message = ? WHERE id = ?", [message_id, bid])

    def set_broadcast_report_user(self, bid: int, user_key: str) -> None:
        """Who asked for the wave (cleared when it ends): her typed number can answer its progress message."""
        with self.lock:
            self.db.execute("UPDATE broadcasts SET report_user = ? WHERE id = ?", [user_key, bid])

    def campaign_to_draft(self, cid: int, custom_html: str | None) -> None:
        with self.lock:
            self.db.execute("UPDATE campaigns SET status = 'draft', custom_html = ? WHERE id = ?", [custom_html, cid])

    def publish_draft_campaign_now(
        self, cid: int, collective_id: int, *, at_date: str, at_time: str, next_at: str, code: str
    ) -> None:
        """A draft of her own words, posted once, now."""
        with self.lock:
            self.db.execute(
                "UPDATE campaigns SET kind = 'once', at_date = ?, at_time = ?, status = 'active', "
                "next_at = ?, code = ? WHERE id = ? AND collective_id = ?",
                [at_date, at_time, next_at, code, cid, collective_id],
            )

    #: what an edit may change in a campaign (column names, never from the user)
    EDITABLE = ("kind", "at_date", "weekday", "at_time", "offsets")

    def edit_campaign_schedule(self, cid: int, changes: dict, next_at: str) -> None:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self.lock:
            self.db.execute(f"UPDATE campaigns SET {sets}, next_at = ? WHERE id = ?", [*changes.values(), next_at, cid])

    def set_campaign_words(self, cid: int, text: str, html: str | None) -> None:
        with self.lock:
            self.db.execute("UPDATE campaigns SET custom_text = ?, custom_html = ? WHERE id = ?", [text, html, cid])

    def broadcast_to_draft(self, bid: int, custom_html: str | None = None) -> None:
        with self.lock:
            self.db.execute("UPDATE broadcasts SET status = 'draft', custom_html = ? WHERE id = ?", [custom_html, bid])

    def delete_draft_campaign(self, cid: int) -> None:
        with self.lock:
            self.db.execute("DELETE FROM campaigns WHERE id = ? AND status = 'draft'", [cid])

    def delete_draft_broadcast(self, bid: int) -> None:
        with self.lock:
            self.db.execute("DELETE FROM broadcasts WHERE id = ? AND status = 'draft'", [bid])

    def activate_draft_campaign(
        self, cid: int, collective_id: int, *, kind: str, at_date, weekday, at_time, offsets, next_at: str, code: str
    ) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE campaigns SET kind = ?, at_date = ?, weekday = ?, at_time = ?, offsets = ?, status = 'active', "
                "next_at = ?, code = ? WHERE id = ? AND collective_id = ?",
                [kind, at_date, weekday, at_time, offsets, next_at, code, cid, collective_id],
            )

    def queue_draft_broadcast(
        self, bid: int, status: str, approval_token: str | None, report: tuple, spread_minutes: int
    ) -> None:
        """A previewed draft becomes ``queued`` (or waits for ``approval``); ``report`` is
        (backend, chat, locale, tz) where progress is told."""
        with self.lock:
            self.db.execute(
                "UPDATE broadcasts SET status = ?, approval_token = ?, report_backend = ?, report_chat = ?, "
                "report_locale = ?, report_tz = ?, spread_minutes = ? WHERE id = ? AND status = 'draft'",
                [status, approval_token, *report, spread_minutes, bid],
            )

    def last_pending_due(self, bid: int) -> float | None:
        """When the last delivery still to send is due (for the wave's end estimate)."""
        return self.db.execute(
            "SELECT MAX(due_at) FROM deliveries WHERE broadcast_id = ? AND status IN ('pending', 'sending')", [bid]
        ).fetchone()[0]
