"""The benchmark runs end to end and reports consistent figures (a smoke test, not a measurement)."""

import json

from msmrnet.bench.run import flops_per_flow, format_table, quick_config, run_bench
from msmrnet.cli.main import main
from msmrnet.models import create_model


def test_flop_count_of_msmrnet_5_by_hand():
    model = create_model("msmrnet_5", in_features=122, num_classes=5)
    conv_first = 2 * 1 * 16 * (1 + 3 + 5) * 122
    conv_rest = 2 * 16 * 16 * (1 + 3 + 5) * 122
    lstm = 2 * 122 * 64 * (48 + 16)
    head = 2 * 16 * 122 * 5
    assert flops_per_flow(model) == conv_first + 4 * conv_rest + 5 * lstm + head


def test_quick_bench_reports_both_implementations_and_agreement():
    result = run_bench(quick_config())
    (r,) = result["models"]
    assert r["max_abs_diff"] < 1e-4  # same weights, same function
    for impl in ("ours", "reference"):
        assert r[impl]["flows_per_s@64"] > 0 and r[impl]["train_samples_per_s"] > 0
        assert r[impl]["latency"]["p99_ms"] >= r[impl]["latency"]["p50_ms"] > 0
        assert r[impl]["peak_rss_mb"] > 50
    assert r["ratio_inference"]["64"] == r["ours"]["flows_per_s@64"] / r["reference"]["flows_per_s@64"]
    table = format_table(result)
    assert "ours/ref" in table and "msmrnet_5" in table and "peak" in table


def test_bench_cli_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--json", str(out), "-q"]) == 0
    data = json.loads(out.read_text())
    assert data["models"][0]["model"] == "msmrnet_5" and data["machine"]["cores"] >= 1
    assert "flows/s @64" in capsys.readouterr().out
