"""The test modules' rewritten bytecode written ahead of the workers is pytest's own."""

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rewrite_ahead import cached_bytecode, write_rewritten

SAMPLE = '''"""A module of the asserts pytest rewrites."""


def test_sample():
    items = [1, 2]
    assert len(items) == 2, "two items"
    assert (count := len(items)) > 1
    assert items and count is not None
    assert {"a": 1} == {"a": 1}
'''


def _collect(directory: Path) -> None:
    """pytest, in its own process, collects `directory` (and caches what it rewrote)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    argv = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    done = subprocess.run(
        [sys.executable, *argv, "--rootdir", str(directory), str(directory)],
        env=env,
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_what_is_written_ahead_is_what_pytest_writes_and_reads(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    module = tmp_path / "test_sample.py"
    module.write_text(SAMPLE)
    _collect(tmp_path)
    cached = cached_bytecode(module)
    by_pytest = cached.read_bytes()

    cached.unlink()
    assert write_rewritten([module], request.config) == [module]
    ahead = cached.read_bytes()
    assert ahead[:16] == by_pytest[:16]  # format, flags and the source's hash
    # marshal marks shared objects by their reference counts: equal code, not equal bytes.
    # Both files were written just above, by this test and by pytest.
    assert marshal.loads(ahead[16:]) == marshal.loads(by_pytest[16:])  # noqa: S302

    before = cached.stat()
    _collect(tmp_path)  # reads the cache rather than writing its own again
    after = cached.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_only_a_module_changed_since_is_written_again(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    module = tmp_path / "test_sample.py"
    module.write_text(SAMPLE)
    assert write_rewritten([module], request.config) == [module]
    assert write_rewritten([module], request.config) == []

    module.write_text(SAMPLE + "\n\ndef test_more():\n    assert 1 + 1 == 2\n")
    assert write_rewritten([module], request.config) == [module]
    assert write_rewritten([module], request.config) == []


def test_a_module_that_does_not_parse_is_left_to_pytest_to_report(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    broken, sound = tmp_path / "test_broken.py", tmp_path / "test_sound.py"
    broken.write_text("def test_unfinished(:\n")
    sound.write_text(SAMPLE)
    assert write_rewritten([broken, sound], request.config) == [sound]
    assert not cached_bytecode(broken).exists()


def test_the_cache_goes_where_a_pycache_prefix_puts_it_however_deep(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "test_sample.py"
    module.write_text(SAMPLE)
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    assert write_rewritten([module], request.config) == [module]
    assert cached_bytecode(module).is_relative_to(tmp_path / "prefix")
    assert cached_bytecode(module).exists()
