"""NOMS framework categories (Laufer et al., Oncologist 2013; clinical-facts §7.3): one hand-made
patient per rule, the radiosensitivity table and its override, the systemic input and the CLI."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.cli.main import main
from prognosis.errors import InputError
from prognosis.noms import CATEGORIES, assess, escc_level, radiosensitivity

STABLE = {"spine_level": "T6", "sins_pain": "none", "sins_lesion": "blastic", "sins_alignment": "normal",
              "sins_collapse": "none", "sins_posterolateral": "none"}  # SINS 1 -> stable
UNSTABLE = {"spine_level": "L5", "sins_pain": "mechanical", "sins_lesion": "lytic", "sins_alignment": "subluxation",
                "sins_collapse": "over_50", "sins_posterolateral": "bilateral"}  # SINS 18 -> unstable


def p(site, escc, mech=STABLE, **kw):
    return dict(primary_site=site, escc_grade=escc, myelopathy=False, **mech, **kw)


def test_each_rule():
    f = pd.DataFrame([
        p("myeloma", "3"),                 # radiosensitive -> cEBRT whatever the ESCC
        p("kidney", "1a"),                 # radioresistant, low grade -> SRS
        p("kidney", "2"),                  # radioresistant, high grade -> separation surgery + SRS
        p("breast", "0", mech=UNSTABLE),   # unstable -> stabilization + radiation
        p("melanoma", "1c"),               # 1c debated -> undetermined by default
        p("bladder", "0"),                 # primary not classified -> undetermined
    ])
    out = assess(f)
    assert out["noms_category"].astype(object).where(out["noms_category"].notna(), None).tolist() == [
        "cEBRT", "SRS/SBRT", "separation surgery + SRS", "stabilization + radiation", None, None]
    assert out["neurologic"].tolist() == ["high-grade ESCC", "low-grade ESCC", "high-grade ESCC",
                                          "low-grade ESCC", None, "low-grade ESCC"]
    assert out["mechanical"].tolist()[3] == "unstable"
    assert out["sins"].tolist()[3] == 18
    assert "whatever the ESCC grade" in out["noms_rule"].iloc[0]
    assert "undetermined" in out["noms_rule"].iloc[4]
    assert (out["label"].str.contains("not a treatment recommendation")).all()
    assert "not a treatment recommendation" in out.attrs["label"]
    assert set(out["noms_category"].cat.categories) == set(CATEGORIES)
    # 1c read as high grade on request
    assert assess(f.iloc[[4]], escc_1c_as="high")["noms_category"].iloc[0] == "separation surgery + SRS"
    assert assess(f.iloc[[4]], escc_1c_as="low")["noms_category"].iloc[0] == "SRS/SBRT"


def test_systemic_bounds_the_category():
    f = pd.DataFrame([p("kidney", "3"), p("kidney", "3"), p("kidney", "3"), p("breast", "0", mech=UNSTABLE)])
    out = assess(f, survival=[12.0, 2.5, 1.0, 2.5])
    assert out["noms_category"].astype(str).tolist() == [
        "separation surgery + SRS", "cEBRT", "best supportive care", "cEBRT"]
    assert out["systemic"].tolist() == ["surgery tolerable", "surgery not tolerable",
                                        "below supportive-care threshold", "surgery not tolerable"]
    assert "surgery excluded" in out["noms_rule"].iloc[1]
    assert "M: SINS unstable but" in out["noms_rule"].iloc[3]
    # boundaries: exactly 3 months tolerates surgery, exactly 2 months is not supportive care
    b = assess(f.iloc[[0, 0]], survival=[3.0, 2.0])
    assert b["noms_category"].astype(str).tolist() == ["separation surgery + SRS", "cEBRT"]
    with pytest.raises(InputError, match="one value per patient"):
        assess(f, survival=[1.0])


def test_survival_from_score_group_medians():
    # van der Linden: breast 3 + KPS 80 2 + no visceral 1 = 6 -> group C, median 18.7 months
    row = p("breast", "2", kps=80, visceral_mets="none", brain_mets=False)
    out = assess(pd.DataFrame([row]), survival="van_der_linden")
    assert out["expected_survival_months"].iloc[0] == 18.7
    with pytest.raises(InputError, match="no published median"):
        assess(pd.DataFrame([row]), survival="tomita")


def test_instability_option():
    mid = dict(STABLE, sins_pain="mechanical", sins_lesion="lytic", sins_collapse="under_50")  # 1+3+2+2 = 8
    f = pd.DataFrame([p("kidney", "0", mech=mid)])
    assert assess(f)["noms_category"].iloc[0] == "SRS/SBRT"
    assert assess(f, instability="indeterminate")["noms_category"].iloc[0] == "stabilization + radiation"


def test_radiosensitivity_table_and_override():
    f = pd.DataFrame({"primary_site": ["lymphoma", "kidney", "lung", "lung", "breast", "uterus", None],
                      "primary_histology": [None, None, "nsclc", "sclc", None, None, None],
                      "radiosensitivity": [None, "sensitive", None, None, None, None, None]})
    r = radiosensitivity(f)
    assert r["radiosensitivity"].tolist() == ["sensitive", "sensitive", "resistant", "sensitive",
                                              "sensitive", None, None]
    assert "overrides" in r["radiosensitivity_source"].iloc[1]
    assert "[V2]" in r["radiosensitivity_source"].iloc[0]
    assert "[M]" in r["radiosensitivity_source"].iloc[2]
    assert radiosensitivity(f, intermediate_as=None)["radiosensitivity"].iloc[4] is None
    assert radiosensitivity(f, intermediate_as="resistant")["radiosensitivity"].iloc[4] == "resistant"
    with pytest.raises(InputError, match="radiosensitivity"):
        radiosensitivity(pd.DataFrame({"primary_site": ["kidney"], "radiosensitivity": ["maybe"]}))


def test_escc_levels_and_errors():
    assert list(escc_level(["0", "1a", "1b", "1c", "2", "3", None])) == [
        "low", "low", "low", None, "high", "high", None]
    with pytest.raises(InputError, match="escc_grade"):
        assess(pd.DataFrame([p("kidney", "4")]))


def test_demo_cohort_and_cli(tmp_path, capsys):
    from prognosis.datasets.demo import demo_path, load_demo

    out = assess(load_demo())
    assert len(out) == 1200
    assert out["noms_category"].notna().mean() > 0.6
    dest = tmp_path / "noms.csv"
    assert main(["noms", str(demo_path()), "--out", str(dest), "--no-ids"]) == 0
    res = pd.read_csv(dest)
    assert "patient_id" not in res.columns
    assert len(res) == 1200
    err = capsys.readouterr().err
    assert "not a treatment recommendation" in err
    assert "DEV0" not in err
    np.testing.assert_array_equal(res["noms_category"].fillna("NA").to_numpy(),
                                  out["noms_category"].astype(object).fillna("NA").to_numpy())
