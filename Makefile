# Everything the project needs is installed here, into .venv, from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint train eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Clean the example articles with the shipped model; the records go to samples/output/.
run: $(STAMP)
	mkdir -p samples/output
	$(BIN)/cleaner samples/input -o samples/output/cleaned.jsonl
	$(BIN)/cleaner --format text samples/input > samples/output/cleaned.txt
	cat samples/output/cleaned.txt

test: $(STAMP)
	$(BIN)/ruff check cleaner training tests
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check cleaner training tests

# Rebuild the shipped model from committed code and ../shared/data alone.
train: $(STAMP)
	$(BIN)/python -m training.train

# Held-out figures: writes reports/eval.md and reports/eval.json.
eval: $(STAMP)
	$(BIN)/python -m training.evaluate
	$(BIN)/python -m training.model_card

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
