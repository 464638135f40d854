"""Unfurls that stay live: a ticket's or a job's unfurl follows the record in place (chat.unfurl
on the same message), catches up after a refusal, and stops where unfurls are no longer allowed."""

from datetime import UTC, datetime

import pytest

from bot.app import build_web_client, handler_config
from cards.refs import TicketRef, ref_value
from live.registry import refresh_live_cards
from tests.bot.served import Served, served, texts
from tests.bot.unfurl_helpers import (
    CHANNEL,
    KICKSERV,
    TS,
    WEB,
    link_shared,
    ticket_url,
    unfurl_app,
    unfurl_calls,
    unfurl_text,
)
from tests.slack_helpers import block_action


@pytest.fixture
async def app(slack):
    async with unfurl_app(slack) as running:
        yield running


async def _poll(app: Served, **settings: str) -> list[str]:
    """One poll of the live cards, by a process with `settings` besides the app's own."""
    changed = app.settings.model_copy(update=settings) if settings else app.settings
    return await refresh_live_cards(
        app.desk,
        app.store,
        build_web_client(changed),
        datetime.now(UTC),
        config=handler_config(changed),
    )


async def _share(app: Served, slack, ticket_id: int) -> str:
    """Share in channel pressed on ticket `ticket_id`'s card in C1: the posted card's ts."""
    press = block_action("share_card", ref_value(TicketRef(ticket_id=ticket_id)), "x")
    press["response_url"] = slack.response_url("share")
    await app.interactive(press)
    [ts] = [ts for (channel, ts) in slack.messages if channel == "C1"]
    return ts


async def _other_status(app: Served, ticket_id: int) -> str:
    """Set the ticket (in ReadyDesk) to an open status it does not have yet."""
    current = app.readydesk.state.data.tickets[ticket_id].status
    status = next(s for s in ("Awaiting Response", "Escalated") if s != current)
    await app.desk.readydesk.update_ticket(ticket_id, status=status)
    return status


async def test_an_unfurled_ticket_follows_its_status_in_place_and_stops_when_deleted(app, slack):
    url = ticket_url(34)
    await app.event(link_shared(url))
    status = next(
        s
        for s in ("Awaiting Response", "Escalated")
        if s != app.readydesk.state.data.tickets[34].status
    )
    await app.desk.readydesk.update_ticket(34, status=status)
    lines = await _poll(app)
    assert "ticket:34: changed, 1 card(s) updated" in lines
    _, again = unfurl_calls(slack)
    assert (again.payload["channel"], again.payload["ts"]) == (CHANNEL, TS)
    assert f"*Status*\n{status}" in unfurl_text(slack, url)
    assert app.readydesk.state.data.tickets[34].summary not in unfurl_text(slack, url)
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []  # no thread reply
    assert [c for c in slack.calls if c.name == "chat.update"] == []  # not the bot's message
    slack.gone_messages.add((CHANNEL, TS))  # the person deleted their message
    await app.desk.readydesk.update_ticket(34, priority="Urgent")
    await _poll(app)
    assert await app.store.live.cards("ticket:34", datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_unfurls_in_a_channel_no_longer_allowed_stop_following_and_are_forgotten(slack):
    async with served(
        slack, READYDESK_WEB_URL=WEB, DESKHAND_UNFURL_CHANNELS="C0SUPPORT C0OPS"
    ) as app:
        await app.event(link_shared(ticket_url(34), channel="C0SUPPORT"))
        await app.event(link_shared(ticket_url(34), channel="C0OPS", ts="1700000200.000300"))
        before = unfurl_text(slack, ticket_url(34))
        status = await _other_status(app, 34)
        lines = await _poll(app, unfurl_channels="C0OPS")  # C0SUPPORT taken off since
        assert "ticket:34: changed, 1 card(s) updated" in lines
        assert unfurl_text(slack, ticket_url(34)) == before  # not touched again
        assert f"*Status*\n{status}" in unfurl_text(
            slack, ticket_url(34), ("C0OPS", "1700000200.000300")
        )
        kept = await app.store.live.cards("ticket:34", datetime(2000, 1, 1, tzinfo=UTC))
        assert [card.channel_id for card in kept] == ["C0OPS"]


async def test_an_unfurl_that_cannot_be_redrawn_holds_back_no_card_and_catches_up(app, slack):
    shared = await _share(app, slack, 34)
    await app.event(link_shared(ticket_url(34)))
    before = unfurl_text(slack, ticket_url(34))
    status = await _other_status(app, 34)
    # The poll reads tickets by range; the unfurl's redraw reads this one ticket, which fails.
    app.readydesk.state.faults.add("status", status=503, query={"tid": "34"})
    lines = await _poll(app)
    assert any(
        line.startswith("ticket:34: changed, 1 card(s) updated; 1 unfurl(s)") for line in lines
    )
    assert f"*Status*\n{status}" in texts(slack.messages[("C1", shared)]["blocks"])
    assert unfurl_text(slack, ticket_url(34)) == before
    app.readydesk.state.faults.clear()
    lines = await _poll(app)
    assert "live cards: 1 of 1 behind brought up to date" in lines
    assert f"*Status*\n{status}" in unfurl_text(slack, ticket_url(34))


async def test_an_unfurl_left_behind_is_forgotten_once_its_channel_is_no_longer_allowed(app, slack):
    await app.event(link_shared(ticket_url(34)))
    before = unfurl_text(slack, ticket_url(34))
    await _other_status(app, 34)
    app.readydesk.state.faults.add("status", status=503, query={"tid": "34"})
    await _poll(app)  # the unfurl could not be redrawn: it is behind
    app.readydesk.state.faults.clear()
    lines = await _poll(app, unfurl_channels="C0OPS")
    assert "live cards: 0 of 1 behind brought up to date" in lines
    assert unfurl_text(slack, ticket_url(34)) == before
    assert await app.store.live.cards("ticket:34", datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_closing_the_ticket_from_a_card_updates_its_unfurls_at_once(app, slack):
    ticket_id = next(t.tid for t in app.readydesk.state.data.tickets.values() if t.status == "Open")
    await app.event(link_shared(ticket_url(ticket_id)))
    press = block_action(
        "ticket_close", f'{{"kind":"ticket","ticket_id":{ticket_id}}}', slack.response_url("c")
    )
    press["container"]["message_ts"] = "1700000300.000400"  # the presser's own copy
    await app.interactive(press)
    assert "*Status*\nClosed" in unfurl_text(slack, ticket_url(ticket_id))  # no poll ran
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []


async def test_an_unfurled_job_follows_its_status_too(app, slack):
    url = f"{KICKSERV}/jobs/86001"
    await app.event(link_shared(url))
    await app.desk.kickserv.update_job(86001, status="on_hold")
    await _poll(app)
    assert "*Status*\nOn hold" in unfurl_text(slack, url)
