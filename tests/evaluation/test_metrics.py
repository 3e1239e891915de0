import numpy as np
import pytest

from msmrnet.evaluation import binary_metrics, metrics_markdown, multiclass_metrics
from msmrnet.evaluation.plots import plot_confusion_matrix, plot_history


def test_binary_metrics_by_hand():
    truth = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], dtype=bool)
    pred = np.array([0, 0, 0, 1, 1, 1, 1, 1, 0, 0], dtype=bool)  # TN 3, FP 1, TP 4, FN 2
    m = binary_metrics(truth, pred, pred.astype(float))
    assert m["accuracy"] == pytest.approx(0.7)
    assert m["precision"] == pytest.approx(4 / 5)
    assert m["recall"] == pytest.approx(4 / 6)
    assert m["false_alarm_rate"] == pytest.approx(1 / 4)
    assert m["f1"] == pytest.approx(2 * 0.8 * (2 / 3) / (0.8 + 2 / 3))
    assert m["confusion_matrix"]["matrix"] == [[3, 1], [2, 4]]
    assert m["roc_auc"] == pytest.approx((0.75 + 4 / 6) / 2)  # two-point ROC curve


def test_roc_auc_absent_when_one_class():
    assert binary_metrics(np.ones(3, bool), np.ones(3, bool), np.ones(3))["roc_auc"] is None


def test_multiclass_metrics():
    classes = ["normal", "DoS", "U2R"]
    m = multiclass_metrics(["normal", "DoS", "DoS", "U2R"], ["normal", "DoS", "normal", "DoS"], classes)
    assert m["accuracy"] == 0.5
    assert m["per_class"]["DoS"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert m["per_class"]["U2R"]["recall"] == 0.0
    assert m["confusion_matrix"]["matrix"] == [[1, 0, 0], [1, 1, 0], [0, 1, 0]]
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0) / 3)


def test_markdown_and_figures(tmp_path):
    b = binary_metrics(np.array([0, 1, 1], bool), np.array([0, 1, 0], bool), np.array([0.1, 0.9, 0.4]))
    md = metrics_markdown([{"dataset": "KDDTest+", "rows": 3, "binary": b}])
    assert "| KDDTest+ | 3 | 0.6667 | 1.0000 | 0.5000 |" in md
    png = plot_confusion_matrix([[5, 1], [2, 7]], ["normal", "attack"], "t", tmp_path / "cm.png")
    hist = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e, "val_accuracy": 0.5 + e / 10, "best": True} for e in (1, 2, 3)]
    curve = plot_history(hist, tmp_path / "loss.png")
    for path in (png, curve):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_balanced_threshold_ignores_class_sizes():
    from msmrnet.evaluation.metrics import balanced_threshold

    # 1,000 normal rows scored 0.0-0.3, 10 attacks scored 0.2-0.29: accuracy alone would say 'never alert'
    normal = np.linspace(0.0, 0.3, 1000)
    attack = np.linspace(0.2, 0.29, 10)
    score = np.concatenate([normal, attack])
    truth = np.r_[np.zeros(1000, bool), np.ones(10, bool)]
    choice = balanced_threshold(truth, score)
    assert 0.19 < choice["threshold"] <= 0.2 + 1e-9
    assert choice["tpr"] == 1.0 and choice["balanced_accuracy"] > choice["balanced_accuracy_at_0.5"] == 0.5
    with pytest.raises(ValueError, match="both normal and attack"):
        balanced_threshold(np.zeros(3, bool), np.zeros(3))
