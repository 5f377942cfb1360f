"""prognosis.clinical: ECOG <-> KPS under each named convention, read off the published tables.

Expected values are typed from the abstracts (Ma et al. 2010; Prasad et al. 2018; Buccheri et al.
1996) and the ECOG-ACRIN comparison, not computed by the code under test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis import clinical
from prognosis.datasets.demo import demo_path
from prognosis.errors import InputError

KPS = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]
PUBLISHED = {  # ECOG per KPS decile (low, high)
    "ma2010": [(0, 0), (1, 1), (1, 1), (2, 2), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4), (4, 4)],
    "prasad2018": [(0, 0), (1, 1), (1, 1), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4), (4, 4), (4, 4)],
    "buccheri1996": [(0, 1), (0, 1), (0, 1), (2, 2), (2, 2), (3, 4), (3, 4), (3, 4), (3, 4), (3, 4)],
    "oken": [(0, 0), (0, 0), (1, 1), (1, 1), (2, 2), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4)],
}


@pytest.mark.parametrize("conv", sorted(PUBLISHED))
def test_kps_to_ecog_tables(conv):
    lo, hi = clinical.kps_to_ecog_range(KPS, conv)
    assert list(zip(lo.astype(int), hi.astype(int), strict=True)) == PUBLISHED[conv]
    single = clinical.kps_to_ecog(KPS, conv)
    exp = [a if a == b else np.nan for a, b in PUBLISHED[conv]]
    np.testing.assert_array_equal(single, np.array(exp, dtype=float))


def test_kps_50_is_ecog_3_in_every_measured_convention():
    for conv in ("ma2010", "prasad2018"):
        assert clinical.kps_to_ecog(50, conv) == 3.0
    assert clinical.kps_to_ecog_range(50, "buccheri1996") == (3.0, 4.0)
    assert clinical.kps_to_ecog(50, "oken") == 2.0
    assert clinical.DEFAULT_PS_CONVENTION == "ma2010"


@pytest.mark.parametrize(("conv", "low", "high"), [
    ("ma2010", [100, 80, 60, 40, 10], [100, 90, 70, 50, 30]),
    ("prasad2018", [100, 80, 70, 50, 10], [100, 90, 70, 60, 40]),
    ("buccheri1996", [80, 80, 60, 10, 10], [100, 100, 70, 50, 50]),
    ("oken", [90, 70, 50, 30, 10], [100, 80, 60, 40, 20]),
])
def test_ecog_to_kps(conv, low, high):
    assert clinical.ecog_to_kps(range(5), conv, end="low").tolist() == low
    assert clinical.ecog_to_kps(range(5), conv, end="high").tolist() == high
    mid = [(a + b) / 2 for a, b in zip(low, high, strict=True)]
    assert clinical.ecog_to_kps(range(5), conv, end="mid").tolist() == mid


def test_edges_and_errors():
    assert np.isnan(clinical.kps_to_ecog(0))
    assert np.isnan(clinical.kps_to_ecog(np.nan))
    assert clinical.kps_to_ecog(75) == 2.0
    assert clinical.kps_to_ecog(95) == 1.0
    with pytest.raises(InputError, match="kps"):
        clinical.kps_to_ecog(150)
    with pytest.raises(InputError, match="ecog"):
        clinical.ecog_to_kps(1.5)
    with pytest.raises(InputError, match="convention"):
        clinical.kps_to_ecog(80, "karnofsky1949")
    with pytest.raises(InputError, match="end"):
        clinical.ecog_to_kps(1, end="middle")
    assert clinical.DAYS_PER_MONTH == 30.4375
    assert clinical.DEFAULT_HORIZONS == (3.0, 6.0, 12.0, 24.0)


@pytest.mark.parametrize("which", ["development", "external"])
def test_demo_ecog_equals_default_conversion(which):
    d = pd.read_csv(demo_path(which))
    both = d["kps"].notna() & d["ecog"].notna()
    assert both.sum() > 0.8 * len(d)
    np.testing.assert_array_equal(d.loc[both, "ecog"].to_numpy(float),
                                  clinical.kps_to_ecog(d.loc[both, "kps"].to_numpy(float)))
