# Two commands: `make test` and `make report`. Both create .venv and install what they need.
# `make lint` runs ruff with the rules in pyproject.toml ([tool.ruff]).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
PYTEST_ARGS ?= -n 2

.PHONY: install test lint report bench clean reference docs docs-clean dist smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

report: $(STAMP)
	$(BIN)/prognosis report

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Regenerates tests/reference/*.json (needs R with survival, riskRegression, rms).
reference: $(STAMP)
	$(BIN)/python tests/reference/make_data.py
	Rscript tests/reference/make_reference.R
	Rscript tests/reference/make_reference_models.R
	Rscript tests/reference/make_reference_update.R
	Rscript tests/reference/make_reference_impute.R

# Documentation site -> docs/_build/html (Sphinx + numpydoc + myst-nb; warnings are errors).
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "site: docs/_build/html/index.html"

docs-clean:
	rm -rf docs/_build docs/generated

# Release artefacts: wheel + sdist in dist/; `make smoke` installs the wheel in a fresh venv and uses it.
dist: | $(BIN)/python
	$(BIN)/python -m pip install --quiet build
	$(BIN)/python -m build --outdir dist .

smoke: | $(BIN)/python
	bash .ci/smoke.sh $(PYTHON)

clean:
	rm -rf $(VENV) .pytest_cache docs/_build docs/generated dist
