"""Variables for the flyer's templates (bot/domain/flyer.py)."""
SAMPLES = {
    "flyer/privacy": [{"purge_days": 14}],
}
