"""Variables for "not understood", which shows the current choices again (bot/core/router.py, issue 17)."""

SAMPLES = {
    "core/not_understood": [{"choices": True}, {"choices": False}],
}
