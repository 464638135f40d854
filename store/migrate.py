"""The schema is Alembic's: `upgrade` brings any database to the newest revision."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """Alembic's configuration, built in code (no alembic.ini to find)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


PRE_MIGRATIONS_REVISION = "0001"  # what Deskhand created before it had migrations


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database).

    A database made before migrations existed (it has processed_events but no alembic_version)
    is first marked as being at that schema, so its table is kept, not created again.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "processed_events" in tables and "alembic_version" not in tables:
            command.stamp(config, PRE_MIGRATIONS_REVISION)
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
