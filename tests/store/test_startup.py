"""Migrations run at start, not when a store is opened; a store on an older schema refuses."""

import asyncio
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as inspect_schema

from store import SchemaMismatch, Store
from store.migrate import alembic_config, current_revision, head_revision, upgrade
from store.models import Base
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
# A start as `deskhand run` makes it, in a fresh interpreter, and the directory's first write:
# which of Alembic's modules it loaded, and of SQLAlchemy's PostgreSQL dialect.
START = """
import asyncio, sys
from datetime import UTC, datetime
import bot.server  # what `deskhand serve` imports, so none of it loads PostgreSQL's dialect
from store import Store
from store.directory import Record

async def start(url):
    store = Store(url)
    try:
        revision = await store.migrate()
        await store.directory.upsert([Record("readydesk", "demo", "John Smith")])
        await store.directory.finish_fill("readydesk", datetime.now(UTC), full=True)
        return revision
    finally:
        await store.close()

print(asyncio.run(start(sys.argv[1])))
print(sorted(name for name in sys.modules if name.split(".")[0] in ("alembic", "mako")))
print(sorted(name for name in sys.modules if name.startswith("sqlalchemy.dialects.postgresql")))
"""


def _deskhand(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"DESKHAND_DATABASE_URL": url})


async def test_opening_a_store_creates_nothing_until_it_is_migrated(database_url):
    store = Store(database_url)
    assert inspect_schema(store.engine).get_table_names() == []
    assert await store.migrate() == head_revision()
    assert await store.digests.active() == []
    await store.close()


async def test_a_start_on_a_database_one_migration_behind_applies_it(database_url):
    head = head_revision()
    from alembic.script import ScriptDirectory  # Alembic: here, not at every worker's collection

    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    engine = create_engine(database_url)
    upgrade(engine, previous)
    store = Store(database_url)
    assert await store.migrate() == head
    assert set(Base.metadata.tables) <= set(inspect_schema(store.engine).get_table_names())
    assert await store.digests.active() == []
    await store.close()
    engine.dispose()


def test_a_start_on_a_database_at_the_newest_revision_loads_nothing_of_alembic_or_postgresql(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(create_engine(url))
    started = subprocess.run(
        [sys.executable, "-c", START, url], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines() == [head_revision(), "[]", "[]"]


async def test_a_store_on_a_database_behind_the_code_refuses_in_one_line(database_url):
    engine = create_engine(database_url)
    upgrade(engine, "0005")
    store = Store(database_url)
    with pytest.raises(SchemaMismatch) as refused:
        await store.alerts.active()
    message = str(refused.value)
    assert "\n" not in message
    assert "0005" in message and "`deskhand db upgrade`" in message
    assert current_revision(engine) == "0005"  # refusing changed nothing
    await store.close()
    engine.dispose()


async def test_an_empty_database_is_refused_too_and_works_once_migrated(database_url):
    store = Store(database_url)
    with pytest.raises(SchemaMismatch, match="deskhand db upgrade"):
        await store.claim_event("Ev1")
    await store.migrate()
    assert await store.claim_event("Ev1")
    assert not await store.claim_event("Ev1")
    await store.close()


def test_every_public_store_method_is_awaitable():
    store = Store("sqlite://")
    areas = [store, *(v for k, v in vars(store).items() if not k.startswith("_"))]
    checked = set()
    for area in areas:
        for name, method in inspect.getmembers(area, inspect.ismethod):
            if not name.startswith("_"):
                assert inspect.iscoroutinefunction(method), f"{type(area).__name__}.{name}"
                checked.add(f"{type(area).__name__}.{name}")
    # The walk reached the areas the app writes through, not an empty list.
    assert {"ClaimStore.claim", "ClaimStore.take_stale", "Store.claim_event"} <= checked


def test_deskhand_db_upgrade_has_help():
    result = _deskhand("db", "upgrade", "--help", url="sqlite://")
    assert result.returncode == 0, result.stderr
    assert "upgrade" in result.stdout


def test_deskhand_db_upgrade_on_an_up_to_date_database_names_its_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(create_engine(url))
    result = _deskhand("db", "upgrade", url=url)
    assert result.returncode == 0, result.stderr
    assert f"already at revision {head_revision()}" in result.stdout


def test_deskhand_db_upgrade_refuses_a_database_of_a_newer_deskhand_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = create_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = _deskhand("db", "upgrade", url=url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "9999" in result.stderr and "Traceback" not in result.stderr


def test_a_cli_command_that_opens_the_store_migrates_it_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    create_engine(url).connect().close()  # an empty database (a missing one is refused)
    result = _deskhand("audit", url=url)
    assert result.returncode == 0, result.stderr
    assert "No writes from Slack since" in result.stdout
    assert current_revision(create_engine(url)) == head_revision()


async def test_processes_starting_together_both_find_the_database_migrated(database_url):
    first, second = Store(database_url), Store(database_url)
    revisions = await asyncio.gather(first.migrate(), second.migrate())
    assert revisions == [head_revision(), head_revision()]
    assert await second.digests.active() == []
    await first.close()
    await second.close()
