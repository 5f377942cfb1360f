"""Sphinx extension: pages generated from the package itself, so they cannot drift from it.

At ``builder-inited`` it writes (into ``docs/generated/``, not committed):

- ``api/``: one page per module of ``api_names.sections()`` listing its ``__all__``, and
  one page per public name (autodoc + numpydoc);
- ``clinical/``: one page per score of ``prognosis.scores.available()`` -- items and points,
  groups, options, published group survival with evidence tags, citation and the source notes
  of the score's module (its verification status);
- ``cli.rst``: ``prognosis --help`` and every subcommand's help, from the real parser;
- ``errors.rst``: every typed error of ``prognosis.errors`` (hierarchy, cause, where raised) and
  every warning class of the package.

It also checks the v1 promise: a v1 name without Parameters/Returns/Examples is a warning,
which the CI build (``-W``) turns into an error.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from pathlib import Path

import api_names
from sphinx.util import logging

logger = logging.getLogger(__name__)

TAGS = {"[V1]": "verified against the primary source (abstract or full text)",
        "[V2]": "verified against a secondary reproduction (review table, public calculator)",
        "[M]": "not verified against the paper: background knowledge, check before relying on it"}


#: base classes whose members class pages do not repeat
INHERITED_STOP = ("BaseEstimator", "Pipeline", "TransformerMixin", "object", "float", "int", "dict",
                  "tuple", "list", "Exception", "BaseException", "Warning")


def _title(text: str, ch: str = "=") -> str:
    return f"{text}\n{ch * max(len(text), 3)}\n"


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    para = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    return para


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:  # keep mtimes: incremental builds
        path.write_text(text, encoding="utf-8")


def _cell(text: str) -> str:
    text = str(text).replace("\n", " ").strip()
    return text if text else "\\-"


def _list_table(header: list[str], rows: list[list[str]], widths: str | None = None) -> str:
    out = [".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append(f"   :widths: {widths}")
    out.append("")
    for row in [header] + rows:
        out.append("   * - " + _cell(row[0]))
        out += ["     - " + _cell(c) for c in row[1:]]
    return "\n".join(out) + "\n"


# -- API reference ---------------------------------------------------------------------------
def _kind(obj) -> str:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "exception"
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _indexed_names() -> set[str]:
    """For an object exported under several names (``prognosis.Cohort``, ``prognosis.cohort.Cohort``)
    the one in the module nearest its definition is indexed; the others are ``:no-index:``."""
    best: dict[int, tuple[int, str]] = {}
    for module_name, _ in api_names.sections():
        for name in api_names.public_names(module_name):
            obj, _path = api_names.resolve(module_name, name)
            home = getattr(obj, "__module__", "") or ""
            score = len(module_name) if (home == module_name or home.startswith(module_name + ".")) else -1
            full = f"{module_name}.{name}"
            if id(obj) not in best or score > best[id(obj)][0]:
                best[id(obj)] = (score, full)
    return {full for _, full in best.values()}


def write_api(out: Path) -> list[str]:
    pages = []
    indexed = _indexed_names()
    sections = api_names.sections()
    for module_name, blurb in sections:
        names = api_names.public_names(module_name)
        rows, toc = [], []
        for name in names:
            obj, path = api_names.resolve(module_name, name)
            full = f"{module_name}.{name}"
            kind = _kind(obj)
            directive = {"class": "autoclass", "exception": "autoexception",
                         "function": "autofunction", "data": "autodata"}[kind]
            target = path if path != full else full
            body = _title(full) + f"\n.. {directive}:: {target}\n"
            if kind == "class":
                # own members and those of our mixins (predict_survival, ...), not those of
                # scikit-learn / builtin bases
                body += "   :members:\n   :inherited-members: " + ", ".join(INHERITED_STOP) + "\n"
            if full not in indexed:
                body += "   :no-index:\n"
            if path != full:
                body += (f"\n``{full}`` is a lazy alias of ``{path}`` (imported on first use, so "
                         f"``import {module_name}`` stays fast).\n")
            _write(out / "api" / "names" / f"{full}.rst", body)
            toc.append(f"   names/{full}")
            summary = _first_line(obj) if kind != "data" else f"constant ({type(obj).__name__})"
            rows.append([f":doc:`{name} <names/{full}>`", kind, summary])
        page = _title(f"{module_name}") + f"\n*{blurb}.*\n\n"
        page += f".. automodule:: {module_name}\n   :no-members:\n   :no-index:\n\n"
        page += _list_table(["name", "kind", "summary"], rows, "25 10 65") if rows else ""
        page += "\n.. toctree::\n   :hidden:\n\n" + "\n".join(toc) + "\n"
        _write(out / "api" / f"{module_name}.rst", page)
        pages.append(module_name)
    index = _title("API reference") + textwrap.dedent("""
        One page per public name; the v1 interface (``shared/spec/api.md``) is marked **v1** and
        each of its names has Parameters, Returns and runnable Examples (tested with the
        suite). Conventions everywhere: ``risk`` is higher = worse, ``surv`` is S(t | x), time in
        months, event 1 = death.

        """)
    index += _list_table(["module", "what"], [[f":doc:`{m} <{m}>`", b] for m, b in sections],
                         "30 70")
    index += "\n**v1 interface:** " + ", ".join(
        f":doc:`{full} <names/{full}>`" for full in api_names.V1) + "\n"
    index += "\n.. toctree::\n   :hidden:\n\n" + "\n".join(f"   {m}" for m in pages) + "\n"
    _write(out / "api" / "index.rst", index)
    return pages


# -- clinical reference ------------------------------------------------------------------------
def _tags(text: str) -> list[str]:
    return [t for t in TAGS if t in text]


def write_clinical(out: Path) -> None:
    from prognosis import scores

    names = scores.available()
    rows = []
    for name in names:
        d = scores.get_score(name)
        mod = inspect.getmodule(d.items)
        notes = inspect.getdoc(mod) or ""
        tags = _tags(d.citation + notes + " ".join(str(r) for r in d.group_survival))
        rows.append([f":doc:`{d.title} <{name}>`", f"``{name}``",
                     f"{d.total_range[0]}-{d.total_range[1]}", str(len(d.groups)), " ".join(tags)])
        opts = d.resolve_options({})
        cols = d.columns(opts)
        page = _title(d.title) + f"\n``scores.compute(frame, \"{name}\")`` -- module ``{mod.__name__}``.\n\n"
        page += f"**Citation.** {d.citation}\n\n"
        page += "**Evidence tags used for this score:** " + (", ".join(
            f"``{t}`` ({TAGS[t]})" for t in tags) or "none") + ".\n\n"
        page += _title("Items and points", "-") + "\n"
        item_rows = []
        for comp, desc in d.components.items():
            cats = d.categories.get(comp, {})
            pts = "; ".join(f"{p}: {lab}" for p, lab in sorted(cats.items())) if cats else "see source notes"
            item_rows.append([f"``{comp}``", desc, pts, ", ".join(f"``{c}``" for c in cols.get(comp, ()))])
        page += _list_table(["item", "description", "points: category", "canonical columns read (default options)"],
                            item_rows, "15 25 40 20")
        page += "\n" + _title("Groups", "-") + "\n"
        page += _list_table(["group", "total from", "total to"],
                            [[g, str(a), str(b)] for g, a, b in d.groups])
        if d.ceiling is not None:
            page += f"\nThe sum of the items is capped at {d.ceiling} as published.\n"
        page += "\n" + _title("Options (ambiguities of the published definition)", "-") + "\n"
        if d.options:
            page += _list_table(["option", "default", "choices", "meaning"],
                                [[f"``{k}``", f"``{o.default!r}``",
                                  ", ".join(f"``{c!r}``" for c in o.choices) if o.choices else "free",
                                  o.doc] for k, o in d.options.items()], "15 12 18 55")
        else:
            page += "None.\n"
        page += "\n" + _title("Published survival by group", "-") + "\n"
        gs = scores.group_survival(name)
        if len(gs):
            page += _list_table(["group", "months", "survival", "statistic", "source", "tag"],
                                [[str(r.group), f"{r.time_months:g}", f"{r.survival:.2f}", r.statistic,
                                  r.source, f"``{r.tag}``"] for r in gs.itertuples()])
        if gs.attrs.get("note"):
            page += f"\n{gs.attrs['note']}\n"
        if d.notes:
            page += "\n" + _title("Notes", "-") + f"\n{d.notes}\n"
        page += "\n" + _title("Source notes and verification status", "-") + "\n"
        page += ("The docstring of the score's module, where every point-table decision is "
                 "traced to its source with an evidence tag:\n\n")
        page += "::\n\n" + textwrap.indent(notes, "   ") + "\n"
        _write(out / "clinical" / f"{name}.rst", page)
    index = _title("Clinical reference: the scores") + textwrap.dedent("""
        Generated from the score registry (``prognosis.scores``): each page shows the point
        table, groups, named options, published group survival and the source notes exactly as
        the code uses them. Evidence tags (from ``shared/reference/clinical-facts.md``):

        """)
    index += "\n".join(f"- ``{t}``: {v}" for t, v in TAGS.items()) + "\n\n"
    index += _list_table(["score", "name", "total", "groups", "evidence tags"], rows, "35 20 10 10 25")
    index += "\n.. toctree::\n   :hidden:\n\n" + "\n".join(f"   {n}" for n in names) + "\n"
    _write(out / "clinical" / "index.rst", index)


# -- troubleshooting: errors and warnings --------------------------------------------------------
def _raised_in(cls_name: str, root: Path) -> list[str]:
    hits = []
    for f in sorted(root.rglob("*.py")):
        if f.name == "errors.py":
            continue
        n = len([1 for line in f.read_text(encoding="utf-8").splitlines()
                 if re.search(rf"raise\s+{cls_name}\(", line)])
        if n:
            hits.append(f"``{'.'.join(f.relative_to(root.parent).with_suffix('').parts)}`` ({n})")
    return hits


def write_errors(out: Path) -> None:
    import prognosis
    from prognosis import errors

    root = Path(prognosis.__file__).parent
    classes = [getattr(errors, n) for n in errors.__all__
               if inspect.isclass(getattr(errors, n)) and issubclass(getattr(errors, n), BaseException)]

    def depth(c):
        return len([b for b in c.__mro__ if b in classes])

    page = _title("Errors and warnings") + textwrap.dedent("""
        Generated from ``prognosis/errors.py``. Every error the package raises on bad input is a
        subclass of :class:`~prognosis.errors.PrognosisError`, so ``except PrognosisError``
        catches them all; the CLI prints the message on one line and exits with code 2. Messages
        name the file, row position, column and value at fault, never a patient identifier.

        Hierarchy
        ---------

        """)
    for c in sorted(classes, key=lambda c: [b.__name__ for b in reversed(c.__mro__) if b in classes]):
        extra = [b.__name__ for b in c.__bases__ if b not in classes and b is not Exception]
        page += "  " * (depth(c) - 1) + f"- :ref:`{c.__name__} <err-{c.__name__}>`" + (
            f" (also ``{'``, ``'.join(extra)}``)" if extra else "") + "\n\n"
    page += "\n"
    for c in classes:
        page += f".. _err-{c.__name__}:\n\n" + _title(c.__name__, "-") + "\n"
        doc = inspect.getdoc(c) or "(no docstring: add one saying when this error is raised)"
        cause = re.split(r"^[A-Z][A-Za-z ]+\n-{3,}\s*$", doc, maxsplit=1, flags=re.M)[0].strip()
        page += cause + "\n\n"
        bases = ", ".join(f"``{b.__name__}``" for b in c.__bases__)
        page += f"*Subclass of* {bases}. "
        where = _raised_in(c.__name__, root)
        page += ("*Raised in* " + ", ".join(where) + "." if where else
                 "*Raised as* the base class of the errors above (or by the subclasses only).") + "\n\n"
    warns = []
    for info in pkgutil.walk_packages(prognosis.__path__, "prognosis."):
        if info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        for obj in vars(mod).values():
            if (inspect.isclass(obj) and issubclass(obj, Warning) and obj.__module__ == info.name
                    and obj not in warns):
                warns.append(obj)
    page += _title("Warnings", "-") + "\n"
    page += ("Warnings flag a number the package still reports but you should look at (the "
             "reason is in the message); turn them into errors with "
             "``warnings.simplefilter(\"error\", ...)``.\n\n")
    page += _list_table(["warning", "module", "cause"],
                        [[f"``{w.__name__}``", f"``{w.__module__}``", inspect.getdoc(w) or ""] for w in warns],
                        "25 25 50") if warns else "None.\n"
    _write(out / "errors.rst", page)


# -- command line ----------------------------------------------------------------------------
def write_cli(out: Path) -> None:
    """``prognosis --help`` and every subcommand's ``--help``, from the real parser."""
    import argparse
    import os

    from prognosis.cli.main import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "96"  # argparse wraps to the terminal width: fix it for the page
    try:
        parser = build_parser()
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        page = _title("Command line: ``prognosis``") + textwrap.dedent("""
            Generated from the parser itself (``prognosis.cli.main.build_parser``), so it lists
            exactly the subcommands and options of this version. Errors in the input print one
            line on stderr and exit with code 2 (see :doc:`errors`).

            """)
        page += "::\n\n" + textwrap.indent(parser.format_help(), "   ") + "\n"
        for name, sub in subs.choices.items():
            page += _title(f"prognosis {name}", "-") + "\n::\n\n" + textwrap.indent(sub.format_help(), "   ") + "\n"
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    _write(out / "cli.rst", page)


