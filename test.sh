#!/usr/bin/env bash
# The test command: installs the stack if needed, then runs the whole default test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash scripts/install.sh
exec .venv/bin/python -m pytest -n 2 "$@"
