"""A synced thread reply under every way the note's write can go wrong, on two replicas sharing
PostgreSQL, and over Socket Mode: the note is written once or not at all, and the replier sees
which on the reply itself (the synced reaction, ⏳ until it is settled, or an ephemeral why with
their text)."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_app, build_desk, build_sandboxes, build_web_client
from bot.socket_mode import connect_socket_mode
from cards.refs import JobRef, TicketRef
from sandbox.faults import Fault
from tests.bot.served import served
from tests.bot.test_threads import (
    CHANNEL,
    SYNCED,
    deleted,
    edited,
    ephemerals,
    history_notes,
    poll,
    replies_in,
    synced_card,
)
from tests.bot.test_write_faults import MODES
from tests.conftest import ready_store
from tests.slack_helpers import event_body, socket_mode_settings
from workers.claims import sweep_claims

TYPED = "Replaced the pickup roller"
UNCONFIRMED = "hourglass_flowing_sand"


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
async def test_a_reply_is_written_once_or_not_at_all_and_the_reply_shows_which(app, slack, mode):
    kind, options, applied = mode
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    before = len(history_notes(app, 34))
    if kind != "pass":
        app.readydesk.state.faults.add(kind, times=1, query={"action": "add_history"}, **options)
    reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
    await app.event(reply)
    reactions = slack.reactions.get((CHANNEL, reply["ts"]), [])
    if applied:  # applied, whatever the reply said: written (a read-back confirms it)
        assert len(history_notes(app, 34)) == before + 1
        assert reactions == [SYNCED] and ephemerals(slack) == []
        return
    assert len(history_notes(app, 34)) == before
    assert reactions == [UNCONFIRMED] and ephemerals(slack) == []  # not known yet: ⏳
    client = build_web_client(app.settings)
    window_over = datetime.now(UTC) + timedelta(seconds=61)
    await sweep_claims(app.desk, app.store, client, window_over)
    assert slack.reactions[(CHANNEL, reply["ts"])] == []  # ⏳ gone, and no synced mark
    [told] = ephemerals(slack)
    assert told["thread_ts"] == card and "*not added* to ticket #34" in told["text"]
    assert f">{TYPED}" in told["text"]  # their text, to reply again
    assert len(history_notes(app, 34)) == before


async def test_a_reply_confirmed_later_swaps_the_hourglass_for_the_synced_mark(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    faults = app.readydesk.state.faults
    faults.add(
        "error_now_applied_later",
        times=1,
        seconds=3600,
        status=504,
        query={"action": "add_history"},
    )
    reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
    await app.event(reply)
    assert slack.reactions[(CHANNEL, reply["ts"])] == [UNCONFIRMED]
    assert await faults.land() == 1
    client = build_web_client(app.settings)
    await sweep_claims(app.desk, app.store, client, datetime.now(UTC) + timedelta(seconds=20))
    assert slack.reactions[(CHANNEL, reply["ts"])] == [SYNCED]
    assert ephemerals(slack) == []


async def test_a_reply_unknown_for_a_day_loses_its_hourglass_and_the_text_comes_back(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    faults = app.readydesk.state.faults
    faults.add("status", times=1, status=504, query={"action": "add_history"})
    faults.add("status", status=503, query={"action": "get_history"})  # no read-back decides
    reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
    await app.event(reply)
    assert slack.reactions[(CHANNEL, reply["ts"])] == [UNCONFIRMED]
    client = build_web_client(app.settings)
    await sweep_claims(app.desk, app.store, client, datetime.now(UTC) + timedelta(days=2))
    assert slack.reactions[(CHANNEL, reply["ts"])] == []  # it is no longer being checked
    [told] = ephemerals(slack)
    assert "no longer tries" in told["text"] and f">{TYPED}" in told["text"]


async def test_two_replicas_on_postgresql_write_a_reply_once(slack, postgres_url):
    async with served(slack, database_url=postgres_url) as one:
        fakes = (one.readydesk, one.kickserv)
        async with served(slack, database_url=postgres_url, fakes=fakes) as two:
            card = await synced_card(one, slack, TicketRef(ticket_id=34))
            before = len(history_notes(one, 34))
            reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
            # Both receive it: one delivery each (as after a redelivery under a new id) …
            await asyncio.gather(one.event(reply), two.event(reply))
            # … and the same delivery again at each.
            body = event_body("EvSAME", reply)
            await asyncio.gather(
                *(app.post(body, {"content-type": "application/json"}) for app in (one, two))
            )
            assert len(history_notes(one, 34)) == before + 1
            assert slack.reactions[(CHANNEL, reply["ts"])] == [SYNCED]
            lines = [
                c
                for c in slack.calls
                if c.name == "chat.postMessage" and "Replies in this thread" in str(c.payload)
            ]
            assert len(lines) == 1
            # A note added in ReadyDesk: both replicas poll, twice; it is posted once.
            await one.desk.readydesk.add_history_note(34, "Customer will bring it in")
            for app in (one, two, one, two):
                await poll(app, slack)
            outside = [r for r in replies_in(slack, card) if "bring it in" in r]
            assert len(outside) == 1


async def test_a_reply_over_socket_mode_is_written_once_across_redeliveries(slack):
    settings = socket_mode_settings(slack.api_url)
    store = ready_store()
    sandboxes = build_sandboxes(settings)
    desk = build_desk(settings, store, sandboxes)
    await store.threads.set_channel(CHANNEL, True, "U1", datetime.now(UTC))
    card = slack.next_ts()  # a card Deskhand posted about ticket 34
    await store.live.remember(CHANNEL, card, "ticket:34", {"Status": "Open"}, datetime.now(UTC))
    history = sandboxes.readydesk.history
    before = len(history.get(34, []))
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    try:
        reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
        body = json.loads(event_body("EvSM1", reply))
        await slack.wait_for_ack(slack.deliver("events_api", body))
        await slack.wait_for_call("api", "reactions.add", timeout=10)
        # Slack redelivers (no ack seen: retry_attempt 1), and once more under a new id.
        await slack.wait_for_ack(slack.deliver("events_api", body, retry_attempt=1))
        again = json.loads(event_body("EvSM2", reply))
        await slack.wait_for_ack(slack.deliver("events_api", again))
        await desk.in_flight.drain(10)
    finally:
        await handler.close_async()
        await desk.aclose()
    notes = [h.note for h in history.get(34, [])][before:]
    assert len(notes) == 1 and notes[0].startswith(TYPED)
    assert slack.reactions[(CHANNEL, reply["ts"])] == [SYNCED]


LONG = " ".join(f"word{i}" for i in range(900))  # more than one ReadyDesk request holds


@pytest.mark.parametrize("lands", [False, True], ids=["never-applied", "applied-later"])
async def test_a_long_reply_whose_second_part_is_lost_is_told_by_its_part(app, slack, lands):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    before = len(history_notes(app, 34))
    faults, sent = app.readydesk.state.faults, []
    real_take = faults.take
    lost = Fault("error_now_applied_later", status=504, seconds=3600)

    def second_part(scope):
        if b"action=add_history" in scope.get("query_string", b""):
            sent.append(scope)
            return lost if len(sent) == 2 else real_take(scope)
        return real_take(scope)

    faults.take = second_part
    reply = slack.person_says(CHANNEL, "U1", LONG, thread_ts=card)
    await app.event(reply)
    faults.take = real_take
    assert len(sent) == 2 and slack.reactions[(CHANNEL, reply["ts"])] == [UNCONFIRMED]
    if lands:
        assert await faults.land() == 1
    client = build_web_client(app.settings)
    await sweep_claims(app.desk, app.store, client, datetime.now(UTC) + timedelta(seconds=61))
    written = history_notes(app, 34)[before:]
    assert len(written) == (2 if lands else 1) and written[0].startswith("[Part 1 of ")
    [told] = ephemerals(slack)
    said, _, given_back = told["text"].partition("\n")
    assert "part 2 of " in said and ("not sent" if lands else "*not added*") in said
    assert not given_back.startswith(">word0 ")  # part 1 is in: not given back to send twice
    assert given_back.startswith(">word") and "From Slack" not in given_back
    assert given_back.rstrip().endswith(" word899")  # all of what is not in, none cut off
    assert slack.reactions[(CHANNEL, reply["ts"])] == []  # not all of it is in: no synced mark


async def test_an_edit_or_a_delete_of_a_reply_not_confirmed_yet_promises_nothing(app, slack):
    job = min(app.kickserv.state.data.jobs)
    card = await synced_card(app, slack, JobRef(job_number=job))
    app.kickserv.state.faults.add(
        "error_now_applied_later", times=1, seconds=3600, status=504, path="/notes", method="POST"
    )
    reply = slack.person_says(CHANNEL, "U1", TYPED, thread_ts=card)
    await app.event(reply)
    assert slack.reactions[(CHANNEL, reply["ts"])] == [UNCONFIRMED]
    await app.event(edited(reply, f"{TYPED} and the feed tray"))
    [told] = ephemerals(slack)  # the edit is not lost without a word
    assert "*not changed*" in told["text"] and "still confirming" in told["text"]
    assert f">{TYPED} and the feed tray" in told["text"]
    await app.event(deleted(reply))
    assert len(ephemerals(slack)) == 1  # no "the note stays" of a note not known to be there
