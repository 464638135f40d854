"""The schema is Alembic's: `upgrade` brings any database to the newest revision. It runs at
process start and in `deskhand db upgrade`; a store on an older database refuses to work.

Alembic itself (about 170 ms of imports, with Mako and Pygments) is imported only when there is
something to migrate: a start on a database already at head reads the revisions from the
migration files' own `revision =` assignments and the version table with a plain query."""

import ast
import contextlib
import functools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PRE_MIGRATIONS_REVISION = "0001"  # what Deskhand created before it had migrations
# Any number shared by every Deskhand process: PostgreSQL runs one process's upgrade at a time.
UPGRADE_LOCK = 0x6465736B68616E64
VERSION_TABLE = "alembic_version"  # Alembic's default, which our migrations keep
_IN_PROCESS = threading.Lock()  # Alembic's `context` is one per process, not one per thread


class SchemaMismatch(RuntimeError):
    """The database is not at the code's revision; the one-line message says what to run."""


def alembic_config() -> "Config":
    """Alembic's configuration, built in code (no alembic.ini to find)."""
    from alembic.config import Config  # here, not at the top: see the module's docstring

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database).

    A database made before migrations existed (it has processed_events but no alembic_version)
    is first marked as being at that schema, so its table is kept, not created again.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return  # nothing to apply (the common start), and nothing of Alembic's imported for it
    from alembic import command  # here, not at the top: see the module's docstring

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


def head_revision() -> str | None:
    """The newest revision the code knows: the one no other migration revises."""
    chain = _revisions()
    revised = {parent for parents in chain.values() for parent in parents}
    heads = [revision for revision in chain if revision not in revised]
    if len(heads) != 1:
        raise RuntimeError(f"store/migrations has {len(heads)} heads, not one: {sorted(heads)}")
    return heads[0]


@functools.cache
def _revisions() -> dict[str, tuple[str, ...]]:
    """Each migration's revision and the revisions it follows, from its file's own top-level
    `revision = …` and `down_revision = …` (what Alembic reads, after importing each file;
    tests/store/test_migrations.py compares)."""
    chain: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        names = dict(_assignments(ast.parse(path.read_text(encoding="utf-8"))))
        if "revision" in names:
            parents = names.get("down_revision")
            chain[names["revision"]] = (
                () if parents is None else (parents,) if isinstance(parents, str) else parents
            )
    return chain


def _assignments(module: ast.Module) -> Iterator[tuple[str, Any]]:
    """(name, literal value) of each top-level `name = literal` (annotated or not)."""
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError):
                yield target.id, ast.literal_eval(value)


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
    return revision in _revisions()
