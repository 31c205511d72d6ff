#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: creates the virtual environment, installs
# mes-bot with its test dependencies, installs Synapse in its own venv (for the Matrix
# tests), then runs pytest.  Exit code 5 (no tests collected) counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q -e ".[dev]"

# Synapse lives in its own venv; the Matrix test fixtures start it on 127.0.0.1.
if [ ! -x .synapse-venv/bin/python ] || ! .synapse-venv/bin/python -c "import synapse" 2>/dev/null; then
  "$PY" -m venv .synapse-venv
  .synapse-venv/bin/pip install -q matrix-synapse
fi
export MESBOT_SYNAPSE_PYTHON="$PWD/.synapse-venv/bin/python"

# Element's encryption stack (matrix-js-sdk + Rust crypto, pinned in tests/element/package-lock.json)
# drives the other side of the Matrix verification test.  Offline, the install fails and that test
# is skipped with its reason on a developer's machine, and fails in CI (CI=true).
if command -v npm >/dev/null 2>&1 && [ ! -d tests/element/node_modules/matrix-js-sdk ]; then
  npm ci --prefix tests/element --no-audit --no-fund --loglevel=error \
    || echo "tests/element: npm ci failed (offline?): the Element-side Matrix test will be skipped" >&2
fi

# The web page's tests drive Debian's headless Chromium through Selenium (tests/backends/test_web_browser.py).
# As root (CI on a clean machine) it is installed here; otherwise it must already be there, or those
# tests fail (they never skip).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q chromium chromium-driver </dev/null
  else
    echo "test.sh: chromium and chromium-driver are missing (not root: cannot install them);" \
         "the browser tests will fail. Install them: apt-get install chromium chromium-driver" >&2
  fi
fi
export SE_OFFLINE=true  # Selenium Manager: never download drivers nor send usage statistics

# Lint, format and types first (configured in pyproject.toml): a finding fails the run.
.venv/bin/ruff check --output-format concise .
.venv/bin/ruff format --check .
.venv/bin/mypy

set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
