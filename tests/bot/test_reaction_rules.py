"""Who a reaction acts for, and when it does nothing: a person who may not write or has no
technician, a message Deskhand cannot read, the emoji settings, and the reactions Slack sends
that Deskhand leaves alone."""

import json
import logging

import pytest

from sandbox.slack import BOT_USER_ID, sandbox_user
from tests.bot.reaction_helpers import (
    ALICE,
    PAT,
    REPORT,
    reaction,
    said_aside,
    share_card,
)
from tests.bot.served import served
from tests.readme import readme_settings


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def test_eyes_from_a_person_who_may_not_write_is_refused_and_assigns_nothing(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await share_card(app, slack)
        before = app.readydesk.state.data.tickets[34].assigned_tech
        await app.event(reaction("eyes", ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == before
    [told] = said_aside(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]


async def test_a_non_writers_reactions_elsewhere_do_nothing_and_a_check_mark_is_refused(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await share_card(app, slack)
        # 👀 on a Deskhand message that is no ticket card: nothing, as for a writer.
        line = slack.person_says("C1", BOT_USER_ID, "Replies in this thread are added …")
        await app.event(reaction("eyes", line["ts"]))
        assert said_aside(slack) == []
        # ✅ on the ticket card: refused at once, not a Close button that refuses when pressed.
        await app.event(reaction("white_check_mark", ts))
    [told] = said_aside(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]
    assert "blocks" not in told


async def test_a_non_writer_is_refused_when_slack_cannot_show_the_message_reacted_to(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS") as app:
        ts = await share_card(app, slack)
        slack.channels_without_bot.add("C1")  # since removed from the channel: unreadable
        await app.event(reaction("eyes", ts))
    [told] = said_aside(slack)
    assert "not on Deskhand's list of people who may write" in told["text"]


async def test_eyes_from_a_person_with_no_technician_says_how_to_be_linked(app, slack):
    ts = await share_card(app, slack)
    before = app.readydesk.state.data.tickets[34].assigned_tech
    await app.event(reaction("eyes", ts, user=PAT))
    assert app.readydesk.state.data.tickets[34].assigned_tech == before
    [told] = said_aside(slack, PAT)
    assert "does not know which ReadyDesk technician you are" in told["text"]
    assert "/deskhand link @you tech:" in told["text"]


async def test_a_message_deskhand_cannot_read_is_answered_with_how_to_fix_it(app, slack):
    slack.channels_without_bot.add("C1")  # not invited: nothing may be read or shown there
    ts = slack.say("C1", PAT, REPORT)
    await app.event(reaction("ticket", ts, item_user=PAT))
    [dm] = said_aside(slack)
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
    await app.event(reaction("ticket", ts, item_user=PAT))
    [told] = said_aside(slack)
    assert told["channel"] == "C1"
    assert "(`groups:history`)" in told["text"] and "reinstall the app" in told["text"]


async def test_an_emoji_setting_left_empty_turns_that_reaction_off(slack):
    env = {"DESKHAND_REACTION_TICKET": "", "DESKHAND_REACTION_ASSIGN": ":raising_hand:"}
    async with served(slack, **env) as app:
        ts = await share_card(app, slack)
        mine = slack.say("C1", PAT, REPORT)
        await app.event(reaction("ticket", mine, item_user=PAT))
        await app.event(reaction("eyes", ts))
        assert not said_aside(slack)
        await app.event(reaction("raising_hand", ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in said_aside(slack)] == ["Ticket #34 is assigned to you (alice)."]


async def test_the_readmes_reaction_settings_do_what_it_says(slack):
    env = readme_settings("### Reactions that act")
    assert set(env) == {"DESKHAND_REACTION_ASSIGN", "DESKHAND_REACTION_CLOSE"}
    async with served(slack, **env) as app:
        ts = await share_card(app, slack)
        await app.event(reaction("eyes", ts))  # 👀 no longer takes a ticket
        await app.event(reaction("white_check_mark", ts))  # closing by reaction is off
        assert not said_aside(slack)
        await app.event(reaction(env["DESKHAND_REACTION_ASSIGN"], ts))
        assert app.readydesk.state.data.tickets[34].assigned_tech == "alice"
    assert [t["text"] for t in said_aside(slack)] == ["Ticket #34 is assigned to you (alice)."]


async def test_reactions_by_bots_on_files_on_peoples_messages_or_removed_do_nothing(app, slack):
    ts = await share_card(app, slack)
    slack.users["U0BOT"] = {**sandbox_user("U0BOT", "Build Bot", "bot@x.example"), "is_bot": True}
    mine = slack.say("C1", PAT, REPORT)
    on_file = {**reaction("ticket", mine), "item": {"type": "file", "file": "F1"}}
    removed = {**reaction("eyes", ts), "type": "reaction_removed"}
    before = len(slack.calls)
    for event in (
        reaction("eyes", ts, user="U0BOT"),
        reaction("ticket", mine, user=BOT_USER_ID, item_user=PAT),
        reaction("eyes", mine, item_user=PAT),  # 👀 on a person's message is just 👀
        reaction("white_check_mark", mine, item_user=PAT),
        on_file,
        removed,
    ):
        assert (await app.event(event)).status_code in (200, 404)
    acted = [c.name for c in slack.calls[before:] if c.name != "users.info"]
    assert acted == []
    assert app.readydesk.state.data.tickets[34].assigned_tech != "alice"


@pytest.mark.parametrize(
    "odd",
    [{"item": ["C1", "1.2"]}, {"reaction": 7}, {"user": None}, {"item": {"type": "message"}}],
)
async def test_a_reaction_event_slack_would_not_send_is_ignored_with_one_log_line(
    app, slack, caplog, odd
):
    ts = await share_card(app, slack)
    event = {k: v for k, v in (reaction("eyes", ts) | odd).items() if v is not None}
    before = len(slack.calls)
    with caplog.at_level(logging.INFO):
        assert (await app.event(event)).status_code == 200
    assert slack.calls[before:] == []
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    [line] = warned  # one line, naming the event; nothing is said to anyone
    assert "reaction_added ignored" in line.getMessage()
    assert not [r for r in caplog.records if r.exc_info]
