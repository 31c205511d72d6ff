"""Sample variables for the collectives' templates (issue 8)."""

_POST = {"days_left": None, "target": None, "text": ""}

SAMPLES = {
    "campaign/intro": [{"direct": True}, {"direct": False}],
    "campaign/menu": [{"campaigns": 2, "followers": "1 240"}],
    "campaign/ask_text": [{"limit": 2000}],
    "campaign/text_too_long": [{"limit": 2000, "length": 2400}],
    "campaign/ask_date": [{"kind": "once", "example": "2026-12-15"}, {"kind": "countdown", "example": "2026-12-15"}],
    "campaign/post": [dict(_POST, template=t) for t in ("basics", "parents", "adults18", "close")]
    + [
        dict(_POST, template="custom", text="<b>Réunion</b> {{ x }} & co"),
        dict(_POST, template="basics", days_left=7, target="2026-12-15"),
        dict(_POST, template="close", days_left=0, target="2026-12-15"),
    ],
    "campaign/body_custom": [{"text": "Réunion jeudi 18h"}],
    "campaign/preview_schedule": [
        {
            "kind": "once",
            "date": "2026-12-15",
            "weekday": None,
            "time": "18:00",
            "offsets": [],
            "first": "2026-12-15",
            "first_time": "18:00",
        },
        {
            "kind": "weekly",
            "date": None,
            "weekday": 3,
            "time": "10:00",
            "offsets": [],
            "first": "2026-11-26",
            "first_time": "10:00",
        },
        {
            "kind": "countdown",
            "date": "2026-12-15",
            "weekday": None,
            "time": "10:00",
            "offsets": [7, 1],
            "first": None,
            "first_time": None,
        },
    ],
    "campaign/created": [{"code": "Ab3dEf9h"}],
    "campaign/list": [
        {"items": []},
        {
            "items": [
                {
                    "n": 1,
                    "template": "basics",
                    "kind": "weekly",
                    "weekday": 0,
                    "status": "active",
                    "next": "2026-11-30",
                    "next_time": "10:00",
                    "code": "x",
                    "posts": 0,
                    "date": None,
                    "time": "10:00",
                    "offsets": [],
                },
                {
                    "n": 2,
                    "template": "custom",
                    "kind": "countdown",
                    "weekday": None,
                    "status": "paused",
                    "next": None,
                    "next_time": None,
                    "code": "y",
                    "posts": 1,
                    "date": "2026-12-15",
                    "time": "10:00",
                    "offsets": [7, 1],
                },
            ]
        },
    ],
    "campaign/flyer_qr": [{"link": "https://t.me/mesbot?start=c_Ab3dEf9h"}],
    "campaign/bcast_pick": [{"followers": "12"}],
    "campaign/bcast_confirm": [
        {"followers": "1 240", "count": 1240, "approval": True, "spread": 30},
        {"followers": "1", "count": 1, "approval": False, "spread": 0},
    ],
    "campaign/approval_needed": [
        {"followers": "1 240", "threshold": 1000, "token": "abcdefghijkl", "button": True},
        {"followers": "1 240", "threshold": 1000, "token": "abcdefghijkl", "button": False},
    ],
    "campaign/bcast_queued": [{"followers": "12", "count": 12}],
    "campaign/approve_ask": [{"followers": "1 240"}],
    "campaign/bcast_progress": [
        {"done": "1 240", "total": "20 000", "eta": "11:42", "started": False},
        {"done": "0", "total": "20 000", "eta": "11:42", "started": True},
    ],
    "campaign/bcast_report": [{"sent": "19 990", "failed": "2", "blocked": "8", "total": "20 000", "stopped": False}],
    "campaign/stats": [{"followers": "12", "campaigns": "2", "posts": "5", "reminders_started": "3", "done": "1"}],
    "follow/list": [{"count": 1}, {"count": 3}],
    "follow/announce": [dict(_POST, template=t) for t in ("basics", "parents", "adults18", "close")]
    + [dict(_POST, template="custom", text="Réunion {% raw %} jeudi")],
}
