"""The schema is Alembic's: `upgrade` brings any database to the newest revision. It runs at
process start and in `deskhand db upgrade`; a store on an older database refuses to work."""

import functools
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PRE_MIGRATIONS_REVISION = "0001"  # what Deskhand created before it had migrations
# Any number shared by every Deskhand process: PostgreSQL runs one process's upgrade at a time.
UPGRADE_LOCK = 0x6465736B68616E64
VERSION_TABLE = "alembic_version"  # Alembic's default, which our migrations keep
_IN_PROCESS = threading.Lock()  # Alembic's `context` is one per process, not one per thread


class SchemaMismatch(RuntimeError):
    """The database is not at the code's revision; the one-line message says what to run."""


def alembic_config() -> Config:
    """Alembic's configuration, built in code (no alembic.ini to find)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database).

    A database made before migrations existed (it has processed_events but no alembic_version)
    is first marked as being at that schema, so its table is kept, not created again.
    """
    config = alembic_config()
    with _IN_PROCESS, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes starting together on one database: the second waits, then finds it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "processed_events" in tables and "alembic_version" not in tables:
            command.stamp(config, PRE_MIGRATIONS_REVISION)
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database.

    Read from Alembic's version table directly: a MigrationContext logs two INFO lines each time
    it is made, and the readiness probe asks this every few seconds."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@functools.cache
def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def require_known(engine: Engine) -> str | None:
    """The database's revision; SchemaMismatch when it is one this code does not know (a newer
    Deskhand migrated it), which no upgrade of ours can mend."""
    current = current_revision(engine)
    if current is not None and not _known(current):
        raise SchemaMismatch(
            f"The state database is at revision {current}, which this Deskhand does not know "
            "(a newer Deskhand migrated it): run that version."
        )
    return current


def require_current(engine: Engine) -> None:
    """Raise SchemaMismatch unless the database is at the code's head revision."""
    current, head = require_known(engine), head_revision()
    if current == head:
        return
    raise SchemaMismatch(
        f"The state database is at revision {current or '(empty)'} but this Deskhand needs "
        f"{head}: run `deskhand db upgrade`."
    )


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
