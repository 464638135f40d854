"""Threads that sync, by where the thread is, over signed HTTP: under a watch's alert card a
reply becomes a note; under a link unfurl it stays the poster's; and a note written from
another Slack surface is posted once in the card's thread, never echoed from the thread."""

from datetime import UTC, datetime

import pytest

from cards import ids
from cards.refs import TicketRef
from tests.bot.served import FORM, served
from tests.bot.test_threads import (
    CHANNEL,
    SYNCED,
    deskhand,
    history_notes,
    poll,
    replies_in,
    synced_card,
    threads,
)
from tests.slack_helpers import command_body


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def test_a_reply_under_a_watchs_alert_card_becomes_a_note_on_its_ticket(app, slack):
    await threads(app, slack, "on")
    await deskhand(app, slack, "watch tickets")
    await poll(app, slack)  # the baseline: tickets from before are not alerted
    tid = await app.desk.readydesk.add_ticket(cid="demo", subject="Boiler knocking")
    before = set(slack.messages)
    await poll(app, slack)
    [(_, alert)] = [key for key in slack.messages if key not in before and key[0] == CHANNEL]
    assert f"#{tid}" in str(slack.messages[(CHANNEL, alert)])  # the alert card, in C1
    notes = len(history_notes(app, tid))
    reply = slack.person_says(CHANNEL, "U1", "On my way to the boiler", thread_ts=alert)
    await app.event(reply)
    [note] = history_notes(app, tid)[notes:]
    assert note.startswith("On my way to the boiler\nFrom Slack: https://")
    assert slack.reactions[(CHANNEL, reply["ts"])] == [SYNCED]
    [where] = [r for r in replies_in(slack, alert) if "Replies in this thread" in r]
    assert f"ticket #{tid}" in where


async def test_a_reply_in_the_thread_of_a_link_unfurl_is_not_a_note(slack):
    web = "https://helpdesk.example/readydesk/tickets.aspx?tid={tid}"
    async with served(slack, READYDESK_WEB_URL=web) as app:
        await threads(app, slack, "on")
        url = web.replace("{tid}", "34")
        ts = slack.say(CHANNEL, "U1", f"Look at <{url}>")
        shared = {
            "type": "link_shared",
            "channel": CHANNEL,
            "is_bot_user_member": True,
            "user": "U1",
            "message_ts": ts,
            "unfurl_id": f"{CHANNEL}.{ts}",
            "source": "conversations_history",
            "event_ts": ts,
            "links": [{"domain": "helpdesk.example", "url": url}],
        }
        await app.event(shared)
        assert url in slack.unfurls[(CHANNEL, ts)]  # unfurled, and followed as a live card
        assert await app.store.live.cards("ticket:34", datetime(2000, 1, 1, tzinfo=UTC))
        before = len(history_notes(app, 34))
        reply = slack.person_says(CHANNEL, "U2", "Thanks, looking now", thread_ts=ts)
        await app.event(reply)
        # The thread is the poster's conversation: nothing written, reacted or said in it.
        assert len(history_notes(app, 34)) == before
        assert slack.reactions.get((CHANNEL, reply["ts"]), []) == []
        assert replies_in(slack, ts) == []


async def test_a_note_typed_in_another_channel_is_posted_once_in_the_cards_thread(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    await app.event(slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card))
    await poll(app, slack)  # the thread's baseline: the notes it had when it synced
    await app.event(slack.person_says(CHANNEL, "U1", "Fuser replaced", thread_ts=card))
    shown = len(replies_in(slack, card))
    typed = command_body(
        ids.NOTE_COMMAND, "ticket 34 Parts arrive Tuesday", slack.response_url("n")
    )
    await app.post(typed.replace("channel_id=C1", "channel_id=C2"), FORM)
    assert history_notes(app, 34)[-1].startswith("Parts arrive Tuesday")
    for _ in range(2):  # polled again (or by a second process): still once
        await poll(app, slack)
    posted = replies_in(slack, card)[shown:]
    assert len(posted) == 1, posted
    assert posted[0].startswith("*pat* added a note in ReadyDesk from Slack at ")  # who wrote it
    assert posted[0].endswith(":\n>Parts arrive Tuesday")  # the signature line taken off
    # The note written from the thread itself is never echoed back into it.
    assert not any("Fuser replaced" in r for r in posted)
