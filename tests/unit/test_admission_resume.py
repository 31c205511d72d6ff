"""The per-chat backlog bound (bot/core/admission.py) and the Matrix resume point
(bot/backends/matrix/resume.py): pure logic, no network."""

from __future__ import annotations

from bot.backends.matrix.resume import ResumePoint
from bot.core.admission import ADMIT, DROP, DROP_AND_NOTIFY, ChatBacklog


def test_a_chat_backlog_is_bounded_and_the_notice_is_given_once_per_backlog():
    b = ChatBacklog(limit=3)
    assert [b.admit("a", True) for _ in range(5)] == [ADMIT, ADMIT, ADMIT, DROP_AND_NOTIFY, DROP]
    assert b.admit("other", True) == ADMIT  # another chat is not concerned
    assert (b.queued("a"), b.dropped, b.total()) == (3, 2, 4)
    b.release("a")
    assert b.admit("a", True) == ADMIT  # room again, still the same backlog: no new notice
    assert b.admit("a", True) == DROP
    for _ in range(3):
        b.release("a")
    assert b.queued("a") == 0
    assert [b.admit("a", True) for _ in range(4)][-1] == DROP_AND_NOTIFY  # a new backlog: told again


def test_a_group_queues_more_and_is_never_written_to_about_it():
    b = ChatBacklog(limit=2, group_factor=5)
    verdicts = [b.admit("g", False) for _ in range(12)]
    assert verdicts.count(ADMIT) == 10 and verdicts[10:] == [DROP, DROP]


def test_the_token_saved_is_the_one_of_the_oldest_batch_not_fully_handled():
    r = ResumePoint("s0")
    one = r.open("s1")
    r.add(one, 2)  # two rooms in batch 1
    assert r.done(one) is None  # the opener's own piece: everything queued
    two = r.open("s2")
    r.add(two)
    assert r.done(two) is None  # batch 2's opener
    assert r.done(two) is None  # batch 2 fully handled, but batch 1 is not: keep s0
    assert r.saved == "s0"
    assert r.done(one) is None  # one room of batch 1 left
    assert r.done(one) == "s2"  # batch 1 done: both saved at once, the newest token
    assert r.saved == "s2" and r.pending_batches() == 0
    three = r.open("s3")
    assert r.done(three) == "s3"  # a batch with nothing to handle
