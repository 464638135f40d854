# Each target creates .venv on first use and reinstalls when pyproject.toml or constraints.txt change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two test workers per core (at most eight): a test often waits (sandbox latency, deadlines,
# subprocesses, a browser), and a second worker on the core runs meanwhile. On this project's
# two-core machine the suite took 143 s with three workers, 124 s with four and 129 s with six. Set
# TEST_WORKERS=auto (one per core) on a machine shared with other heavy work: the tests that
# finish a write inside the 2-second ack budget need the CPU when they run.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$((2 * n)) -gt 8 ] && echo 8 || echo $$((2 * n)))

.PHONY: run test lint bench console image clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/deskhand run

console: $(STAMP)
	$(BIN)/deskhand console

# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: each worker otherwise rewrites
# and compiles every test module's asserts again (seconds per worker, every run), and each
# `deskhand` subprocess compiles the app again. The caches are git-ignored.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script; done

# Builds the image from the Containerfile with buildah and runs it through its checks (as root;
# the first run makes a Debian base with debootstrap and keeps it, later runs take a minute).
image: $(STAMP)
	bash ops/image-check.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
