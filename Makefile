# Each target creates .venv on first use and reinstalls when pyproject.toml or constraints.txt change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One test worker per core. Much of a test's time is waiting (sandbox latency, deadlines,
# subprocesses), so on a machine of your own TEST_WORKERS=4 (two per core) is faster still; on a
# shared, oversubscribed one the tests that finish a write inside the 2-second ack budget then
# miss it now and then.
TEST_WORKERS ?= auto

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
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

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
