#!/usr/bin/env bash
# Set everything up, then train MSMRNet-5 on KDDTrain+ (3 epochs, see configs/demo.yaml),
# evaluate it on KDDTest+ and KDDTest-21 and write runs/demo/. Extra arguments go to
# `msmrnet train`, e.g. `bash scripts/demo.sh --epochs 10` or `--config configs/msmrnet5.yaml`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MSMRNET_DATA_DIR=${MSMRNET_DATA_DIR:-../shared/data}
.venv/bin/msmrnet train --config configs/demo.yaml --overwrite "$@"
