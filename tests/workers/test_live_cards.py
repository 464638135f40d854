"""Live cards: a shared or alerted ticket card follows its ticket, once, in place."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import build_web_client, handler_config
from live.delivery import Delivery
from playground.console import Console
from store import Store
from tests.conftest import RecordingSleep, ready_store
from workers.watches import poll_watches

CHANNEL = "C0CONSOLE"


async def _poll(
    console: Console, store: Store | None = None, *, now: datetime | None = None
) -> list[str]:
    settings = console.app_settings
    return await poll_watches(
        console.desk,
        store or console.store,
        # Slack's rules as the app keeps them, with their waits noted rather than waited out.
        build_web_client(settings, Delivery(sleep=RecordingSleep())),
        now or datetime.now(UTC),
        config=handler_config(settings),
    )


async def _share_ticket(console: Console, ticket_id: int) -> str:
    """/ticket N, Share in channel; the shared message's ts."""
    await console.send(f"/ticket {ticket_id}")
    await console.send("click Share in channel")
    [ts] = [
        ts
        for (channel, ts), m in console.slack.messages.items()
        if channel == CHANNEL and m["blocks"][0]["text"]["text"].startswith(f"#{ticket_id} ")
    ]
    return ts


def _updates(console: Console, ts: str) -> list:
    return [c for c in console.slack.calls if c.name == "chat.update" and c.payload["ts"] == ts]


def _replies(console: Console, ts: str) -> list[str]:
    return [
        c.payload["text"]
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("thread_ts") == ts
    ]


async def _new_status(console: Console, ticket_id: int) -> str:
    """Set the ticket to an open status it does not have yet (as someone in ReadyDesk would)."""
    ticket = await console.desk.readydesk.get_ticket(ticket_id)
    status = next(s for s in ("Awaiting Response", "Escalated") if s != ticket.status)
    await console.desk.readydesk.update_ticket(ticket_id, status=status)
    return status


def _field(message: dict, label: str) -> str:
    fields = message["blocks"][1]["fields"]
    return next(f["text"].split("\n", 1)[1] for f in fields if f["text"].startswith(f"*{label}*"))


async def test_a_status_change_updates_the_shared_card_once_with_one_thread_reply(console):
    ts = await _share_ticket(console, 34)
    before = _field(console.slack.messages[(CHANNEL, ts)], "Status")
    assert await _poll(console) == ["live cards: 1 records, 1 read, 1 backend calls"]
    assert _updates(console, ts) == []  # nothing changed yet: the card is left alone
    status = await _new_status(console, 34)
    await console.desk.readydesk.update_ticket(34, priority="Urgent")
    lines = await _poll(console)
    assert "ticket:34: changed, 1 card(s) updated" in lines
    assert len(_updates(console, ts)) == 1
    message = console.slack.messages[(CHANNEL, ts)]
    assert _field(message, "Status") == status and _field(message, "Priority") == "Urgent"
    assert "Shared by <@U0CONSOLE>" in repr(message["blocks"])  # still says who shared it
    [reply] = _replies(console, ts)
    assert reply.startswith("Ticket #34 changed: ")
    assert f"*Status*: {before} → {status}" in reply and "*Priority*:" in reply
    await _poll(console)
    assert len(_updates(console, ts)) == 1 and len(_replies(console, ts)) == 1


async def test_a_deskhand_button_updates_the_channel_copy_at_once_naming_who(console):
    tickets = console.fake("readydesk").state.data.tickets
    ticket_id = next(t.tid for t in tickets.values() if t.status == "Open")
    ts = await _share_ticket(console, ticket_id)
    await console.send(f"/ticket {ticket_id}")
    await console.send("click Close")  # on the ephemeral card; no poll runs
    assert _field(console.slack.messages[(CHANNEL, ts)], "Status") == "Closed"
    [reply] = _replies(console, ts)
    assert reply == f"Ticket #{ticket_id} changed: *Status*: Open → Closed — by <@U0CONSOLE>"
    await _poll(console)  # the poll finds nothing new to say
    assert len(_replies(console, ts)) == 1


