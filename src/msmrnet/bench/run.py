"""The performance benchmark: our MSMRNet against the plain reference, same weights, one run.

Measures, for each model: training samples/s, inference flows/s at several batch sizes,
single-flow latency (p50/p99), peak resident memory while scoring, the largest output
difference between the two implementations, and the achieved FLOP rate as a fraction of the
machine's peak. Optionally: validation accuracy after one epoch of real training with each
implementation, and `msmrnet detect` on a large generated CSV (rows/s and peak memory).
Figures are printed as a table and returned as a dict (written as JSON by the CLI).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import platform
import queue as queue_module
import resource
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

from msmrnet.bench.reference import ReferenceMSMRNet
from msmrnet.models import create_model, kernels
from msmrnet.models.scoring import MICRO_BATCH, predict_logits

log = logging.getLogger(__name__)


@dataclass
class BenchConfig:
    models: tuple[str, ...] = ("msmrnet_5", "msmrnet_10")
    in_features: int = 122  # NSL-KDD after one-hot encoding
    num_classes: int = 5
    batch_sizes: tuple[int, ...] = (1, 64, 4096)
    rows: int = 4096  # flows scored per timing at batch sizes above 1
    latency_calls: int = 200  # single-flow calls for p50/p99
    train_batches: int = 8
    train_batch_size: int = 256
    repeats: int = 3  # best of, against noise from other processes
    micro_batch: int = MICRO_BATCH
    threads: int | None = None  # torch intra-op threads; None = PyTorch's default (all cores)
    accuracy_epochs: int = 0  # >0: train both for this many epochs on KDDTrain+ and compare validation accuracy
    detect_rows: int = 0  # >0: time `detect` on a CSV of this many rows built from KDDTest+
    data_dir: str | None = None
    seed: int = 0


# -- the machine -------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    """CPU name, cores, clock, vector width, and the FLOP-rate peaks (theoretical and measured)."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    field_of = lambda key: next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith(key)), "")  # noqa: E731
    flags = set(field_of("flags").split())
    cores = os.cpu_count() or 1
    threads = min(torch.get_num_threads(), cores)
    mhz = float(field_of("cpu MHz") or 0.0)
    # fp32 FLOPs per cycle per core: two FMA pipes x vector lanes x 2 (multiply + add)
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    per_cycle = 2 * lanes * 2 if "fma" in flags or "avx512f" in flags else lanes * 2
    a, b = torch.rand(2048, 2048), torch.rand(2048, 2048)
    torch.mm(a, b)
    best = min(_timed(lambda: torch.mm(a, b)) for _ in range(3))
    return {
        "cpu": field_of("model name") or platform.processor(), "cores": cores, "mhz": mhz,
        "torch": torch.__version__, "threads": torch.get_num_threads(), "fused_kernel": kernels.fused_recurrence() is not None,
        # the peak of the cores this run may use (torch threads), so fractions are not understated
        "peak_gflops_theoretical": round(threads * mhz * 1e6 * per_cycle / 1e9, 1) if mhz else None,
        "flops_per_cycle_per_core": per_cycle,
        "peak_gflops_sgemm": round(2 * 2048**3 / best / 1e9, 1),
    }  # fmt: skip


def flops_per_flow(model: torch.nn.Module) -> int:
    """Forward FLOPs of one flow (multiply-add = 2) in the chapter's formulation: convolutions,
    LSTM input and recurrent products, the fully connected head; activations not counted."""
    cfg = model.config
    n = cfg.in_features
    total = 0
    for i in range(cfg.depth):
        c_in = 1 if i == 0 else cfg.hidden
        total += sum(2 * c_in * cfg.width * k * n for k in cfg.kernel_sizes)
        total += 2 * n * 4 * cfg.hidden * (cfg.width * len(cfg.kernel_sizes) + cfg.hidden)
    return total + 2 * cfg.hidden * n * cfg.num_classes


