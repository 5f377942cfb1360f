# Two commands: `make test` and `make report`. Both create .venv and install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
PYTEST_ARGS ?= -n 2

.PHONY: install test report bench clean reference

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

report: $(STAMP)
	$(BIN)/prognosis report

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Regenerates tests/reference/*.json (needs R with survival, riskRegression, rms).
reference: $(STAMP)
	$(BIN)/python tests/reference/make_data.py
	Rscript tests/reference/make_reference.R
	Rscript tests/reference/make_reference_models.R
	Rscript tests/reference/make_reference_impute.R

clean:
	rm -rf $(VENV) .pytest_cache
