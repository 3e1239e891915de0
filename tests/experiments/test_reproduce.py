"""All three experiments end to end on generated data: report, tables, figures, resume."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from msmrnet.errors import ConfigError, MsmrnetError
from msmrnet.experiments import comparison, pca_views, validity
from msmrnet.experiments.profiles import COMPARISON_MODELS, VALIDITY_MODELS
from msmrnet.experiments.reproduce import plan, reproduce
from tests.experiments.tiny import tiny_data, tiny_profile


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("reproduce")
    calls: list[str] = []
    data = tiny_data(root / "data", calls=calls)
    profile = tiny_profile()
    html = reproduce(data, profile, root / "run", progress=False, command="msmrnet reproduce (test)")
    return root / "run", data, profile, html, calls


def _table_after(md: str, marker: str) -> list[str]:
    """Body rows of the first table at or after the line holding ``marker``."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line)
    rows = []
    for line in lines[start:]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return rows[2:]


def test_report_is_written_with_every_figure(run):
    out, _, _, html, _ = run
    md = (out / "report.md").read_text()
    assert "QUICK PROFILE: INDICATIVE ONLY" in md and "How the choices were made" in md
    figures = re.findall(r"\]\((figures/[^)]+\.png)\)", md)
    assert {"figures/pca_2d.png", "figures/pca_3d.png", "figures/validity_loss_curves.png", "figures/comparison_accuracy.png"} <= set(figures)
    for f in figures:
        assert (out / f).stat().st_size > 1000
    page = html.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(figures)
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert 'src="figures/' not in page  # self-contained


def test_pca_table_and_verdict(run):
    out, *_ = run
    md = (out / "report.md").read_text()
    rows = _table_after(md, "## 1. Preprocessing views")
    assert [r.split("|")[1].strip() for r in rows] == [label for label, _ in pca_views.VIEWS]
    assert "The chapter's claim" in md
    result = json.loads((out / "pca" / "result.json").read_text())
    for view in result["views"]:
        assert 0 <= view["knn_accuracy_2d"] <= 1 and -1 <= view["silhouette_3d"] <= 1 and 0 < view["explained_variance_2d"] <= 1


def test_validity_tables_counts_and_verdict(run):
    out, *_ = run
    md = (out / "report.md").read_text()
    section = md.split("## 2. Validity", 1)[1]
    counts = _table_after(section, "| model | trainable layers")
    labels = [label for label, *_ in VALIDITY_MODELS]
    assert [r.split("|")[1].strip() for r in counts] == labels
    assert "| MSMRNet-5 | 21 | 10 |" in section and "| MSMRNet-10 | 41 | 20 |" in section
    curves = _table_after(section, "epochs to val. loss")
    assert len(curves) == 4 and all("reached" in r for r in curves)
    assert "Depth 5:" in section and "Depth 10 vs 5 without identity mappings" in section
    history = json.loads((out / "validity" / "msmnet_10" / "seed1" / "result.json").read_text())["history"]
    assert len(history) == 2  # early stopping off: full curves


def test_comparison_tables_have_every_model_and_the_references(run):
    out, _, profile, _, _ = run
    md = (out / "report.md").read_text()
    labels = [label for label, _ in COMPARISON_MODELS]
    for task in ("binary (normal vs attack)", "5-class (normal, DoS, Probe, R2L, U2R)"):
        for test in ("KDDTest+", "KDDTest-21"):
            rows = _table_after(md, f"### {task}: {test}")
            assert [r.split("|")[1].strip() for r in rows] == [f"{label} (2 seeds)" for label in labels]
            assert all("±" in r for r in rows)
    refs = _table_after(md, "### Published results beside ours")
    assert len(refs) == len(labels) + len(comparison.REFERENCES)
    assert sum("reported elsewhere" in r for r in refs) == 3 and "83.28" in md and "69.42" in md and "66.16" in md
    assert len(_table_after(md, "### Cost: training time")) == len(labels)


def test_tests_are_read_only_for_evaluation(run):
    out, _, _, _, calls = run
    assert calls == ["KDDTest+", "KDDTest-21"]  # once each, cached, and only by evaluation
    r = json.loads((out / "comparison" / "binary" / "tcn" / "seed0" / "result.json").read_text())
    assert set(r["test"]) == {"KDDTest+", "KDDTest-21"} and r["test"]["KDDTest+"]["rows_per_second"] > 0


