"""The customer directory fills from the moment a process starts (serve, the console; Socket
Mode in test_processes.py), and until it is filled searches and pickers merge the backends' own
lookups with what it holds. Stopping in the middle of a walk is quick."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from bot.app import build_sandbox_desk
from bot.server import build_http_app
from bot.settings import Settings
from handlers.form_values import parse_customer_value
from playground.console import Console
from sandbox.kickserv import KickservFake
from store.directory import KICKSERV, READYDESK
from tests.conftest import ready_store


async def _until(check, seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(0.02)


@pytest.fixture
def stalled_kickserv_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kickserv's customer list never answers (a large account, slowly): the directory's walk
    of it stays on its first page, while its other routes (the name filter) answer."""

    async def never(self, request):
        await asyncio.Event().wait()

    monkeypatch.setattr(KickservFake, "list_customers", never)


@pytest.fixture
async def filling(stalled_kickserv_walk) -> AsyncIterator[Console]:
    """The app while its first fill runs: ReadyDesk walked, Kickserv not yet."""
    async with Console(Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60)) as console:
        store = console.store.directory
        await _until(lambda: _filled(store, READYDESK))
        assert not await console.desk.directory.is_ready()
        yield console


async def _filled(store, system: str) -> bool:
    return await store.filled_at(system) is not None


async def test_the_console_fills_the_directory_before_anything_is_typed():
    async with Console(Settings(_env_file=None)) as console:
        await _until(console.desk.directory.is_ready)
        assert console.slack.calls == []  # no request came in: the start alone filled it


async def test_serve_fills_at_start_and_stops_at_once_in_the_middle_of_a_walk(
    settings, fakes, caplog
):
    rd_app, ks_app = fakes
    ks_app.state.faults.add("latency", seconds=30, path="/customers.json")
    store = ready_store()
    desk = build_sandbox_desk(store, rd_app, ks_app)
    app = build_http_app(settings, desk, store=store)
    with caplog.at_level(logging.WARNING):
        async with app.router.lifespan_context(app):  # `deskhand serve` starting, no request
            await _until(lambda: _filled(store.directory, READYDESK))
            assert not await _filled(store.directory, KICKSERV)  # its first page is 30 s away
            stopping = time.perf_counter()
        took = time.perf_counter() - stopping
    assert took < 2.0
    assert [r.getMessage() for r in caplog.records if r.name.startswith("deskhand")] == []


async def test_a_search_during_the_fill_links_a_kickserv_customer_to_its_phone_twin(filling):
    rd = await filling.desk.readydesk.get_customer("demo")
    twin = await filling.desk.kickserv.create_customer(
        name="Pine & Twin", phone_number=f"+1 {rd.phone}"
    )
    [card] = await filling.send("/customer Pine & Twin")
    fields = [f["text"] for f in card["blocks"][1]["fields"]]
    assert card["blocks"][0]["text"]["text"] == "Demo Company"
    assert "*Customer ID*\ndemo" in fields
    assert f"*Kickserv customer*\nPine &amp; Twin (#{twin.customer_number})" in fields
    text = repr(card["blocks"])
    assert "are linked: same phone." in text and "directory is still loading" in text


async def test_the_picker_offers_kickserv_customers_the_directory_has_not_reached(filling):
    data = filling.fake("kickserv").state.data
    customer = next(c for c in data.customers.values() if c.customer_number > 1)
    answer = await filling.suggest("customer_picker", customer.name)
    groups = {g["label"]["text"]: g["options"] for g in answer["option_groups"]}
    chosen = [parse_customer_value(o["value"]) for o in groups["Kickserv"]]
    assert (KICKSERV, str(customer.customer_number)) in chosen
    assert groups["ReadyDesk"]  # and what the directory already holds of ReadyDesk


async def test_the_picker_waits_at_most_a_moment_for_a_slow_kickserv(filling):
    filling.faults("kickserv").add("latency", seconds=10, path="/filter.json")
    started = time.perf_counter()
    answer = await filling.suggest("customer_picker", "democompany")
    assert time.perf_counter() - started < 2.5  # Slack gives an options request 3 seconds
    [group] = answer["option_groups"]
    assert group["label"]["text"] == "ReadyDesk"


async def test_stopping_the_console_in_the_middle_of_a_walk_is_quick(stalled_kickserv_walk):
    console = Console(Settings(_env_file=None))
    await console.__aenter__()
    await _until(lambda: _filled(console.store.directory, READYDESK))
    started = time.perf_counter()
    await console.__aexit__(None, None, None)
    assert time.perf_counter() - started < 1.0
