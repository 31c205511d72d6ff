import pytest

from tests.support.harness import Chat, make_app

# shared fixtures: `tg` (the whole bot against the Telegram emulator), `synapse` and
# `synapse_limited` (a real Matrix homeserver, started once per session when a test asks)
pytest_plugins = ["tests.support.telegram_env", "tests.support.synapse"]


@pytest.fixture
def app_env(tmp_path):
    app, backend, clock = make_app(tmp_path)
    yield app, backend, clock
    app.store.close()


@pytest.fixture
def chat(app_env):
    app, backend, _clock = app_env
    return Chat(app, backend)


@pytest.fixture
def env(app_env):
    """(app, backend, clock) on Sunday 22 November 2026, 10:00 in Paris."""
    return app_env
