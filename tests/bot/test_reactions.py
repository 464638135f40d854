"""Reactions that act, over signed HTTP and Socket Mode: 🎫 on a message offers a ticket made
from it, 👀 on a ticket card assigns it to whoever reacted (once), ✅ asks whether to close it;
and what a person is told when Deskhand may not, cannot, or cannot read."""

import asyncio
import json
import logging

import pytest

from bot.app import build_app, build_desk
from bot.inflight import track_listeners
from bot.socket_mode import connect_socket_mode
from cards import ids
from cards.refs import TicketRef, ref_value
from sandbox.slack import BOT_USER_ID, sandbox_user
from tests.bot.served import Served, served, texts
from tests.conftest import ready_store
from tests.readme import readme_settings
from tests.slack_helpers import block_action, event_body, socket_mode_settings

ALICE = "U0CONSOLE"  # linked to the ReadyDesk technician alice (by her email)
PAT = "U1"  # no technician
JSON_BODY = {"content-type": "application/json"}
REPORT = "Printer on the 3rd floor jams\nSince Monday, every second page."


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


def _reaction(
    emoji: str,
    ts: str,
    *,
    user: str = ALICE,
    item_user: str = BOT_USER_ID,
    added: str = "1700009999.000100",
) -> dict:
    """reaction_added; `added`, its event_ts: the same in each delivery of one reaction."""
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item_user": item_user,
        "item": {"type": "message", "channel": "C1", "ts": ts},
        "event_ts": added,
    }


async def _share(app: Served, slack, ticket_id: int = 34) -> str:
    """Ticket `ticket_id`'s card shared in C1 (a live card): its ts."""
    press = block_action(ids.SHARE_CARD, ref_value(TicketRef(ticket_id=ticket_id)), "x")
    press["response_url"] = slack.response_url("share")
    await app.interactive(press)
    [ts] = [ts for (channel, ts) in slack.messages if channel == "C1"]
    return ts


def _said(slack, user: str = ALICE) -> list[dict]:
    """What Deskhand showed `user` aside (ephemerally, or else in a DM), as Slack took it."""
    return [
        c.payload
        for c in slack.calls
        if c.answer.get("ok")
        and (
            (c.name == "chat.postEphemeral" and c.payload.get("user") == user)
            or (c.name == "chat.postMessage" and c.payload.get("channel") == user)
        )
    ]


def _press(
    value: str, response_url: str, *, action_id: str, user: str = ALICE, message_ts: str = ""
) -> dict:
    press = block_action(action_id, value, response_url)
    press["user"]["id"] = user
    press["container"] = {"type": "message", "message_ts": message_ts, "is_ephemeral": True}
    return press


