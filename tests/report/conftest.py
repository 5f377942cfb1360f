"""Small cohorts for fast study tests: subsamples of the bundled simulated demo cohorts,
written as canonical CSV files to a temporary folder (simulated data, no real patients)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_cohorts(tmp_path_factory):
    from prognosis.datasets import load_demo

    d = tmp_path_factory.mktemp("cohorts")
    dev = load_demo("development").frame.sample(300, random_state=11).reset_index(drop=True)
    ext = load_demo("external").frame.sample(200, random_state=12).reset_index(drop=True)
    dev.to_csv(d / "dev.csv", index=False)
    ext.to_csv(d / "ext.csv", index=False)
    return {"dir": d, "dev": d / "dev.csv", "ext": d / "ext.csv", "dev_frame": dev, "ext_frame": ext}


@pytest.fixture(scope="session")
def small_config(small_cohorts):
    return {
        "name": "small test study",
        # a canonical table needs no mapping; `keep` carries the simulator's truth column along
        "cohorts": {"development": {"path": str(small_cohorts["dev"]), "mapping": {"keep": ["true_lp"]}},
                    "external": {"path": str(small_cohorts["ext"]), "mapping": {"keep": ["true_lp"]}}},
        "scores": ["revised_tokuhashi", "katagiri_new", {"column": "extraspinal_bone_mets", "label": "bone met count"}],
        "models": [{"name": "Cox clinical", "kind": "cox", "features": "clinical"}],
        "horizons": [3, 6, 12],
        "validation": {"method": "bootstrap", "n_boot": 3},
        "seed": 7,
    }


@pytest.fixture(scope="session")
def small_report(small_config, tmp_path_factory):
    """One small study (development + external), saved and rendered once for all report tests."""
    from prognosis.study import run

    out = tmp_path_factory.mktemp("report")
    result = run(small_config)
    result.save(out)
    html = result.to_html(out / "index.html")
    return {"result": result, "dir": out, "html": html}
