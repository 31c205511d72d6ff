"""Deadlines and the reminder queue (issue 5).  All SQL about them lives here.

Times in the queue are UTC epoch seconds (integers: small, fast to compare); dates are
``YYYY-MM-DD`` strings; the user's zone is an IANA name.  A reminder row is *live* while
``sent_at IS NULL`` (the partial index ``reminders_due`` covers only those rows).

Delivery protocol: ``mark_sending`` (committed) -> backend send -> ``mark_sent``.  A crash
in between leaves the row ``sending``; the next scheduler start re-queues it, so it may be
sent twice but is never lost.
"""

from __future__ import annotations

from .base import BaseStore, utcnow_iso

LIVE = "sent_at IS NULL"
LABELS = ("me", "child1", "child2", "child3", "child4", "other")


class ReminderStore(BaseStore):
    # -- deadlines ---------------------------------------------------------------------
    def create_deadline(
        self,
        user_key: str,
        *,
        label: str,
        deadline: str,
        recommended: str | None,
        tz: str,
        until_at: int,
        schedule: str,
        plan: list[tuple[int, int, str]],
        campaign: str | None = None,
        now=None,
    ) -> int:
        """Store a deadline and its reminders ``plan`` = [(due_at, offset_days, kind)].

        An active deadline with the same label is replaced (a correction, not a second one)."""
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        ts = utcnow_iso(now)
        now_ts = int(now.timestamp()) if now is not None else None
        with self.transaction() as db:
            old = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM deadlines WHERE user_key = ? AND label = ? AND status = 'active'", [user_key, label]
                ).fetchall()
            ]
            for did in old:
                self._close_deadline(db, did, "cancelled", ts, now_ts)
            cur = db.execute(
                "INSERT INTO deadlines (user_key, label, deadline, recommended, tz, until_at, schedule,"
                " campaign, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'active',?,?)",
                [user_key, label, deadline, recommended, tz, int(until_at), schedule, campaign, ts, ts],
            )
            did = cur.lastrowid
            db.conn.executemany(
                "INSERT INTO reminders (deadline_id, user_key, due_at, offset_days, kind) VALUES (?,?,?,?,?)",
                [(did, user_key, int(due), int(off), kind) for due, off, kind in plan],
            )
        return did

    def _close_deadline(self, db, deadline_id: int, status: str, ts: str, now_ts: int | None) -> int:
        db.execute("UPDATE deadlines SET status = ?, updated_at = ? WHERE id = ?", [status, ts, deadline_id])
        return db.execute(
            f"UPDATE reminders SET state = 'cancelled', sent_at = ? WHERE deadline_id = ? AND {LIVE}",
            [now_ts or 0, deadline_id],
        ).rowcount

    def get_deadline(self, deadline_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM deadlines WHERE id = ?", [deadline_id]))
        return rows[0] if rows else None

    def active_deadlines(self, user_key: str) -> list[dict]:
        """Active deadlines of a user with their next reminder time and live reminder count."""
        return list(
            self.db.query(
                "SELECT d.*, (SELECT MIN(due_at) FROM reminders r WHERE r.deadline_id = d.id AND r.sent_at IS NULL)"
                " AS next_due, (SELECT COUNT(*) FROM reminders r WHERE r.deadline_id = d.id AND r.sent_at IS NULL)"
                " AS pending FROM deadlines d WHERE d.user_key = ? AND d.status = 'active'"
                " ORDER BY d.deadline, d.label",
                [user_key],
            )
        )

    def finish_deadline(self, user_key: str, deadline_id: int, status: str, now=None) -> dict | None:
        """Close one of the user's active deadlines (done / cancelled) and stop its reminders.
        Returns the deadline row as it was, or None if it is not theirs or not active."""
        with self.transaction() as db:
            rows = list(
                db.query(
                    "SELECT * FROM deadlines WHERE id = ? AND user_key = ? AND status = 'active'",
                    [deadline_id, user_key],
                )
            )
            if not rows:
                return None
            self._close_deadline(db, deadline_id, status, utcnow_iso(now), int(now.timestamp()) if now else None)
        return rows[0]

    def cancel_all_deadlines(self, user_key: str, now=None) -> int:
        with self.transaction() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM deadlines WHERE user_key = ? AND status = 'active'", [user_key]
                ).fetchall()
            ]
            for did in ids:
                self._close_deadline(db, did, "cancelled", utcnow_iso(now), int(now.timestamp()) if now else None)
        return len(ids)

    # -- the queue ---------------------------------------------------------------------
    def add_reminder(self, deadline_id: int, user_key: str, due_at: int, offset_days: int, kind: str) -> int:
        with self.transaction() as db:
            return db.execute(
                "INSERT INTO reminders (deadline_id, user_key, due_at, offset_days, kind) VALUES (?,?,?,?,?)",
                [deadline_id, user_key, int(due_at), int(offset_days), kind],
            ).lastrowid

    def live_reminders(self, deadline_id: int) -> list[dict]:
        return list(
            self.db.query(f"SELECT * FROM reminders WHERE deadline_id = ? AND {LIVE} ORDER BY due_at", [deadline_id])
        )

    _DUE_COLS = (
        "r.id, r.deadline_id, r.user_key, r.due_at, r.offset_days, r.kind, r.state, r.attempts,"
        " d.label, d.deadline, d.recommended, d.tz, d.until_at, d.campaign, d.status AS d_status,"
        " u.backend, u.chat_id, u.locale, u.active"
    )

    def due_reminders(self, now_ts: int, limit: int = 200, backends: tuple[str, ...] | None = None) -> list[dict]:
        """Live, pending reminders due at ``now_ts``, oldest first (uses the partial index).
        ``backends``: only users of these transports (plus orphans, so they get cleaned up)."""
        where, args = "", list[int | str]([int(now_ts)])
        if backends is not None:
            where = f" AND (u.backend IS NULL OR u.backend IN ({','.join('?' * len(backends))}))"
            args += list(backends)
        return list(
            self.db.query(
                f"SELECT {self._DUE_COLS} FROM reminders r JOIN deadlines d ON d.id = r.deadline_id"
                " LEFT JOIN users u ON u.user_key = r.user_key"
                " WHERE r.sent_at IS NULL AND r.due_at <= ? AND r.state = 'pending'"
                + where
                + " ORDER BY r.due_at LIMIT ?",
                args + [int(limit)],
            )
        )

    def due_ids(self, now_ts: int, limit: int = 1000) -> list[int]:
        """Only the ids (what the bench times: the index lookup itself)."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM reminders WHERE sent_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
                [int(now_ts), int(limit)],
            ).fetchall()
        ]

    def due_for_deadline(self, deadline_id: int, now_ts: int) -> list[dict]:
        return list(
            self.db.query(
                f"SELECT {self._DUE_COLS} FROM reminders r JOIN deadlines d ON d.id = r.deadline_id"
                " LEFT JOIN users u ON u.user_key = r.user_key"
                " WHERE r.deadline_id = ? AND r.sent_at IS NULL AND r.due_at <= ? AND r.state = 'pending'"
                " ORDER BY r.due_at",
                [deadline_id, int(now_ts)],
            )
        )

    def requeue_sending(self, older_than_ts: int | None = None) -> int:
        """Rows left ``sending`` (crash between send and record) go back to ``pending``."""
        sql = f"UPDATE reminders SET state = 'pending' WHERE {LIVE} AND state = 'sending'"
        args: list = []
        if older_than_ts is not None:
            sql += " AND attempt_at < ?"
            args.append(int(older_than_ts))
        with self.transaction() as db:
            return db.execute(sql, args).rowcount

    def mark_sending(self, reminder_id: int, now_ts: int) -> bool:
        with self.transaction() as db:
            return (
                db.execute(
                    f"UPDATE reminders SET state = 'sending', attempt_at = ?, attempts = attempts + 1"
                    f" WHERE id = ? AND state = 'pending' AND {LIVE}",
                    [int(now_ts), reminder_id],
                ).rowcount
                == 1
            )

    def mark_sent(self, reminder_id: int, now_ts: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE reminders SET state = 'sent', sent_at = ? WHERE id = ?", [int(now_ts), reminder_id])

    def mark_finished(self, ids: list[int], state: str, now_ts: int) -> int:
        if not ids:
            return 0
        with self.transaction() as db:
            return db.conn.executemany(
                f"UPDATE reminders SET state = ?, sent_at = ? WHERE id = ? AND {LIVE}",
                [(state, int(now_ts), i) for i in ids],
            ).rowcount

    def reschedule(self, reminder_id: int, due_at: int) -> None:
        """Back to the queue for a later try (retry, back-off, quiet hours)."""
        with self.transaction() as db:
            db.execute(
                f"UPDATE reminders SET state = 'pending', due_at = ? WHERE id = ? AND {LIVE}",
                [int(due_at), reminder_id],
            )

    def stop_user_reminders(self, user_key: str, state: str, now_ts: int) -> int:
        with self.transaction() as db:
            return db.execute(
                f"UPDATE reminders SET state = ?, sent_at = ? WHERE user_key = ? AND {LIVE}",
                [state, int(now_ts), user_key],
            ).rowcount

    def expire_passed(self, now_ts: int) -> int:
        """Deadlines whose last day is over: their live reminders are dropped (never sent late)."""
        with self.transaction() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM deadlines WHERE status = 'active' AND until_at <= ?", [int(now_ts)]
                ).fetchall()
            ]
            n = 0
            for did in ids:
                n += db.execute(
                    f"UPDATE reminders SET state = 'expired', sent_at = ? WHERE deadline_id = ? AND {LIVE}",
                    [int(now_ts), did],
                ).rowcount
                db.execute("UPDATE deadlines SET status = 'expired' WHERE id = ?", [did])
        return n

    def purge_candidates(self, now_ts: int, after_days: int) -> list[str]:
        """Users whose last deadline ended more than ``after_days`` days ago and none is active."""
        limit = int(now_ts) - int(after_days) * 86400
        return [
            r[0]
            for r in self.db.execute(
                "SELECT user_key FROM deadlines GROUP BY user_key"
                " HAVING MAX(until_at) <= ? AND SUM(status = 'active') = 0",
                [limit],
            ).fetchall()
        ]

    def idle_candidates(self, now_ts: int, after_days: int) -> list[str]:
        """Users with no deadline and no active follow whose last message is older than
        ``after_days`` days: what they left (language, a conversation state) is not needed."""
        from datetime import datetime, timezone

        limit = datetime.fromtimestamp(int(now_ts) - int(after_days) * 86400, timezone.utc)
        limit_iso = limit.isoformat(timespec="seconds")
        follows = (
            "AND NOT EXISTS (SELECT 1 FROM followers f WHERE f.user_key = u.user_key AND f.active = 1)"
            if "followers" in self.db.table_names()
            else ""
        )
        return [
            r[0]
            for r in self.db.execute(
                "SELECT u.user_key FROM users u WHERE u.updated_at <= ?"
                " AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.user_key = u.user_key) " + follows,
                [limit_iso],
            ).fetchall()
        ]

    def drop_stale_sessions(self, now_ts: int, after_days: int) -> int:
        """Conversation states untouched for ``after_days`` days (e.g. an abandoned campaign draft)."""
        from datetime import datetime, timezone

        limit = datetime.fromtimestamp(int(now_ts) - int(after_days) * 86400, timezone.utc)
        with self.lock:
            return self.db.execute(
                "DELETE FROM sessions WHERE updated_at <= ?", [limit.isoformat(timespec="seconds")]
            ).rowcount

    def count_live(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM reminders WHERE {LIVE}").fetchone()[0]

    def count_due(self, now_ts: int) -> int:
        return self.db.execute(
            f"SELECT COUNT(*) FROM reminders WHERE {LIVE} AND due_at <= ?", [int(now_ts)]
        ).fetchone()[0]

    def reminder_counts(self, now_ts: float) -> tuple[int, int, dict[str, int]] | None:
        """(pending, due now, sent or failed by state) of the reminder queue; None when the
        table is missing or older than this code.  Counts only, never who."""
        with self.lock:
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()}
            if "reminders" not in tables:
                return None
            cols = {r[1] for r in self.db.execute("PRAGMA table_info(reminders)").fetchall()}
            if not {"due_at", "sent_at", "state"} <= cols:
                return None
            pending, due = self.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(due_at <= ?), 0) FROM reminders WHERE sent_at IS NULL", [int(now_ts)]
            ).fetchone()
            by_state = dict(
                self.db.execute(
                    "SELECT state, COUNT(*) FROM reminders WHERE sent_at IS NOT NULL GROUP BY state"
                ).fetchall()
            )
        return pending, due, by_state
