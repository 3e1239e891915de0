"""``msmrnet``: train, evaluate and detect from the command line.

Each handler parses arguments, calls one library function and prints its result; the work
itself lives in the library so that the Python API and the CLI behave the same.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Sequence

from msmrnet import __version__
from msmrnet.detection import DEFAULT_CHUNK_ROWS
from msmrnet.errors import MsmrnetError
from msmrnet.utils.logging import setup_logging

log = logging.getLogger("msmrnet.cli")

EPILOG_TRAIN = """examples:
  msmrnet train --config configs/msmrnet5.yaml --data-dir ../shared/data   # full-length MSMRNet-5 (README)
  msmrnet train --data-dir ../shared/data                       # the package defaults: the chapter's plain setting
  msmrnet train --config configs/demo.yaml --data-dir ../shared/data
  msmrnet train --model msmnet_10 --task binary --epochs 5 --seed 1
  msmrnet train --set model.options.width=32 --set training.lr=0.0005
  msmrnet train --resume runs/NAME                              # continue a killed run
  msmrnet train --dataset unsw-nb15 --task binary --data-dir ../shared/data
  msmrnet train --dataset cicids --train 'MachineLearningCVE/*.csv' --task multiclass
  msmrnet train --dataset table --train flows.parquet --label-column Label --categorical proto,service --drop src_ip
"""


EPILOG_REPRODUCE = """examples:
  msmrnet reproduce --profile quick --data-dir ../shared/data            # indicative numbers, at most ~30 min
  msmrnet reproduce --profile full --data-dir ../shared/data --out runs/full --jobs 2  # the published numbers (hours)
  msmrnet reproduce --profile full --data-dir ../shared/data --out runs/full --report-only  # tables so far
  msmrnet reproduce --profile quick --only pca,validity --seeds 0,1,2
  msmrnet reproduce --dataset unsw-nb15 --only comparison --data-dir ../shared/data --out runs/unsw
  (run the same command again to resume: finished sub-runs are skipped)

data sets:
  nsl-kdd    trained on KDDTrain+, tested on KDDTest+ and KDDTest-21; 5 classes
  unsw-nb15  binary (label) and 10 classes (attack_cat). With both partitions present: trained on
             the 175,341-row one, tested on the 82,332-row one. With only the 82,332-row partition
             (as in ../shared/data): the test table is a stratified 20% of it held out with seed 0,
             the same split `msmrnet train --dataset unsw-nb15` makes with its default seed (rows in
             OUT/split.json); models train and validate on the other 80%, the held-out rows are
             read by evaluation only

