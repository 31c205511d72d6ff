"""Sample variables for the collectives' templates changed or added by issue 19 (they replace
the samples of tests/samples_campaign.py for the same keys)."""

from tests.samples.samples_campaign import SAMPLES as _OLD

_WARN = ["phone", "health"]

SAMPLES = {
    "campaign/preview_schedule": [dict(v, warn=[]) for v in _OLD["campaign/preview_schedule"]]
    + [dict(_OLD["campaign/preview_schedule"][0], warn=_WARN)],
    "campaign/bcast_confirm": [dict(v, warn=[]) for v in _OLD["campaign/bcast_confirm"]]
    + [dict(_OLD["campaign/bcast_confirm"][0], warn=["nir"])],
    "campaign/personal_warning": [{"kinds": _WARN}, {"kinds": ["nir", "code"]}],
}

_POST = {"days_left": None, "target": None, "text": "", "name": "Collectif Santé Libre", "start_cmd": None}
_LIST_ITEM = {
    "n": "A",
    "template": "basics",
    "kind": "weekly",
    "weekday": 0,
    "status": "active",
    "next": "2026-11-30",
    "next_time": "10:00",
    "posts": 2,
    "date": None,
    "time": "10:00",
    "offsets": [],
    "visits": 5,
    "reminders_started": 3,
    "followers_gained": 1,
}
SAMPLES.update(
    {
        "campaign/menu": [
            {"campaigns": 2, "followers": "1 240", "name": "Collectif"},
            {"campaigns": 0, "followers": "0", "name": None},
        ],
        "campaign/preview_intro": [{"name": "Collectif"}, {"name": None}],
        "campaign/approve_ask": [{"followers": "1 240", "name": "Collectif"}],
        "campaign/list": [
            {"items": [], "name": None},
            {
                "name": "Collectif",
                "items": [
                    _LIST_ITEM,
                    dict(
                        _LIST_ITEM,
                        n="B",
                        template="custom",
                        kind="countdown",
                        weekday=None,
                        status="paused",
                        next=None,
                        next_time=None,
                        date="2026-12-15",
                    ),
                ],
            },
        ],
        "campaign/post": [dict(_POST, template=t) for t in ("basics", "parents", "adults18", "close")]
        + [
            dict(_POST, template="custom", text="<b>Réunion</b> & co", name=None, start_cmd="/start c_Ab3dEf9h"),
            dict(_POST, template="basics", days_left=7, target="2026-12-15"),
        ],
        "follow/announce": [dict(_POST, template=t) for t in ("basics", "custom")]
        + [dict(_POST, template="close", name=None)],
        "campaign/places": [{"count": 2}],
        "campaign/ask_name": [{"name": "Collectif"}, {"name": None}],
        "campaign/bad_name": [{"limit": 80}],
        "campaign/name_set": [{"name": "Collectif"}],
        "campaign/created": [{"name": "Collectif", "first": "2026-12-08", "first_time": "18:00"}],
        "campaign/flyer_title": [{"name": "Collectif"}, {"name": None}],
        "campaign/flyer_qr": [
            {"link": "https://t.me/mesbot?start=c_Ab3dEf9h", "start_cmd": None},
            {"link": "https://matrix.to/#/@bot:example.org", "start_cmd": "/start c_Ab3dEf9h"},
        ],
    }
)
SAMPLES.update(
    {
        "campaign/notice_removed": [{"name": "Collectif", "held": 2}, {"name": None, "held": 0}],
        "campaign/notice_back": [{"name": "Collectif", "resumed": 1}, {"name": None, "resumed": 0}],
        "campaign/notice_missed": [{"name": "Collectif", "date": "2026-12-08", "time": "18:00"}],
        "campaign/hello": [{"name": "Collectif"}, {"name": None}],
    }
)
SAMPLES.update(
    {
        "campaign/withdrawn": [{"name": "Collectif"}],
        "campaign/decided": [{"name": "Collectif", "approved": True}, {"name": None, "approved": False}],
        "campaign/wave_stop_ask": [{"name": "Collectif"}],
    }
)
SAMPLES.update(
    {
        "campaign/ask_date": [
            {"kind": "once", "example": "2026-12-13"},
            {"kind": "countdown", "example": "2026-12-13"},
        ],
        "campaign/bad_date": [{"example": "2026-12-13"}],
        "campaign/date_range": [{"kind": "once", "today": "2026-11-22"}, {"kind": "countdown", "today": "2026-11-22"}],
        "campaign/time_past": [
            {"kind": "once", "date": "2026-11-22", "time": "10:00", "now": "10:00"},
            {"kind": "countdown", "date": "2026-11-29", "time": "10:00", "now": "10:00"},
        ],
        "campaign/published": [{"name": "Collectif"}],
    }
)
SAMPLES["campaign/preview_schedule"] = SAMPLES["campaign/preview_schedule"] + [
    {
        "kind": "now",
        "date": "2026-11-22",
        "weekday": None,
        "time": "10:05",
        "offsets": [],
        "first": "2026-11-22",
        "first_time": "10:05",
        "warn": [],
    }
]
SAMPLES.update(
    {
        "campaign/edit_what": [{"n": "A", "name": "Collectif"}],
        "campaign/edited": [
            {"n": "A", "name": "Collectif", "next": "2026-12-03", "next_time": "18:00", "status": "active"},
            {"n": "B", "name": None, "next": None, "next_time": None, "status": "paused"},
            {"n": "C", "name": "Collectif", "next": None, "next_time": None, "status": "held"},
        ],
        "campaign/stop_ask": [{"n": "A", "name": "Collectif"}],
        "campaign/now_ask": [{"n": "A", "name": "Collectif", "once": True}, {"n": "B", "name": None, "once": False}],
    }
)
SAMPLES["campaign/list"] = SAMPLES["campaign/list"] + [
    {
        "name": "Collectif",
        "items": [dict(_LIST_ITEM, status="done", next=None, next_time=None), dict(_LIST_ITEM, n="B", status="held")],
    }
]
SAMPLES.update(
    {
        "campaign/pick": [{"name": "Collectif"}, {"name": None}],
        "campaign/bcast_pick": [{"followers": "12", "name": "Collectif"}, {"followers": "1", "name": None}],
    }
)
SAMPLES["follow/invite"] = [{"name": "Collectif", "start_cmd": None}, {"name": None, "start_cmd": "/start f_Ab3dEf9h"}]
