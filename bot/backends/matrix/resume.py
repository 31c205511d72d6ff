"""Where to resume the sync after a crash: the token of the oldest batch not yet fully handled.

Rooms are handled concurrently, so sync batches finish out of order.  Each batch opened here
counts its pending pieces of work (one per room with events); the token worth saving is the
``next_batch`` of the last batch of the longest prefix whose work is all done.  A later batch
that finished first waits for the older ones.  After a crash, the sync replays from the saved
token; events already handled are skipped by their ids (``matrix_handled``).  No message text.
"""

from __future__ import annotations

from collections import OrderedDict


class ResumePoint:
    def __init__(self, saved: str | None = None):
        self.saved = saved  # the token last worth saving
        self._open: OrderedDict[int, list] = OrderedDict()  # seq -> [pending, next_batch]
        self._seq = 0

    def open(self, next_batch: str) -> int:
        """A new batch (in sync order); returns its number for :meth:`add` / :meth:`done`.  The
        opener holds one piece itself until everything is queued: it calls ``done(seq)`` then."""
        self._seq += 1
        self._open[self._seq] = [1, next_batch]
        return self._seq

    def add(self, seq: int, n: int = 1) -> None:
        """``n`` more pieces of work belong to batch ``seq``."""
        self._open[seq][0] += n

    def done(self, seq: int) -> str | None:
        """One piece of batch ``seq`` is done.  Returns the new token to save when the done
        prefix grew, else None."""
        entry = self._open.get(seq)
        if entry is not None and entry[0] > 0:
            entry[0] -= 1
        advanced = None
        while self._open:
            _first, (pending, token) = next(iter(self._open.items()))
            if pending > 0:
                break
            self._open.popitem(last=False)
            advanced = self.saved = token
        return advanced

    def pending_batches(self) -> int:
        return len(self._open)
