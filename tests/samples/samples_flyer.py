"""Variables for the flyer's templates (bot/flyer.py)."""
SAMPLES = {
    "flyer/privacy": [{"purge_days": 14}],
    "flyer/by": [{"name": "Collectif Santé Libre"}, {"name": None}],
}
