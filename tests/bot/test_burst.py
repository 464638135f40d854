"""Under a burst, card work queues behind a bounded number of slots; acknowledgements do not."""

import asyncio

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.acks import KeptAck, ListenerSlots
from bot.app import build_desk
from bot.settings import Settings
from sandbox.serve import LoopbackServer
from tests.conftest import ready_store


async def _listener(
    slots: ListenerSlots, acks: dict[str, KeptAck], working: list[str], name: str, gate
) -> None:
    """A listener as Bolt runs it (its own task): ack, then the card work."""
    acks[name] = KeptAck(slots)
    await acks[name](text=f"{name} acked")
    working.append(name)
    await gate.wait()


async def test_a_listener_that_acked_waits_for_a_free_slot_before_its_work():
    slots, acks, working = ListenerSlots(1), {}, []
    first_done, second_done = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(_listener(slots, acks, working, "first", first_done))
    second = asyncio.create_task(_listener(slots, acks, working, "second", second_done))
    while len(acks) < 2 or acks["second"].response is None:
        await asyncio.sleep(0)
    # Both acknowledgements are given; only the first listener is at work.
    assert acks["first"].response.status == acks["second"].response.status == 200
    assert working == ["first"]
    first_done.set()
    await first
    while working == ["first"]:
        await asyncio.sleep(0)
    assert working == ["first", "second"]
    second_done.set()
    await second


async def test_a_failed_listener_gives_its_slot_back():
    slots = ListenerSlots(1)

    async def failing() -> None:
        await KeptAck(slots)()
        raise RuntimeError("the card could not be built")

    with pytest.raises(RuntimeError):
        await asyncio.create_task(failing())
    done = asyncio.Event()
    done.set()
    await asyncio.wait_for(asyncio.create_task(_listener(slots, {}, [], "next", done)), 5)


async def test_the_task_answering_slack_never_waits_for_a_slot():
    slots, hold = ListenerSlots(1), asyncio.Event()
    busy = asyncio.create_task(_listener(slots, {}, [], "busy", hold))
    await asyncio.sleep(0)
    # Bolt acks events itself, in the task that answers the HTTP request.
    ack = KeptAck(slots, dispatcher=asyncio.current_task())
    async with asyncio.timeout(5):  # a guard against hanging, not a measurement
        await ack()
    assert ack.response.status == 200
    hold.set()
    await busy


@pytest.mark.parametrize("name", ["DESKHAND_MAX_LISTENERS", "DESKHAND_BACKEND_CONNECTIONS"])
def test_burst_limits_must_be_at_least_one(monkeypatch, name):
    monkeypatch.setenv(name, "0")
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None)
    monkeypatch.setenv(name, "7")
    settings = Settings(_env_file=None)
    assert 7 in (settings.max_listeners, settings.backend_connections)


async def test_each_backend_client_opens_at_most_the_configured_connections(monkeypatch):
    """A burst against a slow backend waits for one of DESKHAND_BACKEND_CONNECTIONS, in both
    clients: the backend never sees more requests at once than that."""
    in_flight, peak, release = 0, 0, asyncio.Event()

    async def slow_backend(request):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await release.wait()
        finally:
            in_flight -= 1
        return JSONResponse({"error": "not here"}, status_code=404)

    server = LoopbackServer(Starlette(routes=[Route("/{path:path}", slow_backend)]))
    base = await server.start()
    monkeypatch.setenv("DESKHAND_BACKEND_CONNECTIONS", "3")
    monkeypatch.setenv("READYDESK_URL", f"{base}/readydesk/API/default.aspx")
    monkeypatch.setenv("READYDESK_KEY", "k")
    monkeypatch.setenv("KICKSERV_URL", base)
    monkeypatch.setenv("KICKSERV_ACCOUNT", "acme")
    monkeypatch.setenv("KICKSERV_API_KEY", "k")
    desk = build_desk(Settings(_env_file=None), ready_store())
    try:
        for read in (desk.readydesk.get_ticket, desk.kickserv.get_job):
            peak = 0
            release.clear()
            burst = [asyncio.create_task(read(34 + n)) for n in range(8)]
            async with asyncio.timeout(5):
                while in_flight < 3:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # time for a fourth connection to arrive, were one opened
            assert peak == 3
            release.set()
            await asyncio.gather(*burst, return_exceptions=True)
    finally:
        release.set()
        await desk.aclose()
        await server.stop()
