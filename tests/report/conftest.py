"""Report fixtures; the small study cohorts and config come from tests/conftest.py."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_report(small_config, tmp_path_factory):
    """One small study (development + external), saved and rendered once for all report tests."""
    from prognosis.study import run

    out = tmp_path_factory.mktemp("report")
    result = run(small_config)
    result.save(out)
    html = result.to_html(out / "index.html")
    return {"result": result, "dir": out, "html": html}
