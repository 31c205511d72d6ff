"""A reminder never sends people to a phone line that reopens after their last day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_reminder_does_not_send_people_to_a_phone_line_that_reopens_too_late(locale):
    """Friday 25 December (holiday), last day Saturday 26: 3422 reopens on Monday 28, after the
    last day.  The reminder must say so and point to the online refusal, not 'call before'."""

    from bot.knowledge import facts
    from bot.core.render import Renderer
    from bot.jobs.scheduler import due_say

    now = datetime(2026, 12, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    row = {
        "tz": "Europe/Paris",
        "deadline": "2026-12-26",
        "recommended": "2026-12-21",
        "kind": "plan",
        "deadline_id": 1,
    }
    say = due_say(row, now, False, "moi")
    text = Renderer().render(say.key, locale, **say.vars)
    assert facts.PORTAL in text
    assert "28" not in text  # no opening day after the last day
    assert "faites-le avant" not in text and "do it before" not in text
    assert say.vars["act_now"] is True
    # a normal case keeps the next opening
    row2 = dict(row, deadline="2026-12-31")
    say2 = due_say(row2, now, False, "moi")
    text2 = Renderer().render(say2.key, locale, **say2.vars)
    assert "28" in text2
