"""The offline calculator page in headless Chromium agrees with `prognosis predict` (issue 18).

Each patient is opened as ``calc.html?<canonical columns>`` (missing inputs omitted), the DOM
is dumped after the scripts ran, and S(3, 6, 12, 24 months), the 95% interval bounds, the
median and the classic score totals/groups are compared with the CLI's output for the same
patients. The page's Content-Security-Policy forbids every request; a violation counter in the
page (``data-csp-violations``) must stay 0, and a positive control proves the counter works.
"""
from __future__ import annotations

import re
import subprocess
import urllib.parse

import numpy as np
import pandas as pd
import pytest

from prognosis import scores
from prognosis.cli.main import main
from prognosis.report.calculator import (
    CSP_OFFLINE,
    harmonize_patient,
    patient_result,
)

from .conftest import patient_table

HORIZONS = (3, 6, 12, 24)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--virtual-time-budget=5000"]


def _query(row: pd.Series) -> str:
    pairs = [(k, str(v)) for k, v in row.items() if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return urllib.parse.urlencode(pairs)


def _dom(chromium: str, url: str) -> str:
    out = subprocess.run([chromium, *FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=90, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


_BATCH = """<script>
(function () {
  const out = [];
  for (const q of %s) {
    applyQuery(q); update();
    out.push(document.getElementById("results").outerHTML
             + '<i data-csp-violations="' + document.body.getAttribute("data-csp-violations") + '"></i>'
             + '<i data-ready="' + document.body.getAttribute("data-ready") + '"></i>');
  }
  const pre = document.createElement("pre"); pre.id = "batch"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script></body>"""


def _batch(page, chromium, tmp_path, queries: list[str]) -> list[str]:
    """Drive the real page through many patients in one Chromium run: a script appended to a copy
    of the page fills the form from each query string (the code path of the URL query), runs the
    page's own update(), and collects the rendered result section."""
    import html
    import json

    text = page["path"].read_text(encoding="utf-8")
    p = tmp_path / "batch.html"
    p.write_text(text.replace("</body>", _BATCH % json.dumps(queries)), encoding="utf-8")
    dom = _dom(chromium, p.as_uri())
    m = re.search(r'<pre id="batch">(.*?)</pre>', dom, re.DOTALL)
    assert m, "batch script did not run"
    return json.loads(html.unescape(m.group(1)))


def _value(dom: str, ident: str) -> float:
    m = re.search(rf'id="{re.escape(ident)}" data-value="([^"]*)"', dom) or \
        re.search(rf'data-value="([^"]*)"[^>]*id="{re.escape(ident)}"', dom)
    assert m, f"#{ident} not found in the page"
    return float(m.group(1))


@pytest.fixture(scope="module")
def page(cox_artifact):
    from prognosis.models import load

    path = cox_artifact["dir"] / "calc.html"
    assert main(["calculator", "--model", str(cox_artifact["path"]), "--out", str(path)]) == 0
    return {"path": path, "model": load(cox_artifact["path"])}


@pytest.mark.slow
def test_url_query_prefills_the_page(page, chromium, tmp_path):
    """Opening calc.html?<query> gives what the batch driver gives for the same query (so the
    batch comparison below covers the URL path), for three patients incl. missing/unknown."""
    patients = patient_table()
    qs = [_query(patients.iloc[i]) for i in (0, 4, 13)]
    batch = _batch(page, chromium, tmp_path, qs)
    for q, b in zip(qs, batch, strict=False):
        dom = _dom(chromium, page["path"].as_uri() + "?" + q)
        assert 'data-csp-violations="0"' in dom
        assert 'data-ready="1"' in dom
        for t in HORIZONS:
            got, want = _value(dom, f"S-{t}"), _value(b, f"S-{t}")
            assert (np.isnan(got) and np.isnan(want)) or got == want
        assert _value(dom, "median") == _value(b, "median") or np.isnan(_value(dom, "median"))


@pytest.mark.slow
def test_page_matches_predict(page, cox_artifact, chromium, tmp_path):
    patients = patient_table()
    csv = tmp_path / "patients.csv"
    patients.to_csv(csv, index=False)
    out = tmp_path / "pred.csv"
    assert main(["predict", "--model", str(cox_artifact["path"]), str(csv), "--out", str(out)]) == 0
    pred = pd.read_csv(out)
    pred = pd.read_csv(out, dtype={c: str for c in pred.columns if c.endswith("_group")})
    assert len(pred) == len(patients) >= 20
    # the fixture model pools sparse levels (FeatureBuilder, < 5 training deaths), incl. a whole
    # subtype block, and the table has patients with those levels
    pooled = page["model"].steps[0][1].pooled_
    assert {"lung[alk_ros1_rearranged]", "breast[hr-her2+]", "melanoma[braf_v600]"} <= set(pooled)
    n_pooled = 0
    doms = _batch(page, chromium, tmp_path, [_query(patients.iloc[i]) for i in range(len(patients))])
    frames = harmonize_patient(patients.assign(patient_id=[f"p{i}" for i in range(len(patients))]))
    assert len(frames) == len(patients)
    worst = worst_curve = 0.0
    n_curve = 0
    for i, dom in enumerate(doms):
        assert 'data-csp-violations="0"' in dom, f"patient {i}: the page attempted a blocked request"
        assert 'data-ready="1"' in dom, f"patient {i}: no result"
        assert "Not computed" not in dom, f"patient {i}: no result"
        for t in HORIZONS:
            for suffix, col in (("", f"S_{t}m"), ("-lo", f"S_{t}m_lower95"), ("-hi", f"S_{t}m_upper95")):
                got = _value(dom, f"S-{t}{suffix}")
                want = pred.loc[i, col]
                if np.isnan(want):
                    assert np.isnan(got), (i, t, suffix)
                else:
                    assert abs(got - want) < 1e-6, (i, t, suffix, got, want)
                    worst = max(worst, abs(got - want))
        # pooled levels are named on the page as predict names them
        import html as _h

        want_p = sorted(
            n for n in str(pred.loc[i, "unknown_or_imputed"]).split("; ") if " pooled with the reference " in n
        )
        got_p = sorted(
            _h.unescape(n) for n in re.findall(r'<div class="note">• ([^<]*pooled with the reference [^<]*)</div>', dom)
        )
        assert got_p == want_p, (i, got_p, want_p)
        n_pooled += bool(want_p)
        # median (R convention) against the Python twin of the page
        res = patient_result(page["model"], frames.iloc[[i]], score_names=[])
        # the whole curve (every baseline event time), not only the four horizons
        import html as _html
        import json as _json

        m = re.search(r'id="curve" data-t="([^"]*)" data-s="([^"]*)"', dom)
        ct, cs = (_json.loads(_html.unescape(g)) for g in m.groups())
        assert np.allclose(ct, res["curve"]["t"], rtol=0, atol=0)
        want_s = np.array([np.nan if v is None else v for v in res["curve"]["s"]])
        got_s = np.array([np.nan if v is None else v for v in cs])
        assert np.array_equal(np.isnan(got_s), np.isnan(want_s))
        worst_curve = max(worst_curve, float(np.nanmax(np.abs(got_s - want_s))))
        n_curve += int((~np.isnan(want_s)).sum())
        for key in ("value", "lower", "upper"):
            want = res["median"][key]
            got = _value(dom, f"median-{key}" if key != "value" else "median")
            assert (want is None and np.isnan(got)) or abs(got - want) < 1e-9, (i, key, got, want)
        # classic scores: total (or range) and group as predict reports them
        for name in scores.available():
            lo = int(pred.loc[i, f"{name}_min"])
            hi = int(pred.loc[i, f"{name}_max"])
            m = re.search(rf'id="score-{name}" data-min="(\d+)" data-max="(\d+)"', dom)
            assert m, (i, name)
            assert (int(m.group(1)), int(m.group(2))) == (lo, hi), (i, name)
            grp = re.search(rf'id="group-{name}">([^<]*)<', dom).group(1)
            want = pred.loc[i, f"{name}_group"]
            assert grp == ("undetermined" if pd.isna(want) else want).replace(">", "&gt;").replace("<", "&lt;"), (
                i,
                name,
            )
    assert worst_curve < 1e-6
    assert n_pooled >= 4, n_pooled
    print(
        f"max |dS| page vs predict over {len(doms)} patients x {len(HORIZONS)} horizons (S and band): {worst:.3g}; "
        f"whole curves ({n_curve} points) vs predict_survival: {worst_curve:.3g}; "
        f"{n_pooled} patients with pooled levels"
    )


def test_no_network_by_construction(page):
    text = page["path"].read_text(encoding="utf-8")
    assert f'content="{CSP_OFFLINE}"' in text
    # the only URL is the SVG namespace, an identifier (never fetched)
    urls = set(re.findall(r"[a-z]+://[^\s\"'<>)]*", text))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls


@pytest.mark.slow
def test_csp_counter_positive_control(page, chromium, tmp_path):
    """A page that tries to load an image and fetch a URL gets both blocked and counted."""
    text = page["path"].read_text(encoding="utf-8")
    bad = text.replace("</body>", '<img src="http://127.0.0.1:9/x.png"><script>fetch("http://127.0.0.1:9/y").catch(function(){});</script></body>')
    p = tmp_path / "bad.html"
    p.write_text(bad, encoding="utf-8")
    dom = _dom(chromium, p.as_uri())
    n = int(re.search(r'data-csp-violations="(\d+)"', dom).group(1))
    assert n >= 1


@pytest.mark.slow
def test_screenshot_shows_curve(page, chromium, tmp_path):
    import matplotlib.image as mpimg

    shot = tmp_path / "shot.png"
    url = page["path"].as_uri() + "?age_years=62&kps=70&primary_site=lung&egfr=mutant"
    subprocess.run([chromium, *FLAGS, "--window-size=1200,1000", f"--screenshot={shot}", url],
                   capture_output=True, timeout=90, check=True)
    img = mpimg.imread(shot)[..., :3]
    # the curve is drawn in #0969da (9, 105, 218) and its band in a light blue
    line = np.all(np.abs(img - np.array([9, 105, 218]) / 255) < 0.08, axis=-1)
    assert line.sum() > 300, f"only {line.sum()} curve pixels"
    cols = np.flatnonzero(line.any(axis=0))
    assert cols.max() - cols.min() > 200  # spans the plot horizontally


@pytest.mark.slow
def test_invalid_input_is_refused_in_page(page, chromium):
    dom = _dom(chromium, page["path"].as_uri() + "?kps=150&primary_site=mars&age_years=60")
    err = re.search(r'id="errors"[^>]*>([^<]*)<', dom).group(1)
    assert "kps" in err
    assert "primary_site" in err
    assert "Not computed" in err
    assert np.isnan(_value(dom, "S-12"))


@pytest.mark.slow
def test_page_matches_predict_score_items_ecog_to_kps(chromium, tmp_path):
    """A second encoding: the score_items feature set (ECOG, visceral pattern, labs) with
    ecog_to_kps=True and 4 knots on KPS; patients with ECOG only, KPS only, neither."""
    import warnings

    from prognosis.datasets import load_demo
    from prognosis.models import load, make_model, save
    from prognosis.survival_data import y_from_frame

    dev = load_demo("development").frame.copy()
    rng = np.random.default_rng(3)
    dev.loc[dev.index[rng.choice(len(dev), 30, replace=False)], "kps"] = pd.NA
    dev.loc[dev.index[rng.choice(len(dev), 40, replace=False)], "crp_mg_dl"] = pd.NA
    model = make_model("cox", feature_set="score_items", feature_params={"ecog_to_kps": True},
                       spline_terms=("kps",), penalizer=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(dev, y_from_frame(dev))
    art = tmp_path / "m.skops"
    save(model, art)
    html_path = tmp_path / "calc.html"
    assert main(["calculator", "--model", str(art), "--out", str(html_path)]) == 0
    patients = patient_table().iloc[:24].copy()
    patients.loc[0:5, "kps"] = None          # ECOG only -> KPS from ECOG
    patients.loc[6:8, ["kps", "ecog"]] = None
    patients.loc[9:11, "crp_mg_dl"] = None
    csv, out = tmp_path / "p.csv", tmp_path / "o.csv"
    patients.to_csv(csv, index=False)
    assert main(["predict", "--model", str(art), str(csv), "--out", str(out), "--scores", "none"]) == 0
    pred = pd.read_csv(out)
    doms = _batch({"path": html_path, "model": load(art)}, chromium, tmp_path,
                  [_query(patients.iloc[i]) for i in range(len(patients))])
    for i, dom in enumerate(doms):
        for t in HORIZONS:
            got, want = _value(dom, f"S-{t}"), pred.loc[i, f"S_{t}m"]
            assert (np.isnan(want) and np.isnan(got)) or abs(got - want) < 1e-6, (i, t, got, want)
