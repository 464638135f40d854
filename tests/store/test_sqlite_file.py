"""A SQLite state file shared by the bot and the admin's commands (`deskhand audit`)."""

import sqlite3
from contextlib import closing

from tests.conftest import ready_store


async def test_the_audit_log_reads_while_another_process_holds_a_write_on_the_file(tmp_path):
    """An admin's `deskhand audit` answers while the bot is in the middle of committing a write
    to the same file: a read does not wait for a write (with a rollback journal it waited five
    seconds and failed with "database is locked")."""
    path = tmp_path / "state.db"
    store = ready_store(f"sqlite:///{path}")
    try:
        await store.audit.record(
            user_id="U1",
            channel_id="C1",
            action="note.ticket",
            target="ticket 34",
            summary="Called the customer",
            outcome="written",
            reference="34",
        )
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as bot:
            bot.execute("BEGIN EXCLUSIVE")
            bot.execute("DELETE FROM audit_log")  # not committed: the reader sees the row
            rows = await store.audit.recent()
            bot.execute("ROLLBACK")
        assert [r.target for r in rows] == ["ticket 34"]
    finally:
        await store.close()