# -- v1 check --------------------------------------------------------------------------------
def check_v1(app) -> None:
    for full, obj in api_names.v1_objects():
        missing = api_names.missing_sections(obj)
        if missing:
            logger.warning(f"v1 name {full} lacks the docstring section(s) {', '.join(missing)}",
                           type="prognosis", subtype="v1")


def skip_member(app, what, name, obj, skip, options):
    """Members inherited from other libraries (scikit-learn's ``get_metadata_routing``,
    ``set_output``, generated ``set_*_request``) are documented by those libraries, not here."""
    if re.fullmatch(r"set_\w+_request", name):
        return True
    if what == "class":
        fn = getattr(obj, "fget", obj)
        home = getattr(fn, "__module__", None)
        if isinstance(home, str) and not home.startswith("prognosis"):
            return True
    return None


def drop_type_docstring(app, what, name, obj, options, lines):
    """A module constant without a ``#:`` comment would show its type's docstring (e.g. numpy's
    dtype documentation); show nothing instead."""
    if what == "data" and lines and inspect.getdoc(type(obj)) and \
            "\n".join(lines).strip() == inspect.cleandoc(type(obj).__doc__ or "").strip():
        lines.clear()


def generate(app) -> None:
    out = Path(app.srcdir) / "generated"
    write_api(out)
    write_clinical(out)
    write_errors(out)
    write_cli(out)
    check_v1(app)


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("autodoc-skip-member", skip_member)
    app.connect("autodoc-process-docstring", drop_type_docstring, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
