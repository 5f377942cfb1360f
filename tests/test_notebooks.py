"""The notebooks run top to bottom (nbclient), as a reader would run them.

Each is kept light (few bootstrap replicates); together they take well under 5 minutes on 2 cores.
Notebook 04 (MSK-MET, real data) is tested by its owner with the raw-data fixture.
"""
from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = ("01_explore_cohort.ipynb", "02_scores_vs_molecular_models.ipynb", "03_retrain_new_institution.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, repo_root):
    path = repo_root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    env = {"MPLBACKEND": "Agg"}
    os.environ.update(env)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