def _button(payload: dict) -> dict:
    return next(e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"])


async def test_ticket_on_a_message_offers_the_shortcuts_prefilled_form(app, slack):
    ts = slack.say("C1", PAT, REPORT)
    await app.event(_reaction("ticket", ts, item_user=PAT))
    [offer] = _said(slack)
    assert offer["channel"] == "C1" and "thread_ts" not in offer
    button = _button(offer)
    assert button["text"]["text"] == "Create ticket from this message"
    await app.interactive(
        _press(
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
    await app.event(_reaction("ticket", ts, item_user=PAT))
    form = json.loads(_button(_said(slack)[0])["value"])  # a button holds 2,000 characters
    link = next(c for c in slack.calls if c.name == "chat.getPermalink").answer["permalink"]
    assert form["description"].endswith(f"\n{link}")  # what is cut is the text, not the link
    assert form["description"].startswith("Printer log follows\nline0 line1 ")


async def test_ticket_on_a_thread_reply_reads_the_thread_and_answers_in_it(app, slack):
    parent = slack.say("C1", PAT, "Office issues")
    reply = slack.say("C1", PAT, "The door badge reader is dead", thread_ts=parent)
    await app.event(_reaction("ticket", reply, item_user=PAT))
    assert [c.name for c in slack.calls if c.name.startswith("conversations.")] == [
        "conversations.history",
        "conversations.replies",
    ]
    [offer] = _said(slack)
    assert offer["thread_ts"] == parent
    form = json.loads(_button(offer)["value"])
    assert form["subject"] == "The door badge reader is dead"


async def test_eyes_on_a_ticket_card_assigns_it_to_whoever_reacted(app, slack):
    ts = await _share(app, slack)
    await app.event(_reaction("eyes", ts))
    assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    [told] = _said(slack)
    assert told["text"] == "Ticket #34 is assigned to you (alice)."
    assert "*Assigned to*\nalice" in texts(slack.messages[("C1", ts)]["blocks"])  # card redrawn
    [reply] = [c.payload for c in slack.calls if c.payload.get("thread_ts") == ts]
    assert reply["text"].endswith(f"— by <@{ALICE}>")


async def test_only_reactions_that_act_are_stored_as_handled_events(app, slack):
    ts = await _share(app, slack)
    thumbs = await app.post(event_body("EvTHUMBS", _reaction("+1", ts)), JSON_BODY)
    eyes = await app.post(event_body("EvEYES", _reaction("eyes", ts)), JSON_BODY)
    assert thumbs.status_code == eyes.status_code == 200
    # Every reaction on every message would otherwise be a stored row.
    assert await app.desk.store.claim_event("EvTHUMBS")  # never claimed: still free
    assert not await app.desk.store.claim_event("EvEYES")  # claimed when it was handled


async def test_the_same_reaction_delivered_again_assigns_once(app, slack):
    ts = await _share(app, slack)
    body = event_body("EvREACT1", _reaction("eyes", ts))
    await app.post(body, {"content-type": "application/json"})
    app.readydesk.state.data.tickets[34].assigned_tech = "bob"  # changed in ReadyDesk since
    # Slack's retry of the same event, then the same reaction under another event id (a
    # redelivery another replica received): neither assigns it again.
    retry = {"content-type": "application/json", "x-slack-retry-num": "1"}
    await app.post(body, retry)
    await app.event(_reaction("eyes", ts))
    assert app.readydesk.state.data.tickets[34].assigned_tech == "bob"
    assert len(_said(slack)) == 1
    outcomes = [r.outcome for r in await app.store.audit.recent()]
    assert outcomes.count("written") == 1 and outcomes.count("duplicate") == 1


async def test_eyes_removed_and_added_again_takes_the_ticket_back(app, slack):
    ts = await _share(app, slack)
    await app.event(_reaction("eyes", ts))
    app.readydesk.state.data.tickets[34].assigned_tech = "bob"  # reassigned in ReadyDesk since
    await app.event(_reaction("eyes", ts, added="1700010999.000100"))  # removed, added again
    assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert len(_said(slack)) == 2
    await app.event(_reaction("white_check_mark", ts))
    await app.event(_reaction("white_check_mark", ts, added="1700011999.000100"))
    assert [t["text"] for t in _said(slack)[2:]] == ["Close ticket #34?"] * 2


async def test_eyes_on_a_ticket_already_yours_says_so_once_and_writes_nothing(app, slack):
    ts = await _share(app, slack)
    app.readydesk.state.data.tickets[34].assigned_tech = "alice"  # assigned in ReadyDesk
    await app.event(_reaction("eyes", ts))
    await app.event(_reaction("eyes", ts))  # the same reaction, under another event id
    [told] = _said(slack)
    assert told["text"] == "Ticket #34 is already assigned to you (alice)."
    assert [r.outcome for r in await app.store.audit.recent()] == []  # nothing written


async def test_check_mark_on_a_closed_tickets_card_says_it_is_closed_and_asks_nothing(app, slack):
    ts = await _share(app, slack)
    app.readydesk.state.data.tickets[34].status = "Closed"  # closed in ReadyDesk since
    await app.event(_reaction("white_check_mark", ts))
    await app.event(_reaction("white_check_mark", ts))  # the same reaction, another event id
    [told] = _said(slack)
    assert told["text"] == "Ticket #34 is already closed."
    assert "blocks" not in told  # no Close button to press again


async def test_eyes_from_a_person_who_may_not_write_is_refused_and_assigns_nothing(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await _share(app, slack)
        before = app.readydesk.state.data.tickets[34].assigned_tech
        await app.event(_reaction("eyes", ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == before
    [told] = _said(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]


async def test_a_non_writers_reactions_elsewhere_do_nothing_and_a_check_mark_is_refused(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await _share(app, slack)
        # 👀 on a Deskhand message that is no ticket card: nothing, as for a writer.
        line = slack.person_says("C1", BOT_USER_ID, "Replies in this thread are added …")
        await app.event(_reaction("eyes", line["ts"]))
        assert _said(slack) == []
        # ✅ on the ticket card: refused at once, not a Close button that refuses when pressed.
        await app.event(_reaction("white_check_mark", ts))
    [told] = _said(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]
    assert "blocks" not in told


async def test_a_non_writer_is_refused_when_slack_cannot_show_the_message_reacted_to(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await _share(app, slack)
        slack.channels_without_bot.add("C1")  # since removed from the channel: unreadable
        await app.event(_reaction("eyes", ts))
    [told] = _said(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]


async def test_eyes_on_a_closed_tickets_card_says_it_is_closed_and_assigns_nothing(app, slack):
    ts = await _share(app, slack)
    ticket = app.readydesk.state.data.tickets[34]
    ticket.status, before = "Closed", ticket.assigned_tech
    await app.event(_reaction("eyes", ts))
    [told] = _said(slack)
    assert told["text"] == "Ticket #34 is closed; reopen it in ReadyDesk to assign it."
    assert app.readydesk.state.data.tickets[34].assigned_tech == before


async def test_eyes_from_a_person_with_no_technician_says_how_to_be_linked(app, slack):
    ts = await _share(app, slack)
    before = app.readydesk.state.data.tickets[34].assigned_tech
    await app.event(_reaction("eyes", ts, user=PAT))
    assert app.readydesk.state.data.tickets[34].assigned_tech == before
    [told] = _said(slack, PAT)
    assert "does not know which ReadyDesk technician you are" in told["text"]
    assert "/deskhand link @you tech:" in told["text"]


async def test_eyes_that_readydesk_refuses_says_nothing_changed(app, slack):
    ts = await _share(app, slack)
    app.readydesk.state.faults.add("status", status=422, query={"action": "update_ticket"})
    await app.event(_reaction("eyes", ts))
    [told] = _said(slack)
    assert told["text"].startswith("*Not changed* on ticket #34.")


async def test_eyes_while_readydesk_is_down_is_answered_beside_the_card(app, slack):
    ts = await _share(app, slack)
    app.readydesk.state.faults.add("status", status=503)
    await app.event(_reaction("eyes", ts))
    [told] = _said(slack)
    assert told["channel"] == "C1" and "ReadyDesk" in told["text"]
    assert "Something went wrong" not in told["text"]


async def test_white_check_mark_asks_before_closing_and_its_button_closes(app, slack):
    ts = await _share(app, slack)
    await app.event(_reaction("white_check_mark", ts))
    ticket = app.readydesk.state.data.tickets[34]
    assert ticket.date_closed is None  # not closed by the reaction alone
    [question] = _said(slack)
    assert question["text"] == "Close ticket #34?"
    close = _button(question)
    assert (close["action_id"], close["text"]["text"]) == (ids.TICKET_CLOSE, "Close")
    await app.interactive(
        _press(
            close["value"],
            slack.response_url("close"),
            action_id=ids.TICKET_CLOSE,
            message_ts="9.1",
        )
    )
    assert ticket.date_closed is not None


async def test_a_message_deskhand_cannot_read_is_answered_with_how_to_fix_it(app, slack):
    slack.channels_without_bot.add("C1")  # not invited: nothing may be read or shown there
    ts = slack.say("C1", PAT, REPORT)
    await app.event(_reaction("ticket", ts, item_user=PAT))
    [dm] = _said(slack)
    assert dm["channel"] == ALICE  # the ephemeral could not be shown in the channel
    assert dm["text"].startswith("Deskhand cannot read messages in <#C1>")
    assert "Invite it with `/invite @deskhand`, then react again" in dm["text"]


async def test_a_missing_history_scope_is_answered_with_how_to_grant_it(app, slack):
    refusal = {"ok": False, "error": "missing_scope", "needed": "groups:history"}
    slack.faults.add(
        "status",
        path="/api/conversations.history",
        status=200,
        body=json.dumps(refusal),
        headers={"content-type": "application/json"},
    )
    ts = slack.say("C1", PAT, REPORT)
    await app.event(_reaction("ticket", ts, item_user=PAT))
    [told] = _said(slack)
    assert told["channel"] == "C1"
    assert "(`groups:history`)" in told["text"] and "reinstall the app" in told["text"]


async def test_an_emoji_setting_left_empty_turns_that_reaction_off(slack):
    env = {"DESKHAND_REACTION_TICKET": "", "DESKHAND_REACTION_ASSIGN": ":raising_hand:"}
    async with served(slack, **env) as app:
        ts = await _share(app, slack)
        mine = slack.say("C1", PAT, REPORT)
        await app.event(_reaction("ticket", mine, item_user=PAT))
        await app.event(_reaction("eyes", ts))
        assert not _said(slack)
        await app.event(_reaction("raising_hand", ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in _said(slack)] == ["Ticket #34 is assigned to you (alice)."]


async def test_the_readmes_reaction_settings_do_what_it_says(slack):
    env = readme_settings("### Reactions that act")
    assert set(env) == {"DESKHAND_REACTION_ASSIGN", "DESKHAND_REACTION_CLOSE"}
    async with served(slack, **env) as app:
        ts = await _share(app, slack)
        await app.event(_reaction("eyes", ts))  # 👀 no longer takes a ticket
        await app.event(_reaction("white_check_mark", ts))  # closing by reaction is off
        assert not _said(slack)
        await app.event(_reaction(env["DESKHAND_REACTION_ASSIGN"], ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in _said(slack)] == ["Ticket #34 is assigned to you (alice)."]


async def test_reactions_by_bots_on_files_on_peoples_messages_or_removed_do_nothing(app, slack):
    ts = await _share(app, slack)
    slack.users["U0BOT"] = {**sandbox_user("U0BOT", "Build Bot", "bot@x.example"), "is_bot": True}
    mine = slack.say("C1", PAT, REPORT)
    on_file = {**_reaction("ticket", mine), "item": {"type": "file", "file": "F1"}}
    removed = {**_reaction("eyes", ts), "type": "reaction_removed"}
    before = len(slack.calls)
    for event in (
        _reaction("eyes", ts, user="U0BOT"),
        _reaction("ticket", mine, user=BOT_USER_ID, item_user=PAT),
        _reaction("eyes", mine, item_user=PAT),  # 👀 on a person's message is just 👀
        _reaction("white_check_mark", mine, item_user=PAT),
        on_file,
        removed,
    ):
        assert (await app.event(event)).status_code in (200, 404)
    acted = [c.name for c in slack.calls[before:] if c.name != "users.info"]
    assert acted == []
    assert app.readydesk.state.data.tickets[34].assigned_tech != "alice"


async def test_two_replicas_given_the_reaction_at_once_assign_it_once(slack, tmp_path):
    """Two processes (each its own app, desk, clients and store) on one database and the same
    backends, each handed the reaction under its own delivery at the same moment."""
    database = f"sqlite:///{tmp_path / 'deskhand.db'}"
    async with served(slack, database_url=database) as one:
        fakes = (one.readydesk, one.kickserv)
        async with served(slack, database_url=database, fakes=fakes) as two:
            ts = await _share(one, slack)
            await asyncio.gather(
                *(
                    replica.post(event_body(f"EvTWIN{n}", _reaction("eyes", ts)), JSON_BODY)
                    for n, replica in enumerate((one, two))
                )
            )
            outcomes = [r.outcome for r in await one.store.audit.recent()]
    assert one.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in _said(slack)] == ["Ticket #34 is assigned to you (alice)."]
    assert outcomes.count("written") == 1 and outcomes.count("duplicate") == 1
    assert len([c for c in slack.calls if c.payload.get("thread_ts") == ts]) == 1  # "changed"


@pytest.mark.parametrize(
    "odd",
    [{"item": ["C1", "1.2"]}, {"reaction": 7}, {"user": None}, {"item": {"type": "message"}}],
)
async def test_a_reaction_event_slack_would_not_send_is_ignored_with_one_log_line(
    app, slack, caplog, odd
):
    ts = await _share(app, slack)
    event = {k: v for k, v in (_reaction("eyes", ts) | odd).items() if v is not None}
    before = len(slack.calls)
    with caplog.at_level(logging.INFO):
        assert (await app.event(event)).status_code == 200
    assert slack.calls[before:] == []
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    [line] = warned  # one line, naming the event; nothing is said to anyone
    assert "reaction_added ignored" in line.getMessage()
    assert not [r for r in caplog.records if r.exc_info]


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
        body = json.loads(event_body("EvSM7", _reaction("eyes", ts)))
        again = json.loads(event_body("EvSM8", _reaction("eyes", ts)))  # another replica's
        await slack.wait_for_ack(slack.deliver("events_api", body))
        await slack.wait_for_ack(slack.deliver("events_api", body, retry_attempt=1))
        await slack.wait_for_ack(slack.deliver("events_api", again))
        assert await listeners.wait(5.0) == 0
        told = await slack.wait_for_call("api", "chat.postEphemeral")
    finally:
        await handler.close_async()
        await desk.aclose()
    assert told.payload["text"] == "Ticket #34 is assigned to you (alice)."
    assert len(_said(slack)) == 1
    claims = [r.outcome for r in await store.audit.recent()]
    assert claims.count("written") == 1
