"""Shared fixtures: a clean environment, the ReadyDesk sandbox, wire-body fixtures."""

import asyncio
import contextlib
import gc
import io
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, inspect

import store.database
from api.http import RetryPolicy
from api.readydesk import ReadyDeskClient
from bot.settings import Settings
from ops.databases import fresh_database
from playground import cli
from playground.console import Console
from sandbox.data import SandboxData, seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.slack import SlackSandbox
from store import Store
from store.migrate import upgrade
from tests.rewrite_ahead import rewrite_ahead

FIXTURES = Path(__file__).parent / "fixtures"
# Read before clean_environment empties DESKHAND_*: .ci/run starts PostgreSQL and sets this.
POSTGRES_URL = os.environ.get("DESKHAND_TEST_POSTGRES_URL")
ENDPOINT = "http://readydesk.test/readydesk/API/default.aspx"
ENV_PREFIXES = ("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_")
# Backend reads retried after a transient fault without the half-second backoff a real
# backend is given: the retries happen all the same, the tests do not wait them out.
FAST_RETRY = {"DESKHAND_RETRY_DELAY": "0.01"}
# Posts to one channel back to back (a shared card, then its thread's first reply) go out at
# once rather than a second apart: tests of the pacing itself keep DESKHAND_SLACK_POST_GAP.
UNPACED = {"DESKHAND_SLACK_POST_GAP": "0"}
GC_YOUNG = 20_000  # allocations between young collections in a test worker (see below)


def pytest_configure(config: pytest.Config) -> None:
    """Young collections every GC_YOUNG allocations rather than Python's 700, from before the
    test modules are imported: each test builds tens of thousands of objects (two seeded
    worlds, an app), and at 700 a worker spent about a tenth of its CPU collecting, mostly
    objects that reference counting freed soon after. In pytest-xdist's controller, before the
    workers start: every test module's rewritten bytecode, once (tests/rewrite_ahead.py)."""
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        rewrite_ahead(config)  # pytest-xdist's controller, before its workers start


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked `long_running` first, in their order, then the rest in theirs.
    pytest-xdist hands out whole files (`--dist loadfile`) in this order as workers free up,
    when told to keep it (`--no-loadscope-reorder`; by default it hands out the files with the
    most tests first, which put four tests of restarts, 30 s of them, at the very end): a file
    of seconds-long waits that starts last keeps one worker busy while the others idle, one
    that starts first is done by the time the short files run out."""
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything alive once the tests are collected (modules, test items, their fixtures' code)
    lives to the end: frozen, the collector stops walking it at every full collection."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's Slack or backend settings, or a stray .env."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def migrate_from_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A store on an empty SQLite database starts as a copy of one migrated once per worker.

    Running every migration costs a few hundred milliseconds, paid by hundreds of tests; the
    copy has the very schema (and alembic_version) the upgrade would give. Other databases and
    revisions, and tests/store/test_migrations.py (which calls `upgrade` itself), migrate for real.
    """
    template = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = create_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()

    def upgrade_from_template(engine: Engine, revision: str = "head") -> None:
        if (
            revision != "head"
            or engine.dialect.name != "sqlite"
            or inspect(engine).get_table_names()
        ):
            upgrade(engine, revision)
            return
        with engine.connect() as connection, closing(sqlite3.connect(template)) as source:
            source.backup(connection.connection.driver_connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.database, "upgrade", upgrade_from_template)
        yield


