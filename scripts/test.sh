#!/usr/bin/env bash
# Set everything up, then run the test suite (tests that need ../shared/data skip without it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -q --durations=10 "$@"
