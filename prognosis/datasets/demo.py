"""The bundled demo cohorts (simulated, so they can ship with the package).

``data/demo/spine_demo.csv`` ("development", preset "surgical") and
``data/demo/spine_external.csv`` ("external", preset "radiotherapy", independently seeded) are
written by ``data/demo/make_demo.py`` from :func:`prognosis.simulate.simulate_cohort` and the
cited parameters in ``prognosis/simulate/parameters.yaml``; a byte-identical copy lives in
``prognosis/datasets/data/`` so that a non-editable install works too.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..cohort.cohort import Cohort
from ..cohort.readers import sha256_of
from ..cohort.schema import CANONICAL_COLUMNS
from ..errors import DataUnavailableError, InputError

__all__ = ["DEMO_COHORTS", "CSV_OPTIONS", "demo_path", "load_demo", "write_demo_csv"]

#: How each demo file is generated (used by data/demo/make_demo.py and recorded in metadata).
DEMO_COHORTS: dict[str, dict] = {
    "development": {"file": "spine_demo.csv", "n": 1200, "seed": 20260601, "preset": "surgical",
                    "cohort": "demo-surgical", "id_prefix": "DEV"},
    "external": {"file": "spine_external.csv", "n": 600, "seed": 19991231, "preset": "radiotherapy",
                 "cohort": "demo-radiotherapy", "id_prefix": "EXT"},
}

#: Fixed CSV formatting so the files are reproducible byte for byte.
CSV_OPTIONS = {"index": False, "float_format": "%.6g", "lineterminator": "\n", "encoding": "utf-8"}

_REPO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
_PACKAGE_DIR = Path(__file__).resolve().parent / "data"


def demo_path(which: str = "development") -> Path:
    """Path of a demo CSV: the repository's ``data/demo`` (editable install) or the package copy."""
    if which not in DEMO_COHORTS:
        raise InputError(f"unknown demo cohort {which!r}; choose one of {sorted(DEMO_COHORTS)}")
    name = DEMO_COHORTS[which]["file"]
    for folder in (_REPO_DIR, _PACKAGE_DIR):
        if (folder / name).is_file():
            return folder / name
    raise DataUnavailableError(f"demo file {name} not found in {_REPO_DIR} or {_PACKAGE_DIR}; "
                               "regenerate it with `python data/demo/make_demo.py`")


def write_demo_csv(frame: pd.DataFrame, path) -> None:
    """Write a simulated frame with the fixed demo formatting (canonical columns, then ``true_*``)."""
    cols = list(CANONICAL_COLUMNS) + [c for c in frame.columns if c.startswith("true_")]
    frame[cols].to_csv(path, **CSV_OPTIONS)


def load_demo(which: str = "development") -> Cohort:
    """Load a bundled simulated demo cohort.

    Parameters
    ----------
    which : {"development", "external"}
        ``"development"``: 1,200 patients like a modern surgical series (time origin: spinal
        surgery). ``"external"``: 600 patients like a 2000-2010 radiotherapy cohort (time origin:
        start of radiotherapy), independently seeded - an "external institution".

    Returns
    -------
    Cohort
        Canonical frame plus the truth columns ``true_lp`` and ``true_weibull_shape`` (see
        :func:`prognosis.simulate.true_survival`); metadata records source, preset, seed,
        time origin and the file's sha256.

    Examples
    --------
    >>> from prognosis.datasets import load_demo
    >>> dev = load_demo("development")
    >>> len(dev.frame), int(dev.frame["event"].sum())
    (1200, 683)
    >>> bool(load_demo("external").frame["time_months"].max() > 24)   # longer follow-up
    True
    """
    path = demo_path(which)
    spec = DEMO_COHORTS[which]
    raw = pd.read_csv(path, dtype={"patient_id": "string", "cohort": "string", "primary_histology": "string"},
                      keep_default_na=False, na_values=[""])
    from ..simulate.params import load_parameters

    params = load_parameters(spec["preset"])
    metadata = {
        "source": "simulated",
        "cohort": spec["cohort"],
        "preset": spec["preset"],
        "seed": spec["seed"],
        "params_checksum": params["checksum"],
        "time_origin": params["time_origin"],
        "file": path.name,
        "sha256": sha256_of(path),
        "generator": "data/demo/make_demo.py",
    }
    # the validated constructor: schema checks and one "kept" row-status record per row (AuditLog contract)
    return Cohort.from_frame(raw, metadata=metadata)
