"""The handlers behind each ``msmrnet`` sub-command."""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from pathlib import Path

from msmrnet.utils.io import atomic_write_json, atomic_write_text

log = logging.getLogger("msmrnet.cli")


def cmd_train(args: argparse.Namespace) -> int:
    from msmrnet.errors import MsmrnetError
    from msmrnet.training.config import load_config
    from msmrnet.training.run import CHECKPOINT, default_run_dir, run_experiment

    if args.resume:
        run_dir = args.resume
        if not (run_dir / "config.yaml").is_file():
            raise MsmrnetError(f"{run_dir}: no config.yaml, not a run folder")
        ignored = [f"--{f.replace('_', '-')}" for f in ("config", "model", "task", "epochs", "seed", "out", "name", "dataset",
                                                         "train", "test", "label_column", "categorical", "drop")
                   if getattr(args, f) is not None] + (["--set"] if args.overrides else []) + (["--overwrite"] if args.overwrite else [])  # fmt: skip
        if ignored:
            raise MsmrnetError(f"--resume continues the run exactly as configured in {run_dir / 'config.yaml'}; "
                               f"it takes only --data-dir, not {', '.join(ignored)}")  # fmt: skip
        # where the data lives may differ between sessions; nothing else may
        cfg = load_config(run_dir / "config.yaml", values={"data.data_dir": args.data_dir} if args.data_dir else None)
    else:
        flags = {"data_dir": "data.data_dir", "model": "model.name", "task": "data.task", "epochs": "training.epochs",
                 "seed": "training.seed", "out": "output.dir", "name": "output.name", "dataset": "data.dataset",
                 "train": "data.train", "test": "data.test", **{f: f"data.options.{f}" for f in DATASET_OPTIONS}}  # fmt: skip
        values = {key: getattr(args, flag) for flag, key in flags.items() if getattr(args, flag) is not None}
        cfg = load_config(args.config, args.overrides, values)
        run_dir = default_run_dir(cfg)
        if (run_dir / CHECKPOINT).exists() and not args.overwrite:
            raise MsmrnetError(f"{run_dir} holds a run already: continue it with --resume {run_dir}, "
                               "replace it with --overwrite, or choose another --name")  # fmt: skip
        if args.overwrite and run_dir.exists():
            shutil.rmtree(run_dir)
    log.info("run folder: %s", run_dir)
    t0 = time.perf_counter()
    out = run_experiment(cfg, run_dir, resume=bool(args.resume), progress=False if args.no_progress else None)
    _print_quality(out["quality"])
    print(out["markdown"])
    print(f"run folder: {run_dir}  (train {out['run']['train_seconds']:.0f}s, total {time.perf_counter() - t0:.0f}s)")
    return 0


DATASET_OPTIONS = ("label_column", "categorical", "drop")


def _dataset_options(args: argparse.Namespace) -> dict:
    return {f: getattr(args, f) for f in DATASET_OPTIONS if getattr(args, f) is not None}


def _print_quality(quality: dict) -> None:
    from msmrnet.data.quality import DataQuality

    for name, q in quality.items():
        if q is not None:
            print(f"{name}: " + DataQuality.from_dict(q).table())


def cmd_inspect(args: argparse.Namespace) -> int:
    import json

    from msmrnet.data.inspect import format_inspection, inspect_files

    result = inspect_files(args.files, args.dataset, _dataset_options(args))
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=2) + "\n")
    print(format_inspection(result))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from msmrnet.data import nsl_kdd, registry
    from msmrnet.errors import MsmrnetError
    from msmrnet.estimator import MSMRNetClassifier
    from msmrnet.evaluation import evaluate_table, metrics_markdown

    est = MSMRNetClassifier.load(str(args.model))
    task = est.metadata_.get("task") or ("binary" if len(est.classes_) == 2 else "multiclass")
    sources = [(name, lambda n=name: registry.load(n, args.data_dir)) for name in args.dataset]
    sources += [(str(p), lambda p=p: nsl_kdd.read_nsl_kdd(p)) for p in args.input]
    if not sources:
        raise MsmrnetError("nothing to evaluate: give --dataset NAME and/or --input FILE")
    results = []
    for name, loader in sources:
        table = loader()
        labels = nsl_kdd.task_labels(table.attack_names, task).to_numpy()
        results.append(evaluate_table(est, table.features, labels, name, args.out / "figures" if args.out else None))
    markdown = metrics_markdown(results)
    if args.out:
        atomic_write_json(args.out / "metrics.json", {"model": str(args.model), "task": task, "results": results})
        atomic_write_text(args.out / "metrics.md", markdown)
    print(markdown)
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from msmrnet.detection.detector import detect_file, summary_dict
    from msmrnet.errors import MsmrnetError

    stem = Path(args.input.name.removesuffix(".gz")).stem
    output = args.output or Path(f"{stem}.scores.jsonl")  # in the working folder: the input's may be read-only
    summary_path = args.summary or output.with_name(output.name + ".summary.json")
    progress = False if args.no_progress else None
    if summary_path.resolve() in (args.input.resolve(), output.resolve()) or summary_path.is_dir():
        raise MsmrnetError(f"{summary_path}: --summary must be a new file name, not the input, the output or a folder")
    s = detect_file(str(args.model), args.input, output, args.threshold, args.chunk_rows, args.label_column, progress)
    atomic_write_json(summary_path, summary_dict(s))
    print(f"{s.rows:,} rows: {s.scored:,} scored, {s.unparsable:,} unparsable, {s.alerts:,} alerts "
          f"(attack probability >= {s.threshold}) in {s.seconds:.1f}s ({s.rows_per_second:,.0f} rows/s)")  # fmt: skip
    if s.predicted:
        print("predicted: " + ", ".join(f"{k} {v:,}" for k, v in s.predicted.items()))
    if s.rows_with_unseen_categories:
        print(f"{s.rows_with_unseen_categories:,} rows hold categories never seen in training: {s.unseen_categories}")
    if s.ignored_columns:
        print(f"ignored columns: {', '.join(s.ignored_columns)}")
    if s.repeated_header_rows or s.blank_lines:
        print(f"skipped: {s.repeated_header_rows:,} repeated header lines, {s.blank_lines:,} blank lines")
    if s.unmapped_labels:
        print(f"{s.unmapped_labels:,} labelled rows have a label outside the model's classes (left out of the metrics)")
    if s.binary_metrics:
        b = s.binary_metrics
        print(f"labelled rows {s.labelled_rows:,}: accuracy {b['accuracy']:.4f}, F1 {b['f1']:.4f}, "
              f"false-alarm rate {b['false_alarm_rate']:.4f}")  # fmt: skip
    if s.unparsable:
        print("first unparsable rows: " + "; ".join(f"line {e['line']}: {e['error']}" for e in s.errors[:5]))
    print(f"scores: {output}\nsummary: {summary_path}")
    return 0


