"""The one place the version of prognosis is written.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``), so the wheel metadata, ``prognosis
--version`` and ``prognosis.__version__`` always agree, in an installed wheel and in a source
tree alike. Bump it together with a new section of ``CHANGELOG.md`` (see ``CONTRIBUTING.md``).
"""
__version__ = "0.1.0"
