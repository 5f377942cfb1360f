"""Open a report in headless Chromium, take a screenshot and check it rendered completely.

    python benchmarks/check_report_render.py [reports/demo/index.html] [--screenshot shot.png]

Checks, inside the browser: every expected section is present, every <img> decoded (naturalWidth
> 0, i.e. no broken image), and nothing was fetched from outside the file. Needs a Chromium
binary (Debian: ``apt-get install chromium``); exits 0 with a message when there is none, so
CI without a browser is not blocked (``tests/report/test_render.py`` skips with that reason).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXPECTED_SECTIONS = ("summary", "table1", "discrimination", "accuracy", "calibration", "km", "decision",
                     "model-card", "tripod", "methods", "provenance")

_PROBE = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var res = {
    sections: Array.prototype.map.call(document.querySelectorAll('section[id]'), function (s) { return s.id; }),
    images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    resources: performance.getEntriesByType('resource').map(function (r) { return r.name; })
                 .filter(function (n) { return n.indexOf('data:') !== 0; }),
    height: document.body.scrollHeight
  };
  var pre = document.createElement('pre');
  pre.id = 'render-check';
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
});
</script>
"""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def _chrome(binary: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    base = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--disable-dev-shm-usage", "--virtual-time-budget=5000"]
    return subprocess.run(base + list(args), capture_output=True, text=True, timeout=timeout)


def check_report(html: Path, screenshot: Path | None = None, binary: str | None = None) -> dict:
    """Render ``html`` and return the in-browser findings (raises AssertionError on a problem)."""
    binary = binary or find_chromium()
    if binary is None:
        raise FileNotFoundError("no Chromium binary found (apt-get install chromium)")
    html = Path(html).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        text = html.read_text(encoding="utf-8")
        probe.write_text(text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
        out = _chrome(binary, "--dump-dom", probe.as_uri())
        m = re.search(r'<pre id="render-check">(.*?)</pre>', out.stdout, re.S)
        if not m:
            raise AssertionError(f"Chromium did not finish rendering {html}: {out.stderr[-500:]}")
        res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        if screenshot is not None:
            height = min(int(res.get("height", 3000)) + 50, 30000)
            shot = _chrome(binary, f"--screenshot={Path(screenshot).resolve()}", f"--window-size=1200,{height}",
                           html.as_uri())
            if not Path(screenshot).exists():
                raise AssertionError(f"no screenshot written: {shot.stderr[-300:]}")
    missing = [s for s in EXPECTED_SECTIONS if s not in res["sections"]]
    assert not missing, f"sections missing from the rendered page: {missing}"
    assert res["images"] > 0, "the report has no figures"
    assert res["broken"] == 0, f"{res['broken']} of {res['images']} images did not render"
    assert not res["resources"], f"the report fetched external resources: {res['resources'][:3]}"
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("html", nargs="?", default="reports/demo/index.html")
    ap.add_argument("--screenshot", default=None, help="PNG path (default: next to the report)")
    args = ap.parse_args()
    html = Path(args.html)
    if not html.is_file():
        print(f"{html} does not exist: run `make report` (or `prognosis report`) first", file=sys.stderr)
        return 2
    binary = find_chromium()
    if binary is None:
        print("no Chromium binary found; install it (Debian: apt-get install chromium) to run this check")
        return 0
    shot = Path(args.screenshot) if args.screenshot else html.with_name("screenshot.png")
    res = check_report(html, shot, binary)
    print(f"OK: {html} rendered in {Path(binary).name}: {len(res['sections'])} sections, {res['images']} figures, "
          f"0 broken, no external resources; page height {res['height']} px; screenshot {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
