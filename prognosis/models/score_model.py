"""A classic prognostic score used as a survival model.

``ScoreModel(name, how="cox")`` computes the score with :func:`prognosis.scores.compute` and
fits a one-covariate Cox model on the total (risk direction and calibration learnt from the
training cohort); it tests proportional hazards on the total with the cox.zph score test
(``ph_test_``, checked against R ``survival::cox.zph``) and warns
(:class:`~prognosis.errors.ProportionalHazardsWarning`) when p < 0.05.
``how="km"`` needs no PH assumption: each published group's survival is the Kaplan–Meier
estimate of the training patients in that group (a stratified baseline, no covariate effect);
a group with no training patient, or a time beyond the group's follow-up, gives NaN (with
``truncate=True``) or an error. ``how="published"`` uses the survival the score's authors published per
group (:func:`prognosis.scores.group_survival`) as is: a step function between the published
time points (the value at the last published time <= t), NaN before the first and after the
last published point of a group (or where the source gives no figure). Nothing is fitted then;
``fit`` only checks the inputs.

Unlike the other models, ``X`` here is the canonical cohort frame, not a feature matrix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions

from .._summary import Summary
from ..errors import InputError, ModelError
from ..survival_data import split_y
from ._base import check_fitted, check_params, check_times, harrell_c, step_evaluate
from .cox import CoxModel

__all__ = ["ScoreModel"]


class ScoreModel(BaseEstimator):
    """Classic score (Tokuhashi, Tomita, Bauer, ...) as a predictor.

    Parameters
    ----------
    name : str
        A name in :func:`prognosis.scores.available`.
    how : {"cox", "km", "published"}
        Cox on the score total (calibrated to the training cohort; PH tested), Kaplan–Meier of
        each published group on the training cohort (PH-free), or the published group survival.
    options : dict, optional
        Options of the score (passed to :func:`prognosis.scores.compute`).
    missing : {"error", "midrange"}
        Patients whose total cannot be computed because an item is missing: raise
        (default), or use the middle of the possible range ``(min + max) / 2``.

    Examples
    --------
    >>> from prognosis.datasets import load_demo
    >>> from prognosis.survival_data import y_from_frame
    >>> d = load_demo().frame
    >>> y = y_from_frame(d)
    >>> import warnings
    >>> from prognosis.errors import ProportionalHazardsWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tok = ScoreModel("revised_tokuhashi").fit(d, y)     # Cox on the score total
    >>> any(issubclass(w.category, ProportionalHazardsWarning) for w in caught)  # demo data: PH rejected
    True
    >>> S = tok.predict_survival(d.head(3), times=[6, 12])
    >>> S.shape
    (3, 2)
    """

    _parameter_constraints: dict = {
        "name": [str],
        "how": [StrOptions({"cox", "km", "published"})],
        "options": [dict, None],
        "missing": [StrOptions({"error", "midrange"})],
    }

    def __init__(self, name: str = "revised_tokuhashi", how: str = "cox", options: dict | None = None,
                 missing: str = "error"):
        self.name = name
        self.how = how
        self.options = options
        self.missing = missing

    # -- helpers ---------------------------------------------------------------------------
    def compute(self, X: pd.DataFrame) -> pd.DataFrame:
        """The score table of ``prognosis.scores.compute`` (total, group, items, min/max)."""
        from .. import scores

        if not isinstance(X, pd.DataFrame):
            raise InputError("ScoreModel needs the canonical cohort frame as X")
        return scores.compute(X, self.name, **(self.options or {}))

    def _total(self, table: pd.DataFrame) -> np.ndarray:
        total = pd.to_numeric(table[self.name], errors="coerce").to_numpy(dtype=float)
        miss = np.isnan(total)
        if miss.any():
            if self.missing == "midrange":
                lo = pd.to_numeric(table[f"{self.name}_min"], errors="coerce").to_numpy(float)
                hi = pd.to_numeric(table[f"{self.name}_max"], errors="coerce").to_numpy(float)
                total = np.where(miss, (lo + hi) / 2, total)
                miss = np.isnan(total)
            if miss.any():
                rows = np.flatnonzero(miss)[:5].tolist()
                raise ModelError(f"{self.name}: total not computable (missing items) at rows {rows}; "
                                 "complete the items or use missing='midrange'")
        return total

    def _groups(self, table: pd.DataFrame, allow_missing: bool = False) -> np.ndarray:
        g = table[f"{self.name}_group"].astype(object)
        if allow_missing:
            return g.where(g.notna(), "").astype(str).to_numpy()
        if g.isna().any():
            rows = np.flatnonzero(g.isna().to_numpy())[:5].tolist()
            raise ModelError(f"{self.name}: group not determined (missing items) at rows {rows}")
        return g.to_numpy()

    # -- estimator API -----------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y):
        """Score the training cohort and calibrate the score to it.

        Parameters
        ----------
        X : DataFrame
            Canonical cohort columns (the score's items; see
            :func:`prognosis.scores.required_columns`).
        y : structured array or DataFrame
            Survival outcome (``event``, ``time_months``).

        Returns
        -------
        self
        """
        check_params(self)
        if self.how not in ("cox", "km", "published"):
            raise InputError(f"how must be 'cox', 'km' or 'published', got {self.how!r}")
        if self.missing not in ("error", "midrange"):
            raise InputError(f"missing must be 'error' or 'midrange', got {self.missing!r}")
        time, event = split_y(y)
        if len(time) != len(X):
            raise InputError(f"X has {len(X)} rows but y has {len(time)}")
        table = self.compute(X)
        if self.how == "cox":
            total = self._total(table)
            self.cox_ = CoxModel().fit(pd.DataFrame({self.name: total}), y)
            self.max_time_ = float(time.max())
            self._ph_test(time, event, total)
        elif self.how == "km":
            from ..metrics import kaplan_meier

            groups = self._groups_filled(table)
            self.km_ = {}
            for g in pd.unique(groups):
                msk = groups == g
                km = kaplan_meier(time[msk], event[msk])
                self.km_[str(g)] = (np.asarray(km.time, float), np.asarray(km(km.time), float), int(msk.sum()),
                                    int(event[msk].sum()))
            self.max_time_ = float(time.max())
            # risk = 1 - S_g(t_ref) at the latest time where every group's KM is defined
            self.t_ref_ = min(t_[-1] for t_, _, _, _ in self.km_.values())
        else:
            from .. import scores

            gs = scores.group_survival(self.name)
            note = gs.attrs.get("note")
            gs = gs.dropna(subset=["survival"])
            gs.attrs["note"] = note
            self.published_ = {str(g): (d["time_months"].to_numpy(float), d["survival"].to_numpy(float))
                               for g, d in gs.sort_values("time_months").groupby("group", observed=True)}
            if not self.published_:
                note = gs.attrs.get("note") or ""
                raise ModelError(f"{self.name}: the source publishes no group survival probabilities, "
                                 f"so how='published' is not possible (use how='cox'). {note}".strip())
            self.max_time_ = max(float(t[-1]) for t, _ in self.published_.values())
            self.source_ = sorted(set(gs["source"].astype(str))) if "source" in gs else []
        self.n_features_in_ = X.shape[1]
        return self

    def _groups_filled(self, table: pd.DataFrame) -> np.ndarray:
        """Published group per patient; with ``missing="midrange"`` an undetermined group is the
        group of the midrange total (the same rule as the totals)."""
        from .. import scores

        g = table[f"{self.name}_group"].astype(object)
        if g.isna().any() and self.missing == "midrange":
            total = self._total(table)
            lab = np.full(total.size, None, dtype=object)
            for label, lo, hi in scores.get_score(self.name).groups:
                lab[(total >= lo) & (total <= hi)] = label
            g = g.where(g.notna(), pd.Series(lab, index=g.index))
        if g.isna().any():
            rows = np.flatnonzero(g.isna().to_numpy())[:5].tolist()
            raise ModelError(f"{self.name}: group not determined (missing items) at rows {rows}; "
                             "complete the items or use missing='midrange'")
        return g.astype(str).to_numpy()

    def _ph_test(self, time, event, total) -> None:
        import warnings

        from ..errors import ProportionalHazardsWarning
        from ..metrics import cox_zph

        try:
            z = cox_zph(time, event, total[:, None])
            self.ph_test_ = {"chisq": z["chisq"][0], "df": 1, "p": z["p"][0], "transform": "km"}
        except Exception as exc:  # noqa: BLE001 - a failed test is reported, not hidden
            self.ph_test_ = {"chisq": np.nan, "df": 1, "p": np.nan, "transform": "km",
                             "error": f"{type(exc).__name__}: {exc}"}
            return
        if self.ph_test_["p"] < 0.05:
            warnings.warn(f"{self.name}: proportional hazards rejected for the score total (cox.zph score "
                          f"test chi2 = {self.ph_test_['chisq']:.2f}, p = {self.ph_test_['p']:.2g}); the Cox "
                          "calibration misstates S(t) at some horizons — ScoreModel(how='km') estimates each "
                          "group's survival without this assumption", ProportionalHazardsWarning, stacklevel=3)

    def summary(self) -> Summary:
        """How the score was turned into S(t), with the PH test for ``how="cox"``: ``str()`` is the
        text, ``.table`` the Cox coefficient and PH test (``cox``), the groups (``km``) or the sources."""
        self._check_fitted()
        if self.how == "cox":
            z = self.ph_test_
            verdict = ("not assessable" if not np.isfinite(z["p"]) else
                       "rejected (use how='km')" if z["p"] < 0.05 else "not rejected")
            coef = float(self.cox_.coef_[0])
            table = pd.DataFrame([{"log_hr_per_point": coef, "ph_chisq": z["chisq"], "ph_df": 1, "ph_p": z["p"]}],
                                 index=pd.Index([self.name], name="score"))
            return Summary(f"{self.name}: Cox on the total, log HR {coef:.4f} per point; "
                           f"proportional hazards (cox.zph, km transform): chi2 {z['chisq']:.3f}, df 1, "
                           f"p {z['p']:.3g} — {verdict}", table)
        if self.how == "km":
            rows = [f"  {g}: n {n}, deaths {d}, follow-up to {t[-1]:.1f} months"
                    for g, (t, _, n, d) in self.km_.items()]
            table = pd.DataFrame([{"group": g, "n": n, "deaths": d, "followup_months": float(t[-1])}
                                  for g, (t, _, n, d) in self.km_.items()],
                                 columns=["group", "n", "deaths", "followup_months"]).set_index("group")
            return Summary(f"{self.name}: Kaplan–Meier per published group (no PH assumption)\n" + "\n".join(rows),
                           table)
        return Summary(f"{self.name}: published group survival ({', '.join(self.source_)})",
                       pd.DataFrame({"source": list(self.source_)}))

    def _check_fitted(self):
        check_fitted(self, "max_time_")

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Risk (higher = worse): the Cox linear predictor of the total (``how="cox"``), or
        ``1 - S`` at the latest time published for every group (``how="published"``).

        Parameters
        ----------
        X : DataFrame
            Canonical cohort columns.

        Returns
        -------
        ndarray of float, shape (n,)
        """
        self._check_fitted()
        table = self.compute(X)
        if self.how == "cox":
            return self.cox_.predict(pd.DataFrame({self.name: self._total(table)}))
        if self.how == "km":
            return 1.0 - self._km_survival(self._groups_filled(table), np.array([self.t_ref_]), strict=True)[:, 0]
        groups = self._groups(table)
        common = min(float(t[-1]) for t, _ in self.published_.values())
        s = self._published_survival(groups, np.array([common]))[:, 0]
        return 1.0 - s

    def _km_survival(self, groups, times, strict: bool) -> np.ndarray:
        out = np.full((len(groups), times.size), np.nan)
        for g in np.unique(groups):
            if g not in self.km_:
                if strict:
                    raise ModelError(f"{self.name}: group {g!r} had no patient in the training cohort, so "
                                     "how='km' has no survival for it")
                continue
            kt, ks, _, _ = self.km_[g]
            vals = step_evaluate(kt, ks, times, 1.0)
            # beyond the group's last time: defined only if its KM reached 0
            vals = np.where((times > kt[-1]) & (ks[-1] > 0), np.nan, vals)
            out[groups == g] = vals
        return out

    def _published_survival(self, groups, times) -> np.ndarray:
        out = np.full((len(groups), times.size), np.nan)
        for g in np.unique(groups):
            if str(g) not in self.published_:
                continue  # the source gives no curve for this group: NaN, honestly
            pt, ps = self.published_[str(g)]
            vals = step_evaluate(pt, ps, times, np.nan)
            vals = np.where(times == 0, 1.0, vals)
            vals = np.where(times > pt[-1], np.nan, vals)
            out[groups == g] = vals
        return out

    def predict_survival(self, X: pd.DataFrame, times, truncate: bool = False) -> pd.DataFrame:
        """S(t | x) at ``times``; see the module docstring for the published-curve semantics.

        Parameters
        ----------
        X : DataFrame
            Canonical cohort columns.
        times : sequence of float
            Horizons in months.
        truncate : bool, default False
            If False, a horizon beyond the training follow-up (``how="cox"``) or the last
            published time (``how="published"``) raises :class:`~prognosis.errors.ModelError`;
            if True those columns are NaN.

        Returns
        -------
        DataFrame
            One row per patient (index of ``X``), one column per time.
        """
        self._check_fitted()
        t = check_times(times)
        table = self.compute(X)
        if self.how == "cox":
            out = self.cox_.predict_survival(
                pd.DataFrame({self.name: self._total(table)}, index=X.index), t, truncate=truncate
            )
            return out
        if self.how == "km":
            beyond = t > self.max_time_
            if beyond.any() and not truncate:
                raise ModelError(f"time {t[beyond][0]:g} months is beyond the training follow-up "
                                 f"({self.max_time_:.4g} months); pass truncate=True for NaN")
            surv = self._km_survival(self._groups_filled(table), t, strict=not truncate)
            if not truncate and np.isnan(surv).any():
                raise ModelError(f"{self.name}: a group's training follow-up ends before one of the times "
                                 f"{t.tolist()}; pass truncate=True for NaN there")
            return pd.DataFrame(surv, index=X.index, columns=pd.Index(t, name="time_months"))
        beyond = t > self.max_time_
        if beyond.any() and not truncate:
            raise ModelError(f"time {t[beyond][0]:g} months is beyond the last published time point "
                             f"({self.max_time_:g} months) of {self.name}; pass truncate=True for NaN")
        surv = self._published_survival(self._groups(table, allow_missing=True), t)
        return pd.DataFrame(surv, index=X.index, columns=pd.Index(t, name="time_months"))

    def score(self, X, y) -> float:
        time, event = split_y(y)
        return harrell_c(time, event, self.predict(X))
