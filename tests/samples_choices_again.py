"""Variables for "not understood", which shows the current choices again (bot/router.py, issue 17)."""
SAMPLES = {
    "core/not_understood": [{"choices": True}, {"choices": False}],
}