async def test_an_alerted_ticket_card_is_live_too(console):
    await console.send("/deskhand watch tickets")
    await _poll(console)
    ticket_id = await console.desk.readydesk.add_ticket(cid="demo", subject="Fan rattles")
    await _poll(console)
    [ts] = [
        ts
        for (_, ts), m in console.slack.messages.items()
        if m["blocks"][0]["text"]["text"] == f"#{ticket_id} Fan rattles"
    ]
    tech = next(iter(console.fake("readydesk").state.data.techs.values()))
    await console.desk.readydesk.update_ticket(ticket_id, assigned_to=tech.uid)
    await _poll(console)
    assert _field(console.slack.messages[(CHANNEL, ts)], "Assigned to") != "Unassigned"
    [reply] = _replies(console, ts)
    assert "*Assigned to*: Unassigned →" in reply


async def test_a_deleted_ticket_says_so_once_and_is_no_longer_read(console):
    ts = await _share_ticket(console, 36)
    del console.fake("readydesk").state.data.tickets[36]
    assert "ticket:36: gone from ReadyDesk, 1 card(s) say so" in await _poll(console)
    text = repr(console.slack.messages[(CHANNEL, ts)]["blocks"])
    assert "no longer exists in ReadyDesk" in text
    assert await _poll(console) == []  # nothing left to read
    assert len(_updates(console, ts)) == 1


async def test_an_unreadable_ticket_keeps_its_card_and_is_read_again(console):
    ts = await _share_ticket(console, 37)
    faults = console.faults("readydesk")
    faults.add("status", status=500)
    lines = await _poll(console)
    assert any(line.startswith("ticket:37: unreadable") for line in lines)
    assert _updates(console, ts) == []
    faults.clear()
    status = await _new_status(console, 37)
    await _poll(console)
    assert _field(console.slack.messages[(CHANNEL, ts)], "Status") == status


async def test_a_card_deleted_in_slack_is_forgotten(console):
    ts = await _share_ticket(console, 38)
    del console.slack.messages[(CHANNEL, ts)]
    await _new_status(console, 38)
    await _poll(console)
    await console.desk.readydesk.update_ticket(38, status="Closed")
    assert await _poll(console) == []  # the card is forgotten, so is its record
    assert len(_updates(console, ts)) == 1 and _replies(console, ts) == []


async def test_cards_older_than_seven_days_are_left_alone(console):
    ts = await _share_ticket(console, 39)
    await _new_status(console, 39)
    assert await _poll(console, now=datetime.now(UTC) + timedelta(days=8)) == []
    assert _updates(console, ts) == []


async def test_two_pollers_on_one_database_update_a_card_once(console, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = ready_store(url), ready_store(url)
    now = datetime.now(UTC)
    await one.live.remember(CHANNEL, "1.000001", "ticket:40", {"Status": "Open"}, now)
    console.slack.messages[(CHANNEL, "1.000001")] = {"text": "#40"}
    await _new_status(console, 40)
    await asyncio.gather(_poll(console, one), _poll(console, two))
    assert len(_updates(console, "1.000001")) == 1
    assert len(_replies(console, "1.000001")) == 1
    await one.close()
    await two.close()


async def test_a_card_slack_would_not_update_then_catches_up_on_the_next_poll(console):
    ts = await _share_ticket(console, 41)
    status = await _new_status(console, 41)
    console.slack.rate_limits["chat.update"] = 4  # more 429s than the client's retries
    assert "ticket:41: changed, 0 card(s) updated" in await _poll(console)
    assert _field(console.slack.messages[(CHANNEL, ts)], "Status") != status
    lines = await _poll(console)
    assert "live cards: 1 of 1 behind brought up to date" in lines
    assert _field(console.slack.messages[(CHANNEL, ts)], "Status") == status
    [reply] = _replies(console, ts)
    assert reply.startswith(f"Ticket #41 was updated: *Status*: {status} · *Priority*: ")
    assert not any("behind" in line for line in await _poll(console))  # and only once
