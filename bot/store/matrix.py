"""What the Matrix backend keeps to resume safely (migration 0005): direct rooms, handled event
ids, direct chats opened for a person and waiting for them.  No message text, no names."""

from __future__ import annotations

from .base import BaseStore


class MatrixStore(BaseStore):
    def set_room_direct(self, room_id: str, direct: bool) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO matrix_rooms(room_id, is_direct) VALUES (?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET is_direct = excluded.is_direct",
                [room_id, int(direct)],
            )

    def forget_room(self, room_id: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM matrix_rooms WHERE room_id = ?", [room_id])
            self.db.execute("DELETE FROM matrix_dm_pending WHERE room_id = ?", [room_id])

    def room_is_direct(self, room_id: str) -> bool:
        row = self.db.execute("SELECT is_direct FROM matrix_rooms WHERE room_id = ?", [room_id]).fetchone()
        return bool(row and row[0])

    def mark_event_handled(self, event_id: str, ts_ms: int) -> bool:
        """True the first time an event id is recorded."""
        with self.lock:
            cur = self.db.execute("INSERT OR IGNORE INTO matrix_handled(event_id, ts) VALUES (?, ?)", [event_id, ts_ms])
            return cur.rowcount == 1

    def event_handled(self, event_id: str) -> bool:
        """True once the event id was recorded (a replayed sync skips it)."""
        return self.db.execute("SELECT 1 FROM matrix_handled WHERE event_id = ?", [event_id]).fetchone() is not None

    def prune_handled_events(self, before_ms: int) -> None:
        with self.lock:
            self.db.execute("DELETE FROM matrix_handled WHERE ts < ?", [before_ms])

    def add_pending_dm(self, room_id: str, user_key: str, payload: str | None) -> None:
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO matrix_dm_pending(room_id, user_key, payload, created_at) "
                "VALUES (?, ?, ?, datetime('now'))",
                [room_id, user_key, payload],
            )

    def pending_dm(self, room_id: str) -> tuple[str, str | None] | None:
        """(user_key, payload) of the direct chat opened in ``room_id``, if still waiting."""
        row = self.db.execute("SELECT user_key, payload FROM matrix_dm_pending WHERE room_id = ?", [room_id]).fetchone()
        return (row[0], row[1]) if row else None

    def drop_pending_dm(self, room_id: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM matrix_dm_pending WHERE room_id = ?", [room_id])
