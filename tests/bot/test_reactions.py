"""Reactions that act, over signed HTTP and Socket Mode: 🎫 on a message offers a ticket made
from it, 👀 on a ticket card assigns it to whoever reacted (once), ✅ asks whether to close it;
and what a person is told when Deskhand may not, cannot, or cannot read."""

import asyncio
import json

import pytest

from bot.app import build_app, build_desk
from bot.inflight import track_listeners
from bot.socket_mode import connect_socket_mode
from cards import ids
from cards.refs import TicketRef, ref_value
from tests.bot.reaction_helpers import (
    ALICE,
    JSON_BODY,
    PAT,
    REPORT,
    first_button,
    press,
    reaction,
    said_aside,
    share_card,
)
from tests.bot.served import served, texts
from tests.conftest import ready_store
from tests.slack_helpers import block_action, event_body, socket_mode_settings


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def test_ticket_on_a_message_offers_the_shortcuts_prefilled_form(app, slack):
    ts = slack.say("C1", PAT, REPORT)
    await app.event(reaction("ticket", ts, item_user=PAT))
    [offer] = said_aside(slack)
    assert offer["channel"] == "C1" and "thread_ts" not in offer
    button = first_button(offer)
    assert button["text"]["text"] == "Create ticket from this message"
    await app.interactive(
        press(
            button["value"], slack.response_url("offer"), action_id=ids.CREATE_TICKET_FROM_REACTION
        )
    )
    from_reaction = slack.views[slack.last_view_id]
    # The message shortcut on the same message opens the very same form.
    await app.interactive(
        {
            "type": "message_action",
            "callback_id": ids.CREATE_TICKET_FROM_MESSAGE,
            "trigger_id": "4.5.6",
            "user": {"id": ALICE},
            "channel": {"id": "C1"},
            "message": {"type": "message", "user": PAT, "text": REPORT, "ts": ts},
            "response_url": slack.response_url("shortcut"),
        }
    )
    from_shortcut = slack.views[slack.last_view_id]
    assert from_reaction["id"] != from_shortcut["id"]
    assert from_reaction["blocks"] == from_shortcut["blocks"]
    assert from_reaction["private_metadata"] == from_shortcut["private_metadata"]
    subject = next(b for b in from_reaction["blocks"] if b["block_id"] == "subject")
    assert subject["element"]["initial_value"] == "Printer on the 3rd floor jams"
    assert "Since Monday, every second page." in json.dumps(from_reaction["blocks"])


async def test_ticket_on_a_long_message_keeps_the_link_back_to_it(app, slack):
    long = "Printer log follows\n" + " ".join(f"line{i}" for i in range(600))
    ts = slack.say("C1", PAT, long)
    await app.event(reaction("ticket", ts, item_user=PAT))
    form = json.loads(
        first_button(said_aside(slack)[0])["value"]
    )  # a button holds 2,000 characters
    link = next(c for c in slack.calls if c.name == "chat.getPermalink").answer["permalink"]
    assert form["description"].endswith(f"\n{link}")  # what is cut is the text, not the link
    assert form["description"].startswith("Printer log follows\nline0 line1 ")


async def test_ticket_on_a_thread_reply_reads_the_thread_and_answers_in_it(app, slack):
    parent = slack.say("C1", PAT, "Office issues")
    reply = slack.say("C1", PAT, "The door badge reader is dead", thread_ts=parent)
    await app.event(reaction("ticket", reply, item_user=PAT))
    assert [c.name for c in slack.calls if c.name.startswith("conversations.")] == [
        "conversations.history",
        "conversations.replies",
    ]
    [offer] = said_aside(slack)
    assert offer["thread_ts"] == parent
    form = json.loads(first_button(offer)["value"])
    assert form["subject"] == "The door badge reader is dead"


