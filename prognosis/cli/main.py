"""Entry point: ``prognosis <subcommand> ...``."""
from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import PrognosisError

#: subcommand name -> module under prognosis.cli
SUBCOMMANDS = ("harmonize", "score", "fit", "validate", "report", "predict")
SUBCOMMANDS += ("samplesize", "update")
SUBCOMMANDS += ("calculator", "serve", "nomogram")  # individual predictions (issue 18)
SUBCOMMANDS += ("noms",)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="prognosis",
        description="Survival prediction for spinal metastases: harmonize cohorts, compute classic "
        "scores, fit and validate models, write reports.",
    )
    parser.add_argument("--version", action="version", version=f"prognosis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            mod = importlib.import_module(f"prognosis.cli.{name}")
        except ModuleNotFoundError as exc:  # a subcommand module not yet present
            if exc.name != f"prognosis.cli.{name}":
                raise
            continue
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except PrognosisError as exc:
        print(f"prognosis {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
