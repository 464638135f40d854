"""Under a burst, card work queues behind a bounded number of slots; acknowledgements do not."""

import asyncio

import pytest
from pydantic import ValidationError

from bot.acks import KeptAck, ListenerSlots
from bot.app import build_desk
from bot.settings import Settings
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
    clients (the pool is httpx's; the figure must reach it)."""
    monkeypatch.setenv("DESKHAND_BACKEND_CONNECTIONS", "3")
    monkeypatch.setenv("READYDESK_URL", "https://desk.example/readydesk/API/default.aspx")
    monkeypatch.setenv("READYDESK_KEY", "k")
    monkeypatch.setenv("KICKSERV_ACCOUNT", "acme")
    monkeypatch.setenv("KICKSERV_API_KEY", "k")
    desk = build_desk(Settings(_env_file=None), ready_store())
    try:
        for client in (desk.readydesk, desk.kickserv):
            assert client._http._transport._pool._max_connections == 3
    finally:
        await desk.aclose()