def clean_settings(**values: Any) -> Settings:
    """Settings from `values` alone, as `clean_environment` would leave them: for fixtures
    wider than one test, which run before it."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(ENV_PREFIXES):
                env.delenv(name)
        return Settings(_env_file=None, **values)


def run_cli(*argv: str, env: dict[str, str], input: str = "") -> subprocess.CompletedProcess[str]:
    """`deskhand <argv>` with exactly `env` as its DESKHAND_/SLACK_/backend settings and `input`
    piped to it, run in this process (in a thread of its own, so it may start its own event
    loop) rather than a new one: the same code path from argument parsing to exit code, without
    paying Python's start and the app's imports again. Signals and real processes have their
    own tests."""
    out, err, stdin = io.StringIO(), io.StringIO(), sys.stdin
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    saved = {
        name: os.environ.pop(name) for name in list(os.environ) if name.startswith(ENV_PREFIXES)
    }

    def call() -> int:
        try:
            return cli.main(list(argv))
        except SystemExit as stop:  # argparse's usage errors
            return stop.code if isinstance(stop.code, int) else 1

    try:
        os.environ.update(env)
        sys.stdin = io.StringIO(input)
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            ThreadPoolExecutor(1) as thread,
        ):
            code = thread.submit(call).result(timeout=60)
    finally:
        sys.stdin = stdin
        for name in env:
            os.environ.pop(name, None)
        os.environ.update(saved)
        root.handlers[:], root.level = handlers, level
    return subprocess.CompletedProcess(["deskhand", *argv], code, out.getvalue(), err.getvalue())


def fixture_text(relative: str) -> str:
    """A wire body stored under tests/fixtures/."""
    return (FIXTURES / relative).read_text()


class RecordingSleep:
    """An injectable retry sleep that returns at once and remembers each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, and a fresh PostgreSQL database when one is configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'deskhand.db'}"
        return
    with _fresh_postgres() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database (for tests of several processes or replicas on one), or a
    skip where no server is configured."""
    with _fresh_postgres() as url:
        yield url


@contextlib.contextmanager
def _fresh_postgres() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("DESKHAND_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    with fresh_database(POSTGRES_URL, "deskhand_test") as url:
        yield url


def ready_store(database_url: str = "sqlite://") -> Store:
    """A store on `database_url` (in memory by default), migrated first as every start is."""
    fresh = Store(database_url)
    store.database.upgrade(fresh.engine)  # the per-worker template's copy, on SQLite
    return fresh


@pytest.fixture
def sleeps() -> RecordingSleep:
    """The retry delays a client asked for."""
    return RecordingSleep()


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    """The real app behind the local console, with the Slack and backend sandboxes.

    No "Looking up …" line before an answer, however loaded the machine, a read retried after
    a transient fault is retried at once (FAST_RETRY), and posts to one channel are not paced
    (UNPACED): tests that want otherwise build their own settings.
    """
    async with _console(**UNPACED) as running:
        yield running


async def directory_filled(console: Console) -> Console:
    """`console` once the directory fill its start began has walked both systems, as a
    process that has run a few seconds has it (a second walk beside it would only cost time)."""
    await asyncio.wait_for(console.desk.directory.wait_until_ready(), 30)
    return console


@pytest.fixture
async def paced_console() -> AsyncIterator[Console]:
    """The console's app with posts to one channel paced as served (a second apart)."""
    async with _console() as running:
        yield running


@contextlib.asynccontextmanager
async def _console(**env: str) -> AsyncIterator[Console]:
    settings = Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60, **FAST_RETRY, **env)
    async with Console(settings) as running:
        yield running


@pytest.fixture
async def slack() -> AsyncIterator[SlackSandbox]:
    """The Slack sandbox (Web API, response_url sink, Socket Mode) on a loopback port."""
    sandbox = SlackSandbox()
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
def rd_data() -> SandboxData:
    """A fresh seeded ReadyDesk database for one test."""
    return seeded()


@pytest.fixture
async def readydesk(rd_data: SandboxData, sleeps: RecordingSleep) -> AsyncIterator[ReadyDeskClient]:
    """A client talking to the ReadyDesk fake in-process."""
    client = ReadyDeskClient(
        ENDPOINT,
        SANDBOX_KEY,
        transport=httpx.ASGITransport(app=build_readydesk_app(rd_data)),
        retry=RetryPolicy(sleep=sleeps),
    )
    yield client
    await client.aclose()