async def test_eyes_on_a_ticket_card_assigns_it_to_whoever_reacted(app, slack):
    ts = await share_card(app, slack)
    await app.event(reaction("eyes", ts))
    assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    [told] = said_aside(slack)
    assert told["text"] == "Ticket #34 is assigned to you (alice)."
    assert "*Assigned to*\nalice" in texts(slack.messages[("C1", ts)]["blocks"])  # card redrawn
    [reply] = [c.payload for c in slack.calls if c.payload.get("thread_ts") == ts]
    assert reply["text"].endswith(f"— by <@{ALICE}>")


async def test_only_reactions_that_act_are_stored_as_handled_events(app, slack):
    ts = await share_card(app, slack)
    thumbs = await app.post(event_body("EvTHUMBS", reaction("+1", ts)), JSON_BODY)
    eyes = await app.post(event_body("EvEYES", reaction("eyes", ts)), JSON_BODY)
    assert thumbs.status_code == eyes.status_code == 200
    # Every reaction on every message would otherwise be a stored row.
    assert await app.desk.store.claim_event("EvTHUMBS")  # never claimed: still free
    assert not await app.desk.store.claim_event("EvEYES")  # claimed when it was handled


async def test_the_same_reaction_delivered_again_assigns_once(app, slack):
    ts = await share_card(app, slack)
    body = event_body("EvREACT1", reaction("eyes", ts))
    await app.post(body, {"content-type": "application/json"})
    app.readydesk.state.data.tickets[34].assigned_tech = "bob"  # changed in ReadyDesk since
    # Slack's retry of the same event, then the same reaction under another event id (a
    # redelivery another replica received): neither assigns it again.
    retry = {"content-type": "application/json", "x-slack-retry-num": "1"}
    await app.post(body, retry)
    await app.event(reaction("eyes", ts))
    assert app.readydesk.state.data.tickets[34].assigned_tech == "bob"
    assert len(said_aside(slack)) == 1
    outcomes = [r.outcome for r in await app.store.audit.recent()]
    assert outcomes.count("written") == 1 and outcomes.count("duplicate") == 1


async def test_eyes_removed_and_added_again_takes_the_ticket_back(app, slack):
    ts = await share_card(app, slack)
    await app.event(reaction("eyes", ts))
    app.readydesk.state.data.tickets[34].assigned_tech = "bob"  # reassigned in ReadyDesk since
    await app.event(reaction("eyes", ts, added="1700010999.000100"))  # removed, added again
    assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert len(said_aside(slack)) == 2
    await app.event(reaction("white_check_mark", ts))
    await app.event(reaction("white_check_mark", ts, added="1700011999.000100"))
    assert [t["text"] for t in said_aside(slack)[2:]] == ["Close ticket #34?"] * 2


async def test_eyes_on_a_ticket_already_yours_says_so_once_and_writes_nothing(app, slack):
    ts = await share_card(app, slack)
    app.readydesk.state.data.tickets[34].assigned_tech = "alice"  # assigned in ReadyDesk
    await app.event(reaction("eyes", ts))
    await app.event(reaction("eyes", ts))  # the same reaction, under another event id
    [told] = said_aside(slack)
    assert told["text"] == "Ticket #34 is already assigned to you (alice)."
    assert [r.outcome for r in await app.store.audit.recent()] == []  # nothing written


async def test_check_mark_on_a_closed_tickets_card_says_it_is_closed_and_asks_nothing(app, slack):
    ts = await share_card(app, slack)
    app.readydesk.state.data.tickets[34].status = "Closed"  # closed in ReadyDesk since
    await app.event(reaction("white_check_mark", ts))
    await app.event(reaction("white_check_mark", ts))  # the same reaction, another event id
    [told] = said_aside(slack)
    assert told["text"] == "Ticket #34 is already closed."
    assert "blocks" not in told  # no Close button to press again


async def test_eyes_on_a_closed_tickets_card_says_it_is_closed_and_assigns_nothing(app, slack):
    ts = await share_card(app, slack)
    ticket = app.readydesk.state.data.tickets[34]
    ticket.status, before = "Closed", ticket.assigned_tech
    await app.event(reaction("eyes", ts))
    [told] = said_aside(slack)
    assert told["text"] == "Ticket #34 is closed; reopen it in ReadyDesk to assign it."
    assert app.readydesk.state.data.tickets[34].assigned_tech == before


