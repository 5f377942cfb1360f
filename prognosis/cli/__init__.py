"""The ``prognosis`` command line: thin wrappers, one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` and ``run(args) -> int``.
"""
from .main import main

__all__ = ["main"]
