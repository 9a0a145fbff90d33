# Everything the project needs is installed here, into .venv, from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint train cv train-clickbait train-html lexicon eval eval-html bench bench-batch clean

# Reinstalled when the C code changes too: an editable install builds it only then.
$(STAMP): pyproject.toml setup.py $(wildcard cleaner/*.c)
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
	$(BIN)/ruff check cleaner training tests bench
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check cleaner training tests bench

# Rebuild the shipped model from committed code and ../shared/data alone.
train: $(STAMP)
	$(BIN)/python -m training.train

# Site-fold cross-validation of the line model's training config over the train and dev sites
# (three folds, about ten minutes): build/cv/fold_K/ and reports/cv.md.
cv: $(STAMP)
	$(BIN)/python -m training.crossval --out build/cv --report reports/cv.md

# The clickbait headline model: cleaner/models/clickbait.{npz,json}, reports/clickbait.{md,json}.
train-clickbait: $(STAMP)
	$(BIN)/python -m training.clickbait

# The words running text writes in lowercase, which bylines without `By` are checked against:
# cleaner/models/lowercase_words.txt and LEXICON_SHA256.
lexicon: $(STAMP)
	$(BIN)/python -m training.lexicon

# The block model of the HTML path: cleaner/models/block_model.{npz,meta.json} and BLOCK_SHA256.
train-html: $(STAMP)
	$(BIN)/python -m training.html_train

# HTML path beside trafilatura, readability and jusText on held-out sites: reports/html_eval.{md,json}.
eval-html: $(STAMP)
	$(BIN)/python -m training.html_eval

# Held-out figures: the line model (reports/eval.md), the metadata fields (reports/metadata.md),
# the HTML path beside other extractors (reports/html_eval.md) and the clickbait model's report.
eval: $(STAMP)
	$(BIN)/python -m training.evaluate
	$(BIN)/python -m training.model_card
	$(BIN)/python -m training.metadata_eval
	$(BIN)/python -m training.html_eval
	cat reports/clickbait.md

# Throughput, memory and start-up of cleaner beside trafilatura, jusText and a C4-style line
# filter on the same documents: writes reports/bench.md (and .json). Takes about ten minutes.
bench: $(STAMP)
	$(BIN)/python -m bench.bench

# The batch CLI: records/s for --jobs 1 and 2 on 50,000 seed-sized records, and the peak memory
# on 1 GB of JSONL (minutes; BENCH_BATCH_ARGS="--memory-gb 0" skips it): reports/batch_bench.md.
bench-batch: $(STAMP)
	$(BIN)/python -m bench.batch_bench $(BENCH_BATCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