profiles (the training file below is KDDTrain+, or UNSW-NB15's training part):
  quick  a stratified 10% of the training file, 5 (validity) / 3 (comparison) epochs, 2 seeds, lr 1e-3;
         the report is labelled INDICATIVE ONLY
  full   all of the training file, up to 10 epochs with early stopping, 3 seeds, lr chosen per network
         on validation loss from 3e-4, 1e-3, 3e-3
"""


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="folder holding nsl-kdd/, unsw-nb15/, ... (default: $MSMRNET_DATA_DIR, else ./data)")


def _add_model_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, type=Path, help="model folder (RUN_DIR/model)")


def _add_dataset(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", help="nsl-kdd (default), kdd99, unsw-nb15, cicids or table (any labelled CSV/Parquet)")
    p.add_argument("--label-column", help="label column (cicids: Label, table: label)")
    p.add_argument("--categorical", type=_names, help="comma-separated categorical columns (table: else inferred)")
    p.add_argument("--drop", type=_names, help="comma-separated columns that are not features (identifiers)")


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    p.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msmrnet",
        description="Network traffic anomaly and attack detection with multi-scale memory residual networks.",
    )
    parser.add_argument("--version", action="version", version=f"msmrnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("train", help="train a model, evaluate it on the test sets, write a run folder",
                       description="Train a model on a training file (validation split carved from it), then "
                       "evaluate it once on the configured test files. Settings come from defaults, then "
                       "--config, then --set and the shortcut flags.",
                       epilog=EPILOG_TRAIN, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--config", type=Path, help="YAML or JSON config file (see configs/)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one config value, e.g. training.lr=0.0005 (repeatable)")  # fmt: skip
    _add_data_dir(p)
    _add_dataset(p)
    p.add_argument("--train", help="training file(s): a registered name, a file, a folder or a glob pattern")
    p.add_argument("--test", action="append", help="test file (registered name or path; repeatable); "
                   "without test files, data sets other than nsl-kdd hold out a stratified test split")
    p.add_argument("--model", help="registered model name (see `msmrnet models`)")
    p.add_argument("--task", choices=["binary", "multiclass"], help="normal vs attack, or the data set's classes")
    p.add_argument("--epochs", type=int, help="maximum number of epochs")
    p.add_argument("--seed", type=int, help="random seed (same seed, same result)")
    p.add_argument("--out", help="parent folder of run folders (default: runs)")
    p.add_argument("--name", help="run folder name (default: model-task-seed-timestamp)")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue the run in RUN_DIR from its last checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run folder of the same name")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    _add_common(p)

    p = sub.add_parser("evaluate", help="evaluate a saved model on NSL-KDD test files or a labelled file",
                       description="Compute binary (and multi-class) metrics of a saved model; writes JSON, Markdown "
                       "and confusion-matrix PNGs when --out is given.")  # fmt: skip
    _add_model_dir(p)
    p.add_argument("--dataset", action="append", default=[], help="registered file, e.g. KDDTest+ (repeatable)")
    p.add_argument("--input", action="append", default=[], type=Path, help="labelled file in NSL-KDD layout (repeatable)")
    _add_data_dir(p)
    p.add_argument("--out", type=Path, help="folder for metrics.json, metrics.md and figures")
    _add_common(p)

    p = sub.add_parser("detect", help="score flow records in a CSV file, one JSON line per row",
                       description="Score every row of a CSV (plain or gzipped; with a header naming the features, "
                       "or headerless in NSL-KDD layout, with or without labels). Streams in chunks, so memory "
                       "stays flat. Rows that cannot be parsed are reported with their line numbers.")  # fmt: skip
    _add_model_dir(p)
    p.add_argument("--input", required=True, type=Path, help="CSV file of flow records")
    p.add_argument("--output", type=Path, help="JSON-lines output (default: ./NAME.scores.jsonl for INPUT NAME.csv[.gz])")
    p.add_argument("--summary", type=Path, help="summary JSON (default: OUTPUT + .summary.json)")
    p.add_argument("--threshold", type=_probability, default=None,
                   help="alert when the attack probability (sum over attack classes) >= this, in [0, 1] "
                   "(default: the model's own, chosen in training with model.threshold; 0.5 unless set)")
    p.add_argument("--chunk-rows", type=_positive, default=DEFAULT_CHUNK_ROWS,
                   help=f"rows read and scored at a time (default {DEFAULT_CHUNK_ROWS}); memory grows with it, not with the file")
    p.add_argument("--label-column", help="label column in files with a header (default: 'label' if present); "
                   "when labels are present the summary holds accuracy, F1 and false-alarm rate")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_common(p)

    p = sub.add_parser("bench", help="benchmark our implementation against a plain reference (speed, memory, parity)",
                       description="Measure, in one run and on the same weights, our MSMRNet and a plain eager-PyTorch "
                       "reference: training samples/s, inference flows/s at several batch sizes, single-flow latency, "
                       "peak memory, output difference, and the achieved fraction of the CPU's peak FLOP rate. "
                       "Figures are printed as a table; --json writes them all.",
                       epilog="examples:\n  msmrnet bench                                  # MSMRNet-5 and -10, a few minutes\n"
                       "  msmrnet bench --accuracy-epochs 1 --detect-rows 1000000 --data-dir ../shared/data --json bench.json\n"
                       "  msmrnet bench --quick                          # seconds, small figures",
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--models", nargs="+", default=None, help="registered MSMRNet/MSMNet names (default: msmrnet_5 msmrnet_10)")
    p.add_argument("--batch-sizes", nargs="+", type=int, default=None, help="inference batch sizes (default: 1 64 4096)")
    p.add_argument("--micro-batch", type=int, default=None, help="rows per forward pass inside our scoring (default: the built-in 64)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    p.add_argument("--repeats", type=int, default=None, help="timings per figure; the best is kept (default 3)")
    p.add_argument("--accuracy-epochs", type=int, default=0, help="also train both implementations this many epochs on KDDTrain+ and compare validation accuracy")
    p.add_argument("--detect-rows", type=int, default=0, help="also time `detect` on a CSV of this many rows built from KDDTest+")
    _add_data_dir(p)
    p.add_argument("--quick", action="store_true", help="a seconds-long run with small sizes (a smoke test, not a measurement)")
    p.add_argument("--json", type=Path, help="write every figure to this JSON file")
    _add_common(p)

    p = sub.add_parser("inspect", help="what flow files hold: format, data set, schema, classes, data quality",
                       description="Stream one or more files (CSV, CSV.gz or Parquet; several files of one data set "
                       "are read together) and print the detected format and data set, each column's role and type, "
                       "the class counts and the data-quality summary (every repair, counted). Trains nothing.")  # fmt: skip
    p.add_argument("files", nargs="+", help="files, folders or glob patterns")
    _add_dataset(p)
    p.add_argument("--json", type=Path, help="also write the inspection as JSON to this file")
    _add_common(p)

    p = sub.add_parser("models", help="list registered models with layer and parameter counts",
                       description="List the registered models (usable with --model / model.name), with their "
                       "trainable and parameter-free layer counts and parameter counts at default options.")  # fmt: skip
    p.add_argument("--in-features", type=_positive, default=122, help="input width for the counts (NSL-KDD: 122)")
    p.add_argument("--num-classes", type=_positive, default=5, help="number of classes for the counts (default 5)")
    _add_common(p)

    p = sub.add_parser("summarize", help="mean and spread of test metrics over runs (e.g. seeds)",
                       description="Read metrics.json of each run folder and print Markdown tables: one row per run, "
                       "then mean +- sample standard deviation.")  # fmt: skip
    p.add_argument("runs", nargs="+", type=Path, help="run folders or metrics.json files")
    p.add_argument("--out", type=Path, help="also write the tables to this Markdown file")
    _add_common(p)

    p = sub.add_parser("reproduce", help="run the chapter's three experiments and write one report",
                       description="Run the chapter's experiments on NSL-KDD (or UNSW-NB15): (1) PCA views of the "
                       "preprocessing choices with separation scores, (2) MSMNet vs MSMRNet at depth 5 and 10 (loss curves, "
                       "convergence, degradation), (3) MSMRNet-5 against DL baselines (MLP, 1-D CNN, LSTM, CNN-LSTM, "
                       "BiLSTM-attention, TCN) and trees (random forest, gradient boosting), binary and multi-class "
                       "(NSL-KDD: 5 classes, on KDDTest+ and KDDTest-21; UNSW-NB15: 10 classes, on a held-out split, "
                       "see below). Prints a time estimate, shows one progress bar, writes every sub-run "
                       "to its own folder (resumable) and OUT/report.html (self-contained) + OUT/report.md.",
                       epilog=EPILOG_REPRODUCE, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--profile", choices=["quick", "full"], default="quick", help="size of the run (default quick; see below)")
    p.add_argument("--dataset", choices=["nsl-kdd", "unsw-nb15"], default="nsl-kdd",
                   help="data set (default nsl-kdd); unsw-nb15 with only its 82,332-row partition tests on a "
                   "stratified 20%% hold-out of it (seed 0, as `msmrnet train`; see below)")
    _add_data_dir(p)
    p.add_argument("--out", type=Path, help="run folder (default: runs/reproduce-PROFILE, runs/reproduce-PROFILE-unsw-nb15); "
                   "the same folder resumes")
    p.add_argument("--seeds", type=_seed_list, metavar="N,N,...", help="seeds for the validity and comparison runs "
                   "(default: the profile's, quick 0,1 / full 0,1,2)")  # fmt: skip
    p.add_argument("--epochs", type=_positive, help="maximum epochs of the comparison's networks (default: the profile's, "
                   "quick 3 / full 10); the report says it was changed")
    p.add_argument("--train-fraction", type=_fraction, metavar="F", help="stratified fraction of the training data the "
                   "comparison uses (default: the profile's, quick 0.1 / full 1)")
    p.add_argument("--only", type=_name_list, metavar="NAME,...", default=None,
                   help="run a subset of the experiments: pca, validity, comparison (default: all three)")
    p.add_argument("--jobs", type=_positive, default=1, metavar="N",
                   help="sub-runs at a time, each in its own process with CPUs/N PyTorch threads (default 1); the "
                   "report says training times were measured side by side")
    p.add_argument("--report-only", action="store_true", help="run nothing: write the report of the sub-runs finished "
                   "so far in OUT (marked PARTIAL while some are missing), e.g. while a long run is going")
    p.add_argument("--no-verify", action="store_true", help="skip the row-count and checksum check of the data files")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_common(p)

    p = sub.add_parser("data", help="list, verify or download the registered data files",
                       description="list: every registered file with its expected rows and SHA-256; verify: check "
                       "that the files under the data folder have those rows and checksums; download: fetch "
                       "files (needs internet) and verify them before they are put in place.")  # fmt: skip
    p.add_argument("action", choices=["list", "verify", "download"], help="what to do (see above)")
    p.add_argument("names", nargs="*", help="registered file names (default: all)")
    _add_data_dir(p)
    _add_common(p)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed_list(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of whole numbers: {text!r}") from None
    if not seeds or any(v < 0 for v in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"seeds must be distinct non-negative whole numbers, got {text!r}")
    return seeds


def _name_list(text: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in text.split(",") if v.strip())
    if not names:
        raise argparse.ArgumentTypeError("give at least one name")
    return names


def _fraction(text: str) -> float:
    value = _probability(text)
    if value == 0.0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(-1 if args.quiet else args.verbose)
    from msmrnet.cli import commands

    handler = getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args) or 0
    except (MsmrnetError, OSError) as exc:  # OSError: unreadable or unwritable paths the user gave
        print(f"msmrnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
