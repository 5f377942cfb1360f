"""The bundled demo cohorts: loadable, valid, and reproducible byte for byte."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from prognosis.cohort.validate import validate_frame
from prognosis.datasets import load_demo
from prognosis.datasets.demo import _PACKAGE_DIR, DEMO_COHORTS, demo_path
from prognosis.errors import InputError
from prognosis.simulate import load_parameters, oracle, true_survival


@pytest.mark.parametrize(
    ("which", "n", "preset"), [("development", 1200, "surgical"), ("external", 600, "radiotherapy")]
)
def test_load_demo(which, n, preset):
    c = load_demo(which)
    assert len(c) == n
    validate_frame(c.frame, source=which)
    md = c.metadata
    assert md["source"] == "simulated"
    assert md["preset"] == preset
    assert md["seed"] == DEMO_COHORTS[which]["seed"]
    assert md["params_checksum"] == load_parameters(preset)["checksum"]
    assert md["time_origin"] == load_parameters(preset)["time_origin"]
    assert str(c.frame["kps"].dtype) == "Int64"
    assert c.frame["primary_site"].dtype.name == "category"
    assert c.frame["patient_id"].is_unique
    # truth works on the frame loaded back from CSV
    s = true_survival(c.frame, [6.0, 12.0])
    assert s.shape == (n, 2)
    assert np.all(s.to_numpy() > 0)
    assert np.all(s.to_numpy() < 1)
    assert 0.70 < oracle(c).c_index < 0.82


def test_default_is_development_and_bad_name():
    assert len(load_demo()) == 1200
    with pytest.raises(InputError, match="unknown demo cohort"):
        load_demo("validation")


def test_demo_cohorts_differ():
    dev, ext = load_demo("development").frame, load_demo("external").frame
    assert dev["event"].mean() < 0.65 < ext["event"].mean()
    assert set(dev["cohort"]) != set(ext["cohort"])


def test_demo_files_are_reproducible_byte_for_byte(tmp_path, repo_root):
    script = repo_root / "data" / "demo" / "make_demo.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True, cwd=tmp_path)
    for spec in DEMO_COHORTS.values():
        fresh = (tmp_path / spec["file"]).read_bytes()
        assert fresh == (repo_root / "data" / "demo" / spec["file"]).read_bytes(), spec["file"]
        assert fresh == (_PACKAGE_DIR / spec["file"]).read_bytes(), f"package copy of {spec['file']} is stale"
    assert demo_path("development").name == "spine_demo.csv"