def cmd_summarize(args: argparse.Namespace) -> int:
    from msmrnet.evaluation.summary import summarize

    text = summarize(args.runs)
    if args.out:
        atomic_write_text(args.out, text)
    print(text)
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    import shlex
    import sys

    from msmrnet.experiments import EXPERIMENTS, ExperimentData, get_profile
    from msmrnet.experiments.reproduce import check_only, plan, reproduce

    profile = get_profile(args.profile)
    if args.seeds:
        profile = profile.with_seeds(args.seeds)
    profile = profile.with_sizes(args.epochs, args.train_fraction)
    only = check_only(args.only or EXPERIMENTS)
    suffix = "" if args.dataset == "nsl-kdd" else f"-{args.dataset}"  # one default folder per data set: no settings clash
    out = args.out or Path("runs") / f"reproduce-{profile.name}{suffix}"
    # checksums verified now; the test files (or held-out rows) are read later, by evaluation only
    data = ExperimentData.from_dataset(args.dataset, args.data_dir, verify=not args.no_verify)
    the_plan = plan(data, profile, out, only, timed=not args.report_only)
    command = "msmrnet " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else None
    if not args.report_only:
        jobs = f"; {args.jobs} sub-runs at a time" if args.jobs > 1 else ""
        print(f"{profile.name} profile -> {out}\ndata: {data.description}\n{the_plan.describe()}{jobs}", flush=True)
    html = reproduce(data, profile, out, only, progress=False if args.no_progress else None, command=command,
                     the_plan=the_plan, jobs=args.jobs, report_only=args.report_only)  # fmt: skip
    print(f"report: {html}\n        {out / 'report.md'}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from msmrnet.models import count_layers, create_model, list_models, model_entry

    print(f"{'name':<16} {'trainable':>9} {'param-free':>10} {'parameters':>11}  description")
    for name in list_models():
        m = create_model(name, in_features=args.in_features, num_classes=args.num_classes)
        c = count_layers(m)
        print(f"{name:<16} {c['trainable_layers']:>9} {c['parameter_free_layers']:>10} {c['parameters']:>11,}  {model_entry(name).description}")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    from msmrnet.data import registry
    from msmrnet.errors import DataError

    names = args.names or list(registry.FILES)
    if args.action == "list":
        for n in args.names or [*registry.FILES, *registry.ROWS_ONLY]:
            f = registry.get_file(n)
            found = "  (found by row count)" if f.by_rows else ""
            print(f"{n:<22} {f.dataset}/{f.filename}  {f.rows:,} rows  sha256 {f.sha256 or '(none published)'}{found}")
        return 0
    if args.action == "download":
        from msmrnet.data.download import download

        for n in names:
            print(f"{n}: {download(n, args.data_dir)}")
        return 0
    failed = 0
    for n in names:
        try:
            path = registry.locate(n, args.data_dir)
            registry.verify(n, path)
            print(f"ok      {n:<22} {path}")
        except DataError as exc:
            failed += 1
            print(f"FAILED  {n:<22} {exc}")
    return 1 if failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    import dataclasses

    from msmrnet.bench.run import BenchConfig, format_table, quick_config, run_bench

    cfg = quick_config() if args.quick else BenchConfig()
    given = {"models": tuple(args.models) if args.models else None, "batch_sizes": tuple(args.batch_sizes) if args.batch_sizes else None,
             "micro_batch": args.micro_batch, "threads": args.threads, "repeats": args.repeats, "data_dir": args.data_dir,
             "accuracy_epochs": args.accuracy_epochs or None, "detect_rows": args.detect_rows or None}  # fmt: skip
    cfg = dataclasses.replace(cfg, **{k: v for k, v in given.items() if v is not None})
    result = run_bench(cfg)
    print(format_table(result))
    if args.json:
        atomic_write_json(args.json, result)
        print(f"figures written to {args.json}")
    return 0
