"""StudyResult.summary() never prints a forest's bootstrap-corrected C bare: Harrell's bootstrap
correction is invalid for a model that memorises its training patients (the study takes the
forest's calibration out of fold and says so in the notes)."""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from prognosis.study import StudyResult


def _result(forest_method: str):
    rows = [("RSF", "harrell_c", np.nan, 0.87, 0.79, "bootstrap"),
            ("RSF", "ici", 12.0, 0.01, 0.02, forest_method),
            ("Cox", "harrell_c", np.nan, 0.76, 0.75, "bootstrap")]
    m = pd.DataFrame(rows, columns=["predictor", "metric", "horizon", "apparent", "corrected", "method"])
    m["ci_low"], m["ci_high"] = m["corrected"] - 0.01, m["corrected"] + 0.01
    comp = pd.DataFrame([{"predictor": p, "reference": "katagiri_new", "metric": "harrell_c",
                          "corrected_delta": d, "ci_low": d - 0.02, "ci_high": d + 0.02}
                         for p, d in (("RSF", 0.09), ("Cox", 0.06))])
    return SimpleNamespace(config=SimpleNamespace(name="t"), metrics=m, comparisons=comp)


def test_forest_c_and_delta_c_are_flagged():
    text = str(StudyResult.summary(_result("5-fold CV (out-of-fold)")))
    lines = text.splitlines()
    assert lines[1].endswith("0.790 corrected (0.780–0.800) — optimistic for a forest, see the notes")
    assert lines[2].endswith("0.750 corrected (0.740–0.760)")
    assert lines[3] == "  ΔC RSF vs katagiri_new: +0.090 (+0.070 to +0.110) — not interpretable for a forest"
    assert lines[4] == "  ΔC Cox vs katagiri_new: +0.060 (+0.040 to +0.080)"


def test_no_flag_without_out_of_fold_rows():
    assert "forest" not in str(StudyResult.summary(_result("bootstrap")))
