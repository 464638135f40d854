"""Every test module's assert-rewritten bytecode, written once before pytest-xdist's workers start.

pytest rewrites a test module's asserts when it imports it, and caches the result beside it.
Each worker imports every test module to collect it, so on a fresh clone, where nothing is cached
yet, all four workers rewrite all of them at once: about 3.5 CPU-s each, on two cores. Written
here first, in the controller, the workers read the cache as they would on any later run.

pytest trusts a cached file whose format and source hash match, so what is written here must be
what pytest itself writes: tests/test_rewrite_ahead.py compares the two (their headers byte for
byte, their code as code objects), so a pytest that changed either fails that test. The names
used from pytest's (internal) rewrite module have no leading underscore. Whatever pytest would
skip or report itself (a file it cannot parse, a cache it cannot write) is left to it.
"""

import ast
import importlib.util
import marshal
import os
import sys
from collections.abc import Iterable, Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest
from _pytest.assertion.rewrite import PYC_TAIL, get_cache_dir, rewrite_asserts

CHECKED_HASH = b"\x03\x00\x00\x00"  # PEP 552 flags: a hash-based pyc, its hash always checked


def rewrite_ahead(config: pytest.Config) -> list[Path]:
    """Write the rewritten bytecode of each test module the run was given (files, or the test
    modules under its directories, with their conftest.py files) whose cache is missing or
    stale; returns the modules written. Nothing when bytecode is not written."""
    if sys.dont_write_bytecode or config.getoption("assertmode") != "rewrite":
        return []
    return write_rewritten(_rewritten_modules(config), config)


def write_rewritten(paths: Iterable[Path], config: pytest.Config) -> list[Path]:
    """Cache the rewritten bytecode of each module in `paths` whose cache is missing or stale;
    returns the modules written."""
    written = []
    for path in paths:
        source = path.read_bytes()
        cached = cached_bytecode(path)
        if _is_current(cached, source):
            continue
        try:
            _write_atomically(cached, bytecode(path, source, config))
        except (SyntaxError, ValueError, OSError):
            continue  # unparsable or not writable: the worker's import says so, or skips it
        written.append(path)
    return written


def cached_bytecode(path: Path) -> Path:
    """Where pytest caches the rewritten bytecode of the test module `path`."""
    return get_cache_dir(path) / (path.name[:-3] + PYC_TAIL)


def bytecode(path: Path, source: bytes, config: pytest.Config) -> bytes:
    """`source` (the module at `path`) with its asserts rewritten, as pytest caches it."""
    tree = ast.parse(source, filename=str(path))
    rewrite_asserts(tree, source, str(path), config)
    code = compile(tree, str(path), "exec", dont_inherit=True)
    return _header(source) + marshal.dumps(code)


def _rewritten_modules(config: pytest.Config) -> Iterator[Path]:
    patterns = [*config.getini("python_files"), "conftest.py"]
    for arg in config.args:
        given = config.invocation_params.dir / arg.split("::")[0]
        if given.is_dir():
            found = sorted(given.rglob("*.py"))
        else:  # one file, and the conftest.py files above it
            found = [
                given,
                *(d / "conftest.py" for d in given.parents if d.is_relative_to(config.rootpath)),
            ]
        for path in found:
            if path.is_file() and any(fnmatch(path.name, pattern) for pattern in patterns):
                yield path


def _header(source: bytes) -> bytes:
    return importlib.util.MAGIC_NUMBER + CHECKED_HASH + importlib.util.source_hash(source)[:8]


def _is_current(cached: Path, source: bytes) -> bool:
    try:
        with cached.open("rb") as file:
            return file.read(16) == _header(source)
    except OSError:
        return False


def _write_atomically(cached: Path, data: bytes) -> None:
    """As pytest writes it: whole or not at all, since a worker may read it at any moment."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, cached)
