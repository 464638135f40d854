"""The schema comes from Alembic migrations, on SQLite and on PostgreSQL.

Alembic is imported inside the tests that use it: every test worker imports every test module
at collection, and Alembic is a quarter second of it that only this module's worker needs."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, inspect, text

from store import SchemaMismatch, Store
from store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    require_known,
    upgrade,
)
from store.models import Base
from tests.conftest import run_cli


def test_every_migration_on_an_empty_database_gives_exactly_the_models(database_url):
    from alembic.autogenerate import compare_metadata  # Alembic: here, not at collection
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run changes nothing
    engine.dispose()


def test_the_revisions_the_code_knows_are_alembics(tmp_path):
    """The head and the known revisions are read without Alembic at start: they agree with it."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    engine = create_engine(f"sqlite:///{tmp_path / 'state.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('')"))
    for revision in [*(r.revision for r in script.walk_revisions()), "9999"]:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        if revision == "9999":  # a newer Deskhand's
            with pytest.raises(SchemaMismatch, match="9999"):
                require_known(engine)
        else:
            assert require_known(engine) == revision
    engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(database_url):
    from alembic import command

    engine = create_engine(database_url)
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


async def test_a_database_from_before_migrations_keeps_its_rows(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:  # what Store's create_all made before migrations
        connection.execute(
            text(
                "CREATE TABLE processed_events (event_id VARCHAR(64) PRIMARY KEY, "
                "received_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        )
        connection.execute(
            text("INSERT INTO processed_events VALUES ('Ev1', '2026-11-01 10:00:00+00')")
        )
    store = Store(database_url)
    await store.migrate()  # as every start does
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT event_id FROM processed_events")).all() == [("Ev1",)]
    await store.close()
    engine.dispose()


def test_deskhand_db_upgrade_migrates_the_configured_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    result = run_cli("db", "upgrade", env={"DESKHAND_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert f"from empty to revision {head_revision()}" in result.stdout
    assert current_revision(create_engine(url)) == head_revision()


async def test_a_claim_left_pending_before_leases_is_due_for_the_sweeper_after_0007(database_url):
    engine = create_engine(database_url)
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO write_claims (intent_key, action, user_id, state, claimed_at) VALUES "
                "('view:OLD', 'note.ticket', 'U1', 'pending', '2026-11-01 10:00:00.000000'), "
                "('view:DONE', 'note.ticket', 'U1', 'done', '2026-11-01 10:00:00+00')"
            )
        )
    store = Store(database_url)
    await store.migrate()  # as every start does
    now = datetime.now(UTC)
    taken = await store.claims.take_stale("sweeper", now=now, lease=timedelta(minutes=1))
    assert [claim.intent_key for claim in taken] == ["view:OLD"]  # not stuck "being written"
    await store.close()
    engine.dispose()


def test_reading_the_revision_logs_nothing(tmp_path, caplog):
    """The readiness probe reads the revision every few seconds: no log line each time."""
    engine = create_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    assert current_revision(engine) is None  # an empty database
    upgrade(engine)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert current_revision(engine) == head_revision()
    assert [r.getMessage() for r in caplog.records] == []
    engine.dispose()


def test_subscriptions_under_the_digests_old_name_are_renamed(tmp_path):
    """0010: the open-tickets digest is the unresolved digest, in stored subscriptions too."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO digest_subscriptions (kind, channel_id, filters, at_time, days, "
                "timezone, quiet, paused, paused_reason, created_by, created_at, last_snapshot) "
                "VALUES ('open-tickets', 'C1', '', '08:00', '', 'UTC', 0, 0, '', 'U1', "
                "'2026-12-01 08:00:00', '')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM digest_subscriptions")).scalars().all()
    assert kinds == ["unresolved"]
    engine.dispose()
