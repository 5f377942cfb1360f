"""`prognosis serve` on loopback: the API gives patient_result's numbers, for Cox and forests,
and the served page renders them in Chromium."""
from __future__ import annotations

import json
import re
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from prognosis.cli.serve import make_server
from prognosis.report.calculator import harmonize_patient, parse_patient, patient_result


@pytest.fixture(scope="module")
def rsf_model():
    from prognosis.datasets import load_demo
    from prognosis.models import make_model
    from prognosis.survival_data import y_from_frame

    dev = load_demo("development").frame.sample(300, random_state=2)
    return make_model("rsf", n_estimators=10, random_state=0, min_samples_leaf=10).fit(dev, y_from_frame(dev))


def _serve(model):
    server = make_server(model, 0)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.parametrize("which", ["cox", "rsf"])
def test_api_matches_patient_result(which, cox_artifact, rsf_model):
    model = cox_artifact["model"] if which == "cox" else rsf_model
    server, base = _serve(model)
    try:
        assert server.server_address[0] == "127.0.0.1"
        q = "age_years=70&kps=60&primary_site=breast&er=negative&pr=negative&her2=unknown&albumin_g_dl="
        code, body = _get(f"{base}/api/predict?{q}")
        assert code == 200
        got = json.loads(body)
        frame = harmonize_patient(parse_patient(["age_years=70", "kps=60", "primary_site=breast", "er=negative",
                                                 "pr=negative", "her2=unknown"]))
        want = patient_result(model, frame)
        for g, w in zip(got["horizons"], want["horizons"], strict=False):
            assert (g["s"] is None and w["s"] is None) or abs(g["s"] - w["s"]) < 1e-12
        assert got["scores"]["katagiri_new"]["min"] == want["scores"]["katagiri_new"]["min"]
        assert (got["contributions"] is None) == (which == "rsf")
        code, body = _get(f"{base}/api/predict?kps=170")
        assert code == 400
        assert "kps" in json.loads(body)["errors"][0]
        code, body = _get(f"{base}/")
        assert code == 200
        assert b"connect-src 'self'" in body
        req = urllib.request.Request(f"{base}/api/predict?kps=70", headers={"Host": "evil.example:80"})
        with pytest.raises(urllib.error.HTTPError) as refused:  # a foreign Host header is not answered
            urllib.request.urlopen(req, timeout=30)
        assert refused.value.code == 403
        refused.value.close()  # the error holds the response: close its socket now
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_served_page_renders_forest(rsf_model, chromium):
    server, base = _serve(rsf_model)
    try:
        out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
                              "--dump-dom", f"{base}/?age_years=70&kps=60&primary_site=kidney"],
                             capture_output=True, text=True, timeout=120, check=False)
        dom = out.stdout
        frame = harmonize_patient(parse_patient(["age_years=70", "kps=60", "primary_site=kidney"]))
        want = patient_result(rsf_model, frame)
        got = float(re.search(r'id="S-6" data-value="([^"]*)"', dom).group(1))
        assert abs(got - want["horizons"][1]["s"]) < 1e-12
    finally:
        server.shutdown()
        server.server_close()
