"""What the API reference documents: one list of sections, and the v1 promise of the spec.

Adding a module to the reference is ONE line in ``API_SECTIONS``; every name in that module's
``__all__`` then gets its own page. ``V1`` lists the public names of the v1 interface
(``shared/spec/api.md``); the docs build fails (warnings are errors) when one of them lacks a
Parameters, Returns or Examples section. ``python docs/_ext/api_names.py`` prints the numpydoc
coverage figures.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

#: (module, one-line description) -- the order of the API reference
API_SECTIONS = [
    ("prognosis", "Top level: read a cohort, the Cohort, the version"),
    ("prognosis.cohort", "Canonical schema, readers, mapping, harmonization, audit"),
    ("prognosis.datasets", "Bundled demo cohorts and loaders of public data sets"),
    ("prognosis.simulate", "Literature-calibrated simulator with a known truth"),
    ("prognosis.scores", "Classic prognostic scores"),
    ("prognosis.features", "Feature sets for the models"),
    ("prognosis.models", "Survival models (scikit-learn estimators), save and load"),
    ("prognosis.metrics", "Discrimination, calibration, overall performance, decision curves"),
    ("prognosis.study", "Validation studies from a YAML config"),
    ("prognosis.report", "HTML report, model card, TRIPOD+AI checklist"),
    ("prognosis.survival_data", "The survival outcome y"),
    ("prognosis.errors", "Typed errors"),
    ("prognosis.clinical", "Clinical conventions (KPS/ECOG conversions)"),
    ("prognosis.noms", "NOMS decision framework"),
    ("prognosis.impute", "Multiple imputation and Rubin's rules"),
    ("prognosis.samplesize", "Sample size for developing and validating a model"),
]

#: modules named by the v2 spec (shared/spec/api.md) that other branches add; each gets its
#: section as soon as it is importable (until then it is left out, not faked). Move a line up
#: into API_SECTIONS once the module is merged, so that its absence becomes an error.
API_SECTIONS_V2: list[tuple[str, str]] = [
]


def sections() -> list[tuple[str, str]]:
    """API_SECTIONS plus the v2 modules present in this checkout."""
    out = list(API_SECTIONS)
    for module_name, blurb in API_SECTIONS_V2:
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != module_name:  # the module exists but one of its imports is missing
                raise
            continue
        out.append((module_name, blurb))
    return out

#: public names of the v1 interface (shared/spec/api.md) -> sections their docstring must have.
#: Classes need Parameters (when the constructor takes any) and Examples; functions also Returns.
V1 = [
    "prognosis.read_cohort", "prognosis.Cohort",
    "prognosis.datasets.load_demo", "prognosis.datasets.load_msk_met",
    "prognosis.simulate.simulate_cohort",
    "prognosis.scores.compute", "prognosis.scores.available",
    "prognosis.metrics.harrell_c", "prognosis.metrics.uno_c", "prognosis.metrics.time_dependent_auc",
    "prognosis.metrics.brier_score", "prognosis.metrics.integrated_brier_score", "prognosis.metrics.ipa",
    "prognosis.metrics.calibration", "prognosis.metrics.CalibrationResult", "prognosis.metrics.net_benefit",
    "prognosis.models.CoxModel", "prognosis.models.RandomSurvivalForestModel", "prognosis.models.ScoreModel",
    "prognosis.models.save", "prognosis.models.load",
    "prognosis.study.run", "prognosis.study.StudyResult",
    "prognosis.PrognosisError",
]


def public_names(module_name: str) -> list[str]:
    mod = importlib.import_module(module_name)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, o in vars(mod).items() if not n.startswith("_")
                 and getattr(o, "__module__", module_name).startswith(module_name)
                 and (inspect.isfunction(o) or inspect.isclass(o))]
    return [n for n in names if n != "__version__"]


def resolve(module_name: str, name: str):
    """(object, dotted path of its documented definition).

    A lazy wrapper whose docstring has no numpydoc sections (``def load_demo(*a, **k): from .demo
    import ...``) is resolved to the same-named, documented function of a submodule, so the page
    shows the real signature and docstring.
    """
    mod = importlib.import_module(module_name)
    obj = getattr(mod, name)
    if inspect.isfunction(obj) and not sections_of(inspect.getdoc(obj)) and hasattr(mod, "__path__"):
        for info in pkgutil.iter_modules(mod.__path__, module_name + "."):
            if info.name.rsplit(".", 1)[-1].startswith("_"):
                continue
            sub = importlib.import_module(info.name)
            cand = getattr(sub, name, None)
            if inspect.isfunction(cand) and cand is not obj and sections_of(inspect.getdoc(cand)):
                return cand, f"{cand.__module__}.{name}"
    return obj, f"{module_name}.{name}"


def sections_of(doc: str | None) -> set[str]:
    """numpydoc section titles present in a docstring (title line followed by dashes)."""
    doc = inspect.cleandoc(doc or "")
    return set(re.findall(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", doc, flags=re.M))


def takes_parameters(obj) -> bool:
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and target is object.__init__:
        return False
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") for p in sig.parameters.values())


def missing_sections(obj) -> list[str]:
    have = sections_of(inspect.getdoc(obj))
    if inspect.isclass(obj) and "Attributes" in have:
        have.add("Parameters")  # a result class documents what it carries, not how to build it
    need = ["Examples"]
    if takes_parameters(obj) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
        need.insert(0, "Parameters")
    if inspect.isfunction(obj):
        need.insert(-1, "Returns")
    return [s for s in need if s not in have]


def v1_objects():
    for full in V1:
        module_name, name = full.rsplit(".", 1)
        yield full, resolve(module_name, name)[0]


def coverage() -> dict:
    """Share of public callables (functions, classes and their public methods) that take
    parameters and have a numpydoc Parameters section, over API_SECTIONS and over V1."""
    seen, with_params, documented = set(), 0, 0
    for module_name, _ in sections():
        for name in public_names(module_name):
            obj, path = resolve(module_name, name)
            if not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            objs = [obj]
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                objs += [m for n, m in vars(obj).items() if not n.startswith("_") and inspect.isfunction(m)]
            for o in objs:
                if takes_parameters(o):
                    with_params += 1
                    documented += "Parameters" in sections_of(inspect.getdoc(o))
    v1_complete = sum(not missing_sections(o) for _, o in v1_objects())
    return {"public callables with parameters": with_params,
            "with a Parameters section": documented,
            "share": round(documented / with_params, 3) if with_params else None,
            "v1 names": len(V1), "v1 names with all required sections": v1_complete}


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    for k, v in coverage().items():
        print(f"{k}: {v}")
    for full, obj in v1_objects():
        miss = missing_sections(obj)
        if miss:
            print(f"  v1 {full}: missing {', '.join(miss)}")
