"""Sample variables for the Matrix backend's templates (used by test_templates and test_readability)."""

SAMPLES = {
    "matrix/verification_emoji": [{"emoji": "🐶 🔑 🎸 🌵 ☂️ 🚀 🍕"}],
}
