#!/usr/bin/env bash
# Wheel smoke test: build the wheel and sdist, install the wheel into a fresh virtual environment
# OUTSIDE the source tree (so `import prognosis` cannot pick up the checkout by accident) and use
# it the way a new user would. Proves that the package data (demo cohorts, report template,
# simulator parameters, py.typed) ship in the wheel and that the sdist carries the examples.
#   usage: .ci/smoke.sh [PYTHON]     (PYTHON: interpreter used for build and the fresh venv)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${1:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/prognosis-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
say() { printf '\n[smoke] %s\n' "$*"; }

say "build wheel + sdist -> $WORK/dist"
"$PY" -m venv "$WORK/buildenv"
"$WORK/buildenv/bin/python" -m pip install --quiet --upgrade pip build
# setuptools deprecation warnings (licence, metadata) fail the build
"$WORK/buildenv/bin/python" -m build --outdir "$WORK/dist" "$REPO" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
if grep -E "SetuptoolsDeprecationWarning|DeprecationWarning" "$WORK/build.log"; then
  echo "[smoke] the build emitted deprecation warnings (above)"; exit 1
fi
WHEEL="$(ls "$WORK"/dist/*.whl)"; SDIST="$(ls "$WORK"/dist/*.tar.gz)"
ls -l "$WORK/dist"

say "wheel contents: package data"
"$WORK/buildenv/bin/python" - "$WHEEL" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["prognosis/py.typed", "prognosis/datasets/data/spine_demo.csv",
        "prognosis/datasets/data/spine_external.csv", "prognosis/report/templates/study.html.j2",
        "prognosis/simulate/parameters.yaml", "prognosis/datasets/PROVENANCE.md"]
missing = [n for n in need if n not in names]
assert not missing, f"missing from the wheel: {missing}"
assert not any(n.startswith(("tests/", "data/", "docs/")) for n in names), "wheel must hold only the package"
print(f"ok: {len(names)} files, all of {len(need)} package-data files present")
PY

say "fresh venv, install the wheel (dependencies from the package index)"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL"
mkdir "$WORK/run"; cd "$WORK/run"          # not the repo: only the installed wheel is importable
P="$WORK/venv/bin/prognosis"

say "versions agree"
V_CLI="$("$P" --version)"
V_PKG="$("$WORK/venv/bin/python" -c 'import prognosis, importlib.metadata as m; print(prognosis.__version__, m.version("prognosis-spine"), prognosis.__file__)')"
echo "$V_CLI | $V_PKG"
read -r v_pkg v_meta f_pkg <<<"$V_PKG"
[[ "$V_CLI" == "prognosis $v_pkg" && "$v_pkg" == "$v_meta" ]] || { echo "[smoke] versions disagree"; exit 1; }
[[ "$f_pkg" == "$WORK/venv/"* ]] || { echo "[smoke] imported prognosis from $f_pkg, not the wheel"; exit 1; }
[[ "$(basename "$WHEEL")" == prognosis_spine-"$v_pkg"-* ]] || { echo "[smoke] wheel name does not carry $v_pkg"; exit 1; }

say "harmonize: the bundled demo cohort (package data) and an institution example (from the sdist)"
DEMO_CSV="$("$WORK/venv/bin/python" -c 'import importlib.resources as r; print(r.files("prognosis") / "datasets/data/spine_demo.csv")')"
"$P" harmonize "$DEMO_CSV" --out demo.parquet --quiet
tar xzf "$SDIST" -C "$WORK"
SRC="$(ls -d "$WORK"/prognosis_spine-*/)"
"$P" harmonize "$SRC/data/examples/klinikum_nord.csv" --mapping "$SRC/data/examples/klinikum_nord.yaml" --out nord.parquet
test -s nord.audit.csv

say "score it"
"$P" score nord.parquet --scores revised_tokuhashi,tomita --out nord_scores.csv
"$P" score demo.parquet --scores revised_tokuhashi --out demo_scores.csv
"$WORK/venv/bin/python" - <<'PY'
import pandas as pd
for f, n in (("nord_scores.csv", None), ("demo_scores.csv", 1200)):
    t = pd.read_csv(f)
    assert "revised_tokuhashi" in t.columns and (n is None or len(t) == n), (f, t.shape)
    print(f, t.shape)
PY

say "prognosis report with a 5-replicate config"
cat > study.yaml <<'YAML'
name: wheel smoke study
cohorts: {development: demo, external: demo_external}
scores: [revised_tokuhashi, tomita]
models:
  - {name: "Cox clinical", kind: cox, features: clinical, params: {penalizer: 0.01}}
horizons: [6, 12]
validation: {method: bootstrap, n_boot: 5}
seed: 1
n_jobs: 1
output: report
YAML
"$P" validate study.yaml
"$P" report study.yaml --quiet
"$WORK/venv/bin/python" - "$v_pkg" <<'PY'
import json, sys
html = open("report/index.html", encoding="utf-8").read()
prov = json.load(open("report/provenance.json"))
assert "wheel smoke study" in html and len(html) > 10_000, len(html)
assert prov["versions"].get("prognosis") == sys.argv[1], prov["versions"]
print(f"ok: report/index.html {len(html)} bytes, provenance prognosis {prov['versions']['prognosis']}")
PY
say "wheel $(basename "$WHEEL") $(du -k "$WHEEL" | cut -f1) kB: OK"
