#!/usr/bin/env bash
# Create .venv with the pinned CPU build of PyTorch and msmrnet (editable, with test tools).
# Safe to re-run: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}   # the CPU build; a plain `torch` may pull a multi-GB CUDA build
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==${TORCH_VERSION}"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
echo "building the fused LSTM kernel (about a minute the first time; cached afterwards)..."
# build the fused LSTM kernel now (about a minute, once per machine) rather than in the first run
.venv/bin/python -c "from msmrnet.models.kernels import fused_recurrence; import sys; sys.exit(fused_recurrence() is None)" \
  || echo "warning: the fused LSTM kernel could not be built; msmrnet will run, more slowly" >&2
.venv/bin/python -c "import msmrnet, torch; print(f'msmrnet {msmrnet.__version__}, torch {torch.__version__} ready in .venv')"
