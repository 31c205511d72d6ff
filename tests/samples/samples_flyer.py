"""Variables for the flyer's templates (bot/flyer.py)."""

SAMPLES = {
    "flyer/privacy": [{"purge_days": 14}],
    "flyer/by": [{"name": "Collectif Santé Libre"}, {"name": None}],
    "flyer/scan": [{"start_cmd": "/start c_Ab3dEf9h"}, {"start_cmd": None}],
}