# -- timing helpers ----------------------------------------------------------------------------
def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _best(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: caches, lazy initialisation, the kernel build
    return min(_timed(fn) for _ in range(repeats))


def _scorers(ours: torch.nn.Module, ref: torch.nn.Module, micro_batch: int) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    def score_ref(x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return ref(x)  # the plain way: the whole batch at once

    return {"ours": lambda x: predict_logits(ours, x, micro_batch), "reference": score_ref}


def _throughput(score: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, batch: int, repeats: int) -> float:
    chunks = [x[i : i + batch] for i in range(0, len(x), batch)]
    return len(x) / _best(lambda: [score(c) for c in chunks], repeats)


def _latency(score: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, calls: int) -> dict[str, float]:
    score(x[:1])
    times = [_timed(lambda i=i: score(x[i % len(x) : i % len(x) + 1])) for i in range(calls)]
    times.sort()
    return {"p50_ms": 1e3 * statistics.median(times), "p99_ms": 1e3 * times[min(len(times) - 1, int(0.99 * len(times)))],
            "flows_per_s": len(times) / sum(times)}  # fmt: skip


def _train_rate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int, repeats: int) -> float:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def epoch() -> None:
        for i in range(0, len(x), batch):
            loss = F.cross_entropy(model(x[i : i + batch]), y[i : i + batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return len(x) / _best(epoch, repeats)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB.

    VmHWM from /proc, not ``getrusage``: on Linux ru_maxrss survives exec, so a spawned child
    would report its parent's peak when the parent was larger.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score_in_child(name: str, impl: str, cfg: BenchConfig, queue: Any) -> None:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ours = create_model(name, in_features=cfg.in_features, num_classes=cfg.num_classes).eval()
    model = ours if impl == "ours" else ReferenceMSMRNet(ours.config).eval()
    x = torch.rand(max(cfg.batch_sizes), cfg.in_features)
    score = _scorers(model, model, cfg.micro_batch)[impl]
    score(x)
    queue.put(peak_rss_mb())


def _peak_rss_mb(name: str, impl: str, cfg: BenchConfig) -> float:
    """Peak resident memory (MiB) of a fresh interpreter that scores one largest batch: the
    implementation's own figure (interpreter, PyTorch, model and activations)."""
    return float(run_in_child(_score_in_child, name, impl, cfg))


def run_in_child(target: Callable[..., None], *args: Any) -> Any:
    """Run ``target(*args, queue)`` in a spawned interpreter and return what it puts on the queue.

    Spawned, not forked: OpenMP thread pools do not survive fork. A child that dies is reported
    instead of waited for.
    """
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    try:
        while True:
            try:
                return queue.get(timeout=1.0)
            except queue_module.Empty:
                if not proc.is_alive():
                    raise RuntimeError(f"benchmark child process {target.__name__} failed (exit code {proc.exitcode})") from None
    finally:
        proc.join()


# -- the benchmark -----------------------------------------------------------------------------
def bench_model(name: str, cfg: BenchConfig, machine: dict[str, Any]) -> dict[str, Any]:
    torch.manual_seed(cfg.seed)
    ours = create_model(name, in_features=cfg.in_features, num_classes=cfg.num_classes)
    ref = ReferenceMSMRNet(ours.config)
    ref.load_state_dict(ours.state_dict())  # same weights, so outputs must agree
    ours.eval(), ref.eval()
    gen = torch.Generator().manual_seed(cfg.seed)
    x = torch.rand(cfg.rows, cfg.in_features, generator=gen)
    scorers = _scorers(ours, ref, cfg.micro_batch)
    out: dict[str, Any] = {"model": name, "parameters": sum(p.numel() for p in ours.parameters()),
                           "flops_per_flow": flops_per_flow(ours)}  # fmt: skip
    with torch.inference_mode():
        sample = x[: min(len(x), 512)]
        out["max_abs_diff"] = float((predict_logits(ours, sample) - ref(sample)).abs().max())
    for impl, score in scorers.items():
        res: dict[str, Any] = {}
        for batch in cfg.batch_sizes:
            if batch == 1:
                res["latency"] = _latency(score, x, cfg.latency_calls)
                res["flows_per_s@1"] = res["latency"]["flows_per_s"]
            else:
                res[f"flows_per_s@{batch}"] = _throughput(score, x, batch, cfg.repeats)
                log.info("%s %s batch %d: %.0f flows/s", name, impl, batch, res[f"flows_per_s@{batch}"])
        res["peak_rss_mb"] = _peak_rss_mb(name, impl, cfg)
        out[impl] = res
    # training: same initial weights and batches for both implementations
    yt = torch.randint(0, cfg.num_classes, (cfg.train_batches * cfg.train_batch_size,), generator=gen)
    xt = torch.rand(len(yt), cfg.in_features, generator=gen)
    for impl, model in (("ours", ours), ("reference", ref)):
        out[impl]["train_samples_per_s"] = _train_rate(model, xt, yt, cfg.train_batch_size, cfg.repeats)
        log.info("%s %s training: %.0f samples/s", name, impl, out[impl]["train_samples_per_s"])
    big = max(cfg.batch_sizes)
    out["ratio_inference"] = {str(b): out["ours"][f"flows_per_s@{b}"] / out["reference"][f"flows_per_s@{b}"] for b in cfg.batch_sizes}
    out["ratio_training"] = out["ours"]["train_samples_per_s"] / out["reference"]["train_samples_per_s"]
    gflops = out["ours"][f"flows_per_s@{big}"] * out["flops_per_flow"] / 1e9
    out["achieved_gflops"] = gflops
    out["fraction_of_peak"] = {k: gflops / machine[k] for k in ("peak_gflops_theoretical", "peak_gflops_sgemm") if machine.get(k)}
    return out


def run_bench(cfg: BenchConfig) -> dict[str, Any]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    machine = machine_info()
    log.info("machine: %s", machine)
    result: dict[str, Any] = {"config": asdict(cfg), "machine": machine, "models": []}
    for name in cfg.models:
        result["models"].append(bench_model(name, cfg, machine))
    if cfg.accuracy_epochs:
        from msmrnet.bench.accuracy import compare_training

        result["accuracy"] = compare_training(cfg)
    if cfg.detect_rows:
        from msmrnet.bench.detect import bench_detect

        raw = next((m["ours"][f"flows_per_s@{max(cfg.batch_sizes)}"] for m in result["models"] if m["model"] == "msmrnet_5"), None)
        result["detect"] = bench_detect(cfg, raw)
    return result


def format_table(result: dict[str, Any]) -> str:
    """The benchmark's figures as a fixed-width text table."""
    m = result["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores @ {m['mhz']:.0f} MHz, torch threads: {m['threads']}, torch {m['torch']}, "
             f"fused kernel: {'yes' if m['fused_kernel'] else 'NO'}",
             f"peak fp32 on {min(m['threads'], m['cores'])} core(s): {m['peak_gflops_theoretical']} GFLOP/s theoretical ({m['flops_per_cycle_per_core']} FLOP/cycle/core), "
             f"{m['peak_gflops_sgemm']} GFLOP/s measured (2048^3 sgemm)", ""]  # fmt: skip
    for r in result["models"]:
        batches = [k.split("@")[1] for k in r["ours"] if k.startswith("flows_per_s@")]
        head = ["", *[f"flows/s @{b}" for b in batches], "p50 ms", "p99 ms", "train samples/s", "peak RSS MB"]
        rows = []
        for impl in ("reference", "ours"):
            d = r[impl]
            rows.append([impl, *[f"{d[f'flows_per_s@{b}']:.0f}" for b in batches], f"{d['latency']['p50_ms']:.2f}" if "latency" in d else "-",
                         f"{d['latency']['p99_ms']:.2f}" if "latency" in d else "-", f"{d['train_samples_per_s']:.0f}", f"{d['peak_rss_mb']:.0f}"])  # fmt: skip
        rows.append(["ours/ref", *[f"{r['ratio_inference'][b]:.2f}x" for b in batches], "", "", f"{r['ratio_training']:.2f}x", ""])
        widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
        lines.append(f"{r['model']}: {r['parameters']:,} parameters, {r['flops_per_flow'] / 1e6:.2f} MFLOP per flow, "
                     f"max |ours - reference| = {r['max_abs_diff']:.2e}")  # fmt: skip
        lines += [("  " + "  ".join(str(c).rjust(w) for c, w in zip(row, widths))).rstrip() for row in [head, *rows]]
        frac = ", ".join(f"{v:.0%} of {k.replace('peak_gflops_', '')} peak" for k, v in r["fraction_of_peak"].items())
        lines += [f"  achieved at batch {batches[-1]}: {r['achieved_gflops']:.1f} GFLOP/s ({frac})", ""]
    if "accuracy" in result:
        a = result["accuracy"]
        lines.append(f"training parity ({a['epochs']} epoch(s) on {a['train_rows']:,} KDDTrain+ rows, validation {a['val_rows']:,}): "
                     f"reference {a['reference_val_accuracy']:.4f}, ours {a['ours_val_accuracy']:.4f}, "
                     f"difference {100 * (a['ours_val_accuracy'] - a['reference_val_accuracy']):+.2f} pp; "
                     f"wall {a['reference_seconds']:.0f} s vs {a['ours_seconds']:.0f} s")  # fmt: skip
    if "detect" in result:
        d = result["detect"]
        lines.append(f"detect: {d['rows']:,} rows in {d['seconds']:.1f} s = {d['rows_per_s']:.0f} rows/s "
                     f"({d['fraction_of_raw']:.0%} of raw inference), peak RSS {d['peak_rss_mb']:.0f} MB")  # fmt: skip
    return "\n".join(lines)


def quick_config() -> BenchConfig:
    """A seconds-long run with small figures, for tests and a first look."""
    return BenchConfig(models=("msmrnet_5",), batch_sizes=(1, 64), rows=128, latency_calls=5, train_batches=2,
                       train_batch_size=32, repeats=1)  # fmt: skip


__all__ = ["BenchConfig", "run_bench", "format_table", "machine_info", "flops_per_flow", "quick_config"]
