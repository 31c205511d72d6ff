from __future__ import annotations

import json
from dataclasses import dataclass, field

from .base import BaseStore, utcnow_iso


@dataclass
class Session:
    session_key: str
    user_key: str
    flow: str
    state: str
    data: dict = field(default_factory=dict)
    updated_at: str | None = None


@dataclass
class User:
    user_key: str
    backend: str
    chat_id: str | None
    locale: str | None
    tz: str | None
    active: bool = True


#: kv keys made from a user's platform id (``<prefix><id>``): erased with the user.
USER_KV_PREFIXES = ("tggone:",)


class CoreStore(BaseStore):
    """Users, sessions and a small key/value table."""

    # -- users ----------------------------------------------------------------
    def get_user(self, user_key: str) -> User | None:
        rows = list(self.db.query("SELECT * FROM users WHERE user_key = ?", [user_key]))
        if not rows:
            return None
        r = rows[0]
        return User(r["user_key"], r["backend"], r["chat_id"], r["locale"], r["tz"], bool(r["active"]))

    def touch_user(self, user_key: str, backend: str, chat_id: str | None = None, now=None) -> User:
        """Create the user row if needed; remember the private chat used to reach them."""
        ts = utcnow_iso(now)
        with self.lock:
            existing = self.get_user(user_key)
            if existing is None:
                self.table("users").insert(
                    {
                        "user_key": user_key,
                        "backend": backend,
                        "chat_id": chat_id,
                        "locale": None,
                        "tz": None,
                        "active": 1,
                        "created_at": ts,
                        "updated_at": ts,
                    }
                )
            else:
                upd = {"updated_at": ts, "active": 1}
                if chat_id is not None:
                    upd["chat_id"] = chat_id
                self.table("users").update(user_key, upd)
            user = self.get_user(user_key)
        assert user is not None  # written just above, under the lock
        return user

    def set_user(self, user_key: str, **fields) -> None:
        allowed = {"locale", "tz", "active", "chat_id"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot store {bad} on a user")
        fields["updated_at"] = utcnow_iso()
        with self.lock:
            if self.get_user(user_key) is None:
                return  # erased meanwhile (/oubli, purge): nothing to update, never recreate
            self.table("users").update(user_key, fields)

    def deactivate_user(self, user_key: str) -> None:
        with self.lock:
            if self.get_user(user_key):
                self.table("users").update(user_key, {"active": 0, "updated_at": utcnow_iso()})

    def forget_user(self, user_key: str) -> int:
        """Erase everything about a user, in every table that has a ``user_key`` column."""
        n = 0
        with self.transaction() as db:
            for table in self.tables_with_column("user_key"):
                if table == "users":
                    continue
                n += db.execute(f"DELETE FROM [{table}] WHERE user_key = ?", [user_key]).rowcount
            n += db.execute("DELETE FROM users WHERE user_key = ?", [user_key]).rowcount
            platform_id = user_key.split(":", 1)[-1]
            for prefix in USER_KV_PREFIXES:
                n += db.execute("DELETE FROM kv WHERE key = ?", [prefix + platform_id]).rowcount
            forget_admin = getattr(self, "forget_admin_traces", None)
            if forget_admin is not None:
                n += forget_admin(db, user_key)
        self.checkpoint()
        return n

    def forget_users(self, user_keys: list[str]) -> None:
        """Like :meth:`forget_user` for many users at once: one transaction per 500 and one WAL
        checkpoint (ending hundreds of web conversations at shutdown stays quick)."""
        for i in range(0, len(user_keys), 500):
            chunk = user_keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            with self.transaction() as db:
                for table in self.tables_with_column("user_key"):
                    if table != "users":
                        db.execute(f"DELETE FROM [{table}] WHERE user_key IN ({marks})", chunk)
                db.execute(f"DELETE FROM users WHERE user_key IN ({marks})", chunk)
        if user_keys:
            self.checkpoint()

    def user_keys_of(self, backend: str) -> set[str]:
        """Every user key of a backend, in the users table or with a session."""
        keys = {r["user_key"] for r in self.db.query("SELECT user_key FROM users WHERE backend = ?", [backend])}
        keys |= {
            r["user_key"]
            for r in self.db.query("SELECT DISTINCT user_key FROM sessions WHERE user_key LIKE ?", [backend + ":%"])
        }
        return keys

    def move_chat_users(self, backend: str, old_chat: str, new_chat: str) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its users follow."""
        for uk in list(
            self.db.query("SELECT user_key FROM users WHERE backend = ? AND chat_id = ?", [backend, old_chat])
        ):
            self.set_user(uk["user_key"], chat_id=new_chat)

    def kv_keys(self, prefix: str) -> list[str]:
        """Keys starting with ``prefix`` whose value is set."""
        return [
            r["key"] for r in self.db.query("SELECT key FROM kv WHERE key LIKE ? AND value IS NOT NULL", [prefix + "%"])
        ]

    # -- sessions ---------------------------------------------------------------
    def get_session(self, session_key: str) -> Session | None:
        rows = list(self.db.query("SELECT * FROM sessions WHERE session_key = ?", [session_key]))
        if not rows:
            return None
        r = rows[0]
        try:
            data = json.loads(r["data"] or "{}")
        except ValueError:
            data = {}
        return Session(r["session_key"], r["user_key"], r["flow"], r["state"], data, r["updated_at"])

    def save_session(self, s: Session, now=None) -> None:
        with self.lock:
            self.table("sessions").upsert(
                {
                    "session_key": s.session_key,
                    "user_key": s.user_key,
                    "flow": s.flow,
                    "state": s.state,
                    "data": json.dumps(s.data, ensure_ascii=False, default=str),
                    "updated_at": utcnow_iso(now),
                },
                pk="session_key",
            )

    def delete_session(self, session_key: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM sessions WHERE session_key = ?", [session_key])

    # -- key/value (sync tokens, bot state) -------------------------------------------
    def kv_get(self, key: str, default: str | None = None) -> str | None:
        rows = list(self.db.query("SELECT value FROM kv WHERE key = ?", [key]))
        return rows[0]["value"] if rows else default

    def kv_set(self, key: str, value: str | None) -> None:
        with self.lock:
            self.table("kv").upsert({"key": key, "value": value}, pk="key")

    def kv_delete(self, key: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM kv WHERE key = ?", [key])
