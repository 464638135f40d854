"""Two apps in one process (`deskhand serve --workers`, the tests) share nothing by accident:
each keeps its own writes in flight, its own subcommand table, and its own secrets."""

import asyncio
import gc
import logging
import time

import pytest

from api.http import PROCESS_SECRETS, secrets_of
from bot.inflight import ListenersInFlight, finish_in_flight
from bot.logs import configure_logging
from tests.bot.bad_input import send_command
from tests.bot.served import served


async def _in_flight(app, limit: float = 5.0) -> None:
    """Return once `app` has a write in flight (bounded)."""
    async with asyncio.timeout(limit):
        while not app.desk.in_flight.running():
            await asyncio.sleep(0.02)


async def test_stopping_one_app_does_not_wait_for_the_writes_of_another(slack):
    async with served(slack) as first, served(slack) as second:
        first.readydesk.state.faults.add("latency", seconds=2.0, query={"action": "add_history"})
        url = slack.response_url("slow-note")
        note = asyncio.create_task(send_command(first, "/note", "ticket 34 Swapped the drum", url))
        await _in_flight(first)
        started = time.monotonic()
        left = await finish_in_flight(ListenersInFlight(), second.desk.in_flight, 5.0)
        assert left == 0 and time.monotonic() - started < 1.0  # the second stops at once
        assert not note.done()  # while the first's note is still being written
        assert await finish_in_flight(ListenersInFlight(), first.desk.in_flight, 10.0) == 0
        await note
        told = [c for c in slack.calls if c.kind == "response_url" and c.name == "slow-note"]
        assert "Added the note" in str(told[-1].payload)


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_the_process_log_hides_every_apps_secrets_and_each_leaves_with_its_app(
    slack, capsys, restore_root_logger
):
    log = logging.getLogger("deskhand.test")
    first, second = (
        served(slack, READYDESK_KEY="first-app-key"),
        served(slack, READYDESK_KEY="second-app-key"),
    )
    async with first, second:
        configure_logging(logging.INFO)  # the process's one handler, as `serve` sets it up
        log.info("keys first-app-key second-app-key")
        assert "keys *** ***" in capsys.readouterr().err
    del first, second
    gc.collect()
    _still = secrets_of([])  # the next app to start: the registry looks at who is alive
    assert not {"first-app-key", "second-app-key"} & set(PROCESS_SECRETS.forms)
