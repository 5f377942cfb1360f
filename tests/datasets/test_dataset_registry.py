"""The data-set registry: one list read by the study config check and the study runner."""
from __future__ import annotations

import textwrap

import pytest

from prognosis.datasets import Dataset, dataset_names, get_dataset, register_dataset, unregister_dataset
from prognosis.errors import ConfigError, InputError
from prognosis.study import load_config
from prognosis.study.run import load_cohorts

TOY = textwrap.dedent('''
    import pandas as pd
    from prognosis.datasets import load_demo

    def load_toy(path, *, n=10):
        """A toy loader: the first n demo patients (the path is only checked to exist)."""
        from prognosis.cohort import Cohort
        demo = load_demo("development")
        return Cohort.from_frame(demo.frame.head(n).reset_index(drop=True), metadata={"source": str(path)})
''')


@pytest.fixture
def toy(tmp_path, monkeypatch):
    (tmp_path / "toy_loader_mod.py").write_text(TOY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    register_dataset(Dataset("toy", "toy_loader_mod.load_toy", "ten demo patients"))
    yield tmp_path
    unregister_dataset("toy")


def _config(path, options):
    return {"name": "t", "cohorts": {"development": {"dataset": "toy", "path": str(path), "options": options}},
            "scores": ["bauer"], "horizons": [6]}


def test_builtin_data_sets_are_registered_with_their_options():
    assert dataset_names()[:2] == ("msk_met", "byar_prostate")
    assert "subset" in get_dataset("msk_met").options()
    assert get_dataset("byar_prostate").options() == ("normal_activity_ecog", "zero_time")
    assert get_dataset("msk_met").licence == "CC BY-NC-ND 4.0"


def test_a_registered_data_set_is_checked_and_loaded_by_the_study(toy):
    cfg = load_config(_config(toy, {"n": 7}))
    cohorts = load_cohorts(cfg)
    assert len(cohorts["development"].frame) == 7


def test_unknown_option_is_a_config_error_with_a_suggestion(toy):
    with pytest.raises(ConfigError, match=r"unknown option 'nn' for data set 'toy' \(did you mean 'n'\?\)"):
        load_config(_config(toy, {"nn": 7}))


def test_unknown_data_set_names_the_registered_ones():
    with pytest.raises(ConfigError, match="unknown data set 'msk_mett'.*did you mean 'msk_met'"):
        load_config({"name": "t", "cohorts": {"development": {"dataset": "msk_mett", "path": "x"}},
                     "scores": ["bauer"], "horizons": [6]})
    with pytest.raises(InputError, match="available: msk_met, byar_prostate"):
        get_dataset("nope")


def test_register_refuses_duplicates_and_non_identifiers():
    with pytest.raises(InputError, match="already registered"):
        register_dataset(Dataset("msk_met", "x.y", "again"))
    with pytest.raises(InputError, match="identifier"):
        register_dataset(Dataset("msk-met", "x.y", "dash"))
