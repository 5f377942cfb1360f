"""The summary of findings never ranks a random forest by its bootstrap-corrected C (invalid for
forests, whose calibration the study takes out of fold) and labels its ΔC as not interpretable."""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from prognosis.report.html import findings


def _result(forest_method: str):
    rows = [
        # predictor, kind, metric, horizon, corrected, method
        ("RSF", "model", "harrell_c", np.nan, 0.79, "bootstrap"),
        ("RSF", "model", "ici", 12.0, 0.02, forest_method),
        ("Cox", "model", "harrell_c", np.nan, 0.76, "bootstrap"),
        ("Cox", "model", "ici", 12.0, 0.01, "bootstrap"),
        ("katagiri_new", "score", "harrell_c", np.nan, 0.70, "bootstrap"),
    ]
    m = pd.DataFrame(rows, columns=["predictor", "kind", "metric", "horizon", "corrected", "method"])
    m["ci_low"], m["ci_high"] = m["corrected"] - 0.01, m["corrected"] + 0.01
    comp = pd.DataFrame([{"predictor": "RSF", "reference": "katagiri_new", "metric": "harrell_c",
                          "corrected_delta": 0.09, "ci_low": 0.07, "ci_high": 0.11},
                         {"predictor": "Cox", "reference": "katagiri_new", "metric": "harrell_c",
                          "corrected_delta": 0.06, "ci_low": 0.04, "ci_high": 0.08}])
    return SimpleNamespace(provenance={}, metrics=m, comparisons=comp, oracle=pd.DataFrame(),
                           transport=None, external=None)


def test_forest_with_out_of_fold_calibration_is_not_ranked():
    text = findings(_result("5-fold CV (out-of-fold)"))
    assert text[0] == ("Highest optimism-corrected Harrell C: Cox 0.760 (0.750–0.770) (random forests not "
                       "ranked: their bootstrap-corrected C is optimistic, see the notes: RSF).")
    assert ("RSF vs katagiri_new: ΔC +0.090 (95% CI +0.070 to +0.110) — bootstrap-corrected, optimistic for a "
            "random forest: not interpretable.") in text
    assert "Cox vs katagiri_new: ΔC +0.060 (95% CI +0.040 to +0.080) — better." in text


def test_without_out_of_fold_rows_every_predictor_is_ranked():
    text = findings(_result("bootstrap"))
    assert text[0] == "Highest optimism-corrected Harrell C: RSF 0.790 (0.780–0.800)."