async def test_eyes_that_readydesk_refuses_says_nothing_changed(app, slack):
    ts = await share_card(app, slack)
    app.readydesk.state.faults.add("status", status=422, query={"action": "update_ticket"})
    await app.event(reaction("eyes", ts))
    [told] = said_aside(slack)
    assert told["text"].startswith("*Not changed* on ticket #34.")


async def test_eyes_while_readydesk_is_down_is_answered_beside_the_card(app, slack):
    ts = await share_card(app, slack)
    app.readydesk.state.faults.add("status", status=503)
    await app.event(reaction("eyes", ts))
    [told] = said_aside(slack)
    assert told["channel"] == "C1" and "ReadyDesk" in told["text"]
    assert "Something went wrong" not in told["text"]


async def test_white_check_mark_asks_before_closing_and_its_button_closes(app, slack):
    ts = await share_card(app, slack)
    await app.event(reaction("white_check_mark", ts))
    ticket = app.readydesk.state.data.tickets[34]
    assert ticket.date_closed is None  # not closed by the reaction alone
    [question] = said_aside(slack)
    assert question["text"] == "Close ticket #34?"
    close = first_button(question)
    assert (close["action_id"], close["text"]["text"]) == (ids.TICKET_CLOSE, "Close")
    await app.interactive(
        press(
            close["value"],
            slack.response_url("close"),
            action_id=ids.TICKET_CLOSE,
            message_ts="9.1",
        )
    )
    assert ticket.date_closed is not None


async def test_two_replicas_given_the_reaction_at_once_assign_it_once(slack, tmp_path):
    """Two processes (each its own app, desk, clients and store) on one database and the same
    backends, each handed the reaction under its own delivery at the same moment."""
    database = f"sqlite:///{tmp_path / 'deskhand.db'}"
    async with served(slack, database_url=database) as one:
        fakes = (one.readydesk, one.kickserv)
        async with served(slack, database_url=database, fakes=fakes) as two:
            ts = await share_card(one, slack)
            await asyncio.gather(
                *(
                    replica.post(event_body(f"EvTWIN{n}", reaction("eyes", ts)), JSON_BODY)
                    for n, replica in enumerate((one, two))
                )
            )
            outcomes = [r.outcome for r in await one.store.audit.recent()]
    assert one.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in said_aside(slack)] == ["Ticket #34 is assigned to you (alice)."]
    assert outcomes.count("written") == 1 and outcomes.count("duplicate") == 1
    assert len([c for c in slack.calls if c.payload.get("thread_ts") == ts]) == 1  # "changed"


async def test_eyes_over_socket_mode_assigns_once_across_redeliveries(slack):
    settings = socket_mode_settings(slack.api_url)
    store = ready_store()
    desk = build_desk(settings, store)
    bolt = build_app(settings, desk, store=store)
    listeners = track_listeners(bolt)
    handler = await connect_socket_mode(settings, bolt)
    try:
        press = block_action(ids.SHARE_CARD, ref_value(TicketRef(ticket_id=34)), "x")
        press["response_url"] = slack.response_url("share")
        await slack.wait_for_ack(slack.deliver("interactive", press))
        posted = await slack.wait_for_call("api", "chat.postMessage")
        ts = posted.answer["ts"]
        body = json.loads(event_body("EvSM7", reaction("eyes", ts)))
        again = json.loads(event_body("EvSM8", reaction("eyes", ts)))  # another replica's
        await slack.wait_for_ack(slack.deliver("events_api", body))
        await slack.wait_for_ack(slack.deliver("events_api", body, retry_attempt=1))
        await slack.wait_for_ack(slack.deliver("events_api", again))
        assert await listeners.wait(5.0) == 0
        told = await slack.wait_for_call("api", "chat.postEphemeral")
    finally:
        await handler.close_async()
        await desk.aclose()
    assert told.payload["text"] == "Ticket #34 is assigned to you (alice)."
    assert len(said_aside(slack)) == 1
    claims = [r.outcome for r in await store.audit.recent()]
    assert claims.count("written") == 1
