"""The HTML report: self-contained, complete, no patient identifiers; model card and TRIPOD+AI."""
from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pandas as pd

from prognosis.report import model_card, tripod_checklist
from prognosis.report.tripod import TRIPOD_AI_ITEMS

SECTIONS = ("summary", "table1", "discrimination", "accuracy", "calibration", "km", "decision", "external",
            "model-card", "tripod", "methods", "provenance")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.imgs, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag in ("link", "script") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src"))


def test_report_has_every_section_in_order_and_is_self_contained(small_report):
    html = small_report["html"].read_text(encoding="utf-8")
    p = _Collect()
    p.feed(html)
    assert [i for i in p.ids if i in SECTIONS] == list(SECTIONS)  # summary first
    assert p.links == []                                           # no external CSS/JS
    assert "http://" not in html
    assert "https://" not in html
    # every figure is an embedded, decodable PNG
    n_h = 3
    assert len(p.imgs) >= 2 + n_h + 2 + 2  # C forest plots, calibration per horizon, KM per score, DCA
    for src in p.imgs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 2000


def test_no_patient_identifiers_anywhere(small_report, small_cohorts):
    ids = set(small_cohorts["dev_frame"]["patient_id"].astype(str)) | \
        set(small_cohorts["ext_frame"]["patient_id"].astype(str))
    assert len(ids) == 500
    texts = [small_report["html"].read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (small_report["dir"] / "tables").glob("*.csv")]
    texts.append((small_report["dir"] / "provenance.json").read_text(encoding="utf-8"))
    pat = re.compile(r"\b(?:{})\b".format("|".join(re.escape(i) for i in sorted(ids))))
    for t in texts:
        assert not pat.search(t)
    for p in (small_report["dir"] / "tables").glob("*.parquet"):
        df = pd.read_parquet(p)
        assert "patient_id" not in df.columns
        assert not df.astype(str).isin(ids).any().any(), p.name


def test_summary_and_provenance_content(small_report):
    html = small_report["html"].read_text(encoding="utf-8")
    r = small_report["result"]
    assert "Development cohort: 300 patients" in html
    assert "Highest optimism-corrected Harrell C" in html
    assert "Transport at 12 months" in html
    for role in ("development", "external"):
        assert r.provenance["inputs"][role]["sha256"] in html
    assert r.provenance["config_sha256"] in html
    for pkg in ("numpy", "pandas", "lifelines", "scikit-survival"):
        assert f"<td>{pkg}</td>" in html
    assert f"seed {r.config.seed}" in html


def test_tripod_checklist_items_and_statuses(small_report):
    r = small_report["result"]
    t = tripod_checklist(r)
    assert list(t["item"]) == [i for i, _, _ in TRIPOD_AI_ITEMS]
    assert len(t) == 52
    assert t["item"].is_unique
    s = t.set_index("item")["status"]
    assert s["17"] == "author"
    assert s["18a"] == "author"
    assert s["23a"] == "reported"
    assert s["12e"] == "reported"
    assert s["24"] == "reported"                                   # external cohort was recalibrated
    assert set(s) <= {"reported", "partly", "author", "n/a"}


def test_model_card_sections(small_report):
    card = model_card(small_report["result"])
    assert list(card) == ["intended_use", "data", "features", "performance", "limitations"]
    assert set(card["performance"]["predictor"]) == set(small_report["result"].predictors["predictor"])
    assert "INTENDED USE" in str(card)
    cox = card["features"].set_index("predictor").loc["Cox clinical"]
    assert cox["n_features"] > 3


def test_external_tables(small_report):
    r = small_report["result"]
    tr = r.transport
    assert set(tr["horizon"]) == {3.0, 6.0, 12.0}
    assert set(tr["predictor"]) == set(r.predictors["predictor"])
    assert ((tr["oe_ratio"] > 0) & (tr["slope"] > 0)).all()
    # recalibration on the external cohort never makes in-sample ICI much worse
    assert (tr["ici_after"] <= tr["ici_before"] + 0.01).all()