def test_resume_skips_finished_sub_runs_and_redoes_a_missing_one(run, monkeypatch):
    out, data, profile, _, _ = run
    import shutil

    from msmrnet.experiments import runner

    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/**/result.json")}
    shutil.rmtree(out / "comparison" / "multiclass" / "mlp" / "seed1")
    assert plan(data, profile, out).finished == len(stamps) - 1
    ran = []
    real = runner.train_and_score
    monkeypatch.setattr(comparison, "train_and_score", lambda d, s, evaluate=True: ran.append(s["model"]) or real(d, s, evaluate))
    monkeypatch.setattr(validity, "train_and_score", lambda d, s, evaluate=True: ran.append(s["model"]) or real(d, s, evaluate))
    reproduce(data, profile, out, progress=False)
    assert ran == ["mlp"]
    again = {p: p.stat().st_mtime_ns for p in out.glob("*/**/result.json")}
    changed = [p for p in stamps if again[p] != stamps[p]]
    assert [p.relative_to(out).as_posix() for p in changed] == ["comparison/multiclass/mlp/seed1/result.json"]
    assert (out / "report.html").is_file()


def test_other_settings_in_the_same_folder_are_refused(run):
    out, data, profile, _, _ = run
    import dataclasses

    with pytest.raises(MsmrnetError, match="other settings"):
        reproduce(data, dataclasses.replace(profile, validity_epochs=3), out, only=["validity"], progress=False)


def test_unknown_experiment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown experiment"):
        plan(tiny_data(tmp_path), tiny_profile(), tmp_path / "run", only=["pca", "fig3"])


def _model(label: str, val_curves: list[list[float]]) -> dict:
    """A validity model summary as ``validity.summarize`` makes it, from per-seed validation curves."""
    val = np.array(val_curves)
    return {"label": label, "epochs_to_target": [3] * len(val), "reached": len(val), "auc": val.mean(axis=1),
            "best_val": val.min(axis=1), "final_train": val[:, -1]}


def test_validity_verdict_does_not_call_a_one_seed_difference_within_the_spread():
    one = {"msmnet_10": _model("MSMNet-10", [[0.9, 0.9]]), "msmrnet_10": _model("MSMRNet-10", [[0.1, 0.05]]),
           "msmnet_5": _model("MSMNet-5", [[0.2, 0.1]]), "msmrnet_5": _model("MSMRNet-5", [[0.1, 0.05]])}
    one["msmrnet_10"]["epochs_to_target"] = [1]
    lines = validity.verdict(one)
    depth10 = next(line for line in lines if line.startswith("Depth 10:"))
    assert "one seed so far" in depth10 and "within the seed spread" not in depth10
    plain = next(line for line in lines if "without identity mappings" in line)
    assert "one seed so far" in plain and "depth 10 degrades" not in plain
    # with several seeds and a gap far beyond their spread, the same difference is clear
    many = {"msmnet_10": _model("MSMNet-10", [[0.9, 0.9], [0.91, 0.9]]), "msmrnet_10": _model("MSMRNet-10", [[0.1, 0.05], [0.11, 0.05]]),
            "msmnet_5": _model("MSMNet-5", [[0.2, 0.1], [0.21, 0.1]]), "msmrnet_5": _model("MSMRNet-5", [[0.1, 0.05], [0.1, 0.06]])}
    many["msmrnet_10"]["epochs_to_target"] = [1, 1]
    lines = validity.verdict(many)
    assert "(clearly: beyond the seed spread)" in next(line for line in lines if line.startswith("Depth 10:"))
    assert "depth 10 degrades" in next(line for line in lines if "without identity mappings" in line)


def test_validity_verdict_lets_the_mean_loss_decide_when_epochs_to_target_tie():
    models = {"msmnet_5": _model("MSMNet-5", [[0.3, 0.2], [0.32, 0.2]]), "msmrnet_5": _model("MSMRNet-5", [[0.1, 0.05], [0.11, 0.05]])}
    line = validity.verdict(models)[0]
    assert line.startswith("Depth 5:") and "they converged faster" in line and "Mixed" not in line
