"""A SQLite state file shared by the bot and the admin's commands (`deskhand audit`)."""

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, nullcontext

from sqlalchemy import create_engine

from store.area import Database
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


async def test_calls_made_together_each_get_their_own_answer_when_one_fails(tmp_path):
    """Calls that wait for the database thread together go over in one hop (store/area.py):
    each caller still gets its own answer, one call's error is its caller's alone, and a call
    whose caller gave up before its turn is not made."""
    store = ready_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        events = [f"Ev{n % 20}" for n in range(40)]  # each event delivered twice
        calls = [store.claim_event(e) for e in events]
        calls.append(store.visits.of_ticket(10**30))  # too large for SQLite: this one fails
        answers = await asyncio.gather(*calls, return_exceptions=True)
        assert answers[:40] == [True] * 20 + [False] * 20
        assert isinstance(answers[40], OverflowError)
        busy = asyncio.ensure_future(store.claim_event("Ev-busy"))
        gave_up = asyncio.ensure_future(store.claim_event("Ev-cancelled"))
        await asyncio.sleep(0)
        gave_up.cancel()
        assert await busy is True
        assert await store.claim_event("Ev-cancelled") is True  # not claimed by the one cancelled
    finally:
        await store.close()


async def test_a_call_in_a_batch_is_answered_when_it_has_run_not_when_the_batch_has():
    """A quick store call (an event's claim, on the way to Slack's acknowledgement) is not
    held back by slow ones that queued with it for the database thread."""
    database = Database(create_engine("sqlite://"), nullcontext(), ThreadPoolExecutor(1))
    slow_done = threading.Event()

    def slow() -> str:
        time.sleep(0.3)
        slow_done.set()
        return "slow"

    busy = asyncio.ensure_future(database.run(lambda: time.sleep(0.05)))
    await asyncio.sleep(0.01)  # the thread is busy: the next two queue as one batch
    quick, later = database.run(lambda: "quick"), asyncio.ensure_future(database.run(slow))
    assert await quick == "quick"
    assert not slow_done.is_set()  # answered before the slow call that queued with it ran
    assert await later == "slow" and await busy is None
