"""Every ``>>>`` example in the package's docstrings runs and prints what it says.

The API reference shows these examples, so they are tested like code: one test per module that
has examples. Keep them cheap (small frames, few replicates) -- the whole file runs in seconds.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import prognosis

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules_with_examples() -> list[str]:
    names = [prognosis.__name__] + [m.name for m in pkgutil.walk_packages(prognosis.__path__, "prognosis.")
                                    if m.name != "prognosis.__main__"]
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [n for n in names if any(t.examples for t in finder.find(importlib.import_module(n)))]


MODULES = _modules_with_examples()


def test_examples_are_found():
    assert "prognosis.scores.registry" in MODULES, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=FLAGS, verbose=False, report=True)
    assert attempted > 0
    assert failed == 0, f"{failed} of {attempted} docstring examples failed in {name} (output above)"
