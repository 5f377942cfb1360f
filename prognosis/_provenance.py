"""Digests and versions recorded for provenance (private): one home for each.

- :func:`frame_digest`: SHA-256 of a table's column names and cell values as text, row order
  significant, index ignored. Used for a model's training checksum, a DataFrame input's
  checksum and the report's checksum of a bundled cohort, so the same frame always has the same
  digest (previously three recipes disagreed: a report's input checksum could not be matched
  to a model's training checksum). Values are hashed as text, so a column read as ``Int64`` or
  ``float64`` with the same numbers gives the same digest.
- :func:`file_digest`: SHA-256 of a file's bytes.
- :func:`versions`: Python, platform and the versions of the packages results depend on.
"""
from __future__ import annotations

import hashlib
import json

__all__ = ["frame_digest", "file_digest", "versions", "VERSIONED_PACKAGES"]

#: Packages whose versions are recorded with artifacts and reports.
VERSIONED_PACKAGES = ("prognosis", "numpy", "pandas", "scipy", "scikit-learn", "scikit-survival", "lifelines",
                      "skops", "matplotlib", "jinja2", "joblib", "dask", "distributed")


def frame_digest(frame) -> str:
    """SHA-256 of a DataFrame's column names and values (as text; row order matters); ``""`` for None."""
    import pandas as pd

    if frame is None:
        return ""
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode())
    text = frame.astype(object).where(frame.notna(), None).astype(str)
    h.update(pd.util.hash_pandas_object(text, index=False).to_numpy().tobytes())
    return h.hexdigest()


def file_digest(path) -> str:
    """SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions(packages=VERSIONED_PACKAGES) -> dict:
    """``{"python": ..., "platform": ..., package: version}`` (packages not installed are left out)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for p in packages:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            pass
    if "prognosis" in packages:  # the distribution is named prognosis-spine; the package knows its version
        from . import __version__

        out["prognosis"] = __version__
    return out
