#!/usr/bin/env bash
# Chat with mes-bot in this terminal, on the embedded default (no token, no account,
# SQLite in your per-user data folder).  Creates its virtual environment on first use.
# Extra arguments go to `mes-bot console` (e.g. --lang en, --today 2026-11-22, --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
if [ ! -x .venv/bin/mes-bot ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q -e . >&2
fi
exec .venv/bin/mes-bot console "$@"
