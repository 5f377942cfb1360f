"""StudyResult: the tidy tables a study produces, their files, and the HTML report."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._summary import Summary
from ..metrics import catalogue

__all__ = ["StudyResult", "TABLES", "OUT_OF_FOLD_METHOD", "forest_predictors"]

#: ``method`` of the metric rows the study takes from 5-fold out-of-fold predictions instead of
#: Harrell's bootstrap correction (random forests' calibration: ``study.run``).
OUT_OF_FOLD_METHOD = "5-fold CV (out-of-fold)"


def forest_predictors(result) -> list[str]:
    """Predictors whose calibration the study took from out-of-fold predictions because Harrell's
    bootstrap correction is invalid for them (random forests: ``study.run``), while their C is
    still bootstrap-corrected."""
    m = result.metrics
    if "method" not in m.columns:
        return []
    oof = m["method"].astype(str) == OUT_OF_FOLD_METHOD
    boot_c = (m["metric"] == "harrell_c") & (m["method"].astype(str) == "bootstrap")
    return sorted(set(m.loc[oof, "predictor"]) & set(m.loc[boot_c, "predictor"]))

#: Tables written by :meth:`StudyResult.save` (name -> attribute); all tidy, one row per fact.
TABLES = ("metrics", "calibration", "calibration_curves", "calibration_groups", "comparisons", "km", "decision_curves",
          "external", "transport", "table1", "table1_external", "oracle", "failures", "predictors",
          "external_counts", "km_external")

#: Written only when present (temporal validation, model updating).
OPTIONAL_TABLES = ("drift", "updating", "updating_tests")

#: Fixed float format so that the same config + seed gives byte-identical CSV files.
FLOAT_FORMAT = "%.10g"


@dataclass
class StudyResult:
    """Everything a study computed, as tidy DataFrames.

    Attributes
    ----------
    metrics : DataFrame
        ``predictor, kind, metric, horizon, apparent, optimism, corrected, ci_low, ci_high, n_rep``
        (development cohort; tidy: one row per predictor, measure and horizon, ``horizon`` NaN for
        horizon-free measures such as the C-indices). ``metric`` is the measure's name in
        :mod:`prognosis.metrics.catalogue`, which gives its label, group, direction and decimals.
    calibration : DataFrame
        Calibration measures per predictor and horizon (rows of ``metrics`` whose measure is in
        the catalogue's calibration group, pivoted), development cohort: ``<metric>_apparent``
        (in-sample; meaningless for a forest) and ``<metric>_corrected`` (optimism-corrected or
        cross-validated), never one unlabelled.
    calibration_curves : DataFrame
        ``cohort, predictor, horizon, predicted_risk, observed_risk``: the smoothed curve (Austin
        2020), 101 points per predictor and horizon.
    calibration_groups : DataFrame
        Grouped calibration (deciles of predicted risk): predicted vs Kaplan–Meier observed
        survival and risk with 95% CI.
    comparisons : DataFrame
        Paired ΔC of each model vs the best classic score with CI and p.
    km : DataFrame
        Kaplan–Meier by score group: ``score, group, time, survival, lower, upper, n``.
    decision_curves : DataFrame
        ``cohort, horizon, predictor, threshold, net_benefit`` (with ``treat all``/``treat none``).
    external, transport : DataFrame
        External-cohort measures (value with bootstrap ``ci_low``/``ci_high`` and ``n_rep``) and
        transport/recalibration measures (empty without one).
    external_counts : DataFrame
        Patients, deaths and deaths before each horizon of the external cohort.
    km_external : DataFrame
        Kaplan–Meier by score group in the external cohort (same columns as ``km``).
    table1, table1_external : DataFrame
    oracle : DataFrame
        ``cohort, harrell_c`` of the true linear predictor for simulated cohorts (else empty).
    failures : DataFrame
        Fits that failed inside a replicate.
    predictors : DataFrame
        ``predictor, kind, detail`` — what each row label means.
    provenance : dict
        Input checksums, config, seed, package versions, run time.

    Examples
    --------
    >>> from prognosis import study
    >>> config = {"name": "tiny", "cohorts": {"development": "demo"},
    ...           "scores": ["revised_tokuhashi"],
    ...           "models": [{"name": "Cox", "kind": "cox", "features": "clinical"}],
    ...           "horizons": [6, 12], "validation": {"method": "bootstrap", "n_boot": 5},
    ...           "seed": 1, "n_jobs": 1}
    >>> result = study.run(config)
    >>> print(result.summary())  # doctest: +ELLIPSIS
    Study: tiny
      revised_tokuhashi ...Harrell C 0.648 apparent, 0.644 corrected ...
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> result.to_html(out / "index.html").name
    'index.html'
    """

    config: object
    metrics: pd.DataFrame
    calibration: pd.DataFrame
    calibration_curves: pd.DataFrame
    calibration_groups: pd.DataFrame
    comparisons: pd.DataFrame
    km: pd.DataFrame
    decision_curves: pd.DataFrame
    external: pd.DataFrame
    transport: pd.DataFrame
    table1: pd.DataFrame
    table1_external: pd.DataFrame
    oracle: pd.DataFrame
    failures: pd.DataFrame
    predictors: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    external_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    km_external: pd.DataFrame = field(default_factory=pd.DataFrame)
    fitted: dict = field(default_factory=dict, repr=False)
    #: performance by calendar period (temporal validation), model updating performance and tests
    drift: pd.DataFrame = field(default_factory=pd.DataFrame)
    updating: pd.DataFrame = field(default_factory=pd.DataFrame)
    updating_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: missing-data handling (prognosis.study.imputation.summarise): method, m, pattern, FMI, CC vs MI
    imputation: dict = field(default_factory=dict, repr=False)

    # -- views ---------------------------------------------------------------------------
    def discrimination(self) -> pd.DataFrame:
        """Horizon-free discrimination measures of the measure catalogue (Harrell and Uno C):
        apparent and corrected with CI, one row per predictor."""
        m = self.metrics[self.metrics["metric"].isin(catalogue.names(group="discrimination", per_horizon=False))]
        return m.pivot_table(index="predictor", columns="metric", values=["apparent", "corrected", "ci_low", "ci_high"],
                             sort=False)

    def summary(self) -> Summary:
        """Harrell C per predictor and the ΔC comparisons: ``str()`` is the text, ``.table`` the C rows."""
        lines = [f"Study: {getattr(self.config, 'name', '')}"]
        c = self.metrics[self.metrics["metric"] == "harrell_c"]
        lab, d = catalogue.label("harrell_c"), catalogue.decimals("harrell_c")
        # forests: the bootstrap correction is invalid for a model that memorises its training
        # patients; their corrected C is flagged, never printed bare
        forests = forest_predictors(self)
        for _, r in c.iterrows():
            flag = " — optimistic for a forest, see the notes" if r["predictor"] in forests else ""
            lines.append(f"  {r['predictor']:<32} {lab} {r['apparent']:.{d}f} apparent, {r['corrected']:.{d}f} "
                         f"corrected ({r['ci_low']:.{d}f}–{r['ci_high']:.{d}f}){flag}")
        for _, r in self.comparisons[self.comparisons["metric"] == "harrell_c"].iterrows():
            flag = " — not interpretable for a forest" if r["predictor"] in forests else ""
            lines.append(f"  ΔC {r['predictor']} vs {r['reference']}: {r['corrected_delta']:+.3f} "
                         f"({r['ci_low']:+.3f} to {r['ci_high']:+.3f}){flag}")
        table = c[["predictor", "apparent", "corrected", "ci_low", "ci_high"]].set_index("predictor")
        return Summary("\n".join(lines), table)

    def __repr__(self) -> str:
        n = self.metrics["predictor"].nunique() if len(self.metrics) else 0
        return f"StudyResult({getattr(self.config, 'name', '')!r}: {n} predictors, {len(self.metrics)} metric rows)"

    # -- files ---------------------------------------------------------------------------
    def save(self, folder: str | Path, *, parquet: bool = True) -> list[Path]:
        """Write every table as CSV (fixed float format, byte-identical for the same config and
        seed) and Parquet, plus ``provenance.json``.

        Parameters
        ----------
        folder : str or Path
            Output folder; tables go to ``folder/tables/``.
        parquet : bool, default True
            Also write each table as Parquet.

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        (folder / "tables").mkdir(parents=True, exist_ok=True)
        out = []
        for name in TABLES + tuple(n for n in OPTIONAL_TABLES if len(getattr(self, n, ()))):
            df = getattr(self, name)
            p = folder / "tables" / f"{name}.csv"
            df.to_csv(p, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
            out.append(p)
            if parquet:
                q = p.with_suffix(".parquet")
                _to_parquet(df, q)
                out.append(q)
        p = folder / "provenance.json"
        p.write_text(json.dumps(self.provenance, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        out.append(p)
        return out

    def to_html(self, path: str | Path) -> Path:
        """Write the self-contained HTML report (figures embedded) to ``path``.

        Parameters
        ----------
        path : str or Path
            The HTML file to write (its folder must exist).

        Returns
        -------
        Path
            ``path``.
        """
        from ..report.html import render_study

        return render_study(self, path)


def _to_parquet(df: pd.DataFrame, path: Path) -> None:
    d = df.copy()
    for c in d.columns:  # mixed object columns -> strings so pyarrow can write them
        if d[c].dtype == object:
            d[c] = d[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    d.to_parquet(path, index=False)
