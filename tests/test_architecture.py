"""The layering in docs/architecture.md, checked against the code.

Data flow: cohort -> impute / scores / features -> models -> study -> report, with metrics
below models (metrics never needs a model) and cli on top. A module may import only from a
lower layer (or from its own folder). The check reads every ``import`` with :mod:`ast`, so it
needs no import side effects and cannot be satisfied by the code under test importing lazily.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "prognosis"

#: Layer of every top-level unit of the package (folders and top-level modules).
LAYER = {
    # foundations: no clinical data flow, importable from anywhere (errors below everything)
    "errors": -1, "_version": -1, "_summary": -1, "clinical": 0, "_kernels": 0, "survival_data": 0, "samplesize": 0,
    "_provenance": 0,
    "cohort": 1, "metrics": 1,
    "impute": 2, "scores": 2, "features": 2, "simulate": 2,
    "noms": 3, "datasets": 3,
    "models": 4,
    "study": 5,
    "report": 6,
    "cli": 7, "__main__": 8,
}

#: Upward imports that are deliberate, each inside a function body, with the reason.
ALLOWED_UPWARD = {
    # StudyResult.to_html() is a convenience for notebook users; the renderer stays in report/.
    ("study", "report"),
}


def _unit(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "prognosis":
        return None
    return parts[1] if len(parts) > 1 else "prognosis"


def _imports(path: Path) -> list[tuple[str, int]]:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1]  # the package a relative import is resolved against
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names)
    return found


def _edges():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        source = rel.parts[0].removesuffix(".py")
        if source == "__init__":
            continue  # the top-level namespace re-exports the public names of every layer
        for target, line in _imports(path):
            unit = _unit(target)
            if unit in (None, "prognosis", source):
                continue  # outside the package, the top-level namespace (__version__), or own folder
            yield source, unit, f"{rel}:{line}"


def test_every_unit_has_a_layer():
    units = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())) and p.name != "__init__.py"}
    missing = sorted(units - set(LAYER))
    assert not missing, f"add these to LAYER (and to docs/architecture.md): {missing}"


def test_no_import_runs_up_the_layers():
    bad = [f"{where}: {src} (layer {LAYER[src]}) imports {dst} (layer {LAYER[dst]})"
           for src, dst, where in _edges()
           if LAYER.get(dst, 99) >= LAYER.get(src, -1) and (src, dst) not in ALLOWED_UPWARD]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("src", "dst"), sorted(ALLOWED_UPWARD))
def test_allowed_upward_imports_are_lazy(src, dst):
    """An allowed upward import must sit inside a function, so importing the lower layer never
    loads the upper one."""
    for path in sorted((PACKAGE / src).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.startswith(dst) or node.module.startswith(f"prognosis.{dst}")):
                pytest.fail(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {dst} at module level")


def test_architecture_doc_names_every_unit():
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [u for u in LAYER if u not in ("__main__", "_version") and u not in doc]
    assert not missing, f"docs/architecture.md does not mention: {missing}"
