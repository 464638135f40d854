"""Threads that sync, over signed HTTP: `/deskhand threads on|off`, and a person's reply under a
ticket or job card Deskhand shared in an opted-in channel becoming a note, once."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from api.times import local_time
from bot.app import build_web_client, handler_config
from cards import ids
from cards.refs import JobRef, TicketRef, ref_value
from tests.bot.served import FORM, Served, served
from tests.slack_helpers import block_action, command_body, event_body, signed_headers
from workers.watches import poll_watches

CHANNEL = "C1"  # where command_body and block_action come from
SYNCED = "inbox_tray"


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def threads(app: Served, slack, text: str, *, user: str = "U1") -> str:
    """`/deskhand threads <text>` typed in C1: what Deskhand answered (ephemeral)."""
    return await deskhand(app, slack, f"threads {text}".strip(), user=user)


async def deskhand(app: Served, slack, text: str, *, user: str = "U1") -> str:
    """`/deskhand <text>` typed in C1: what Deskhand answered (ephemeral)."""
    name = f"deskhand-{len(slack.calls)}"
    body = command_body(ids.DESKHAND_COMMAND, text, slack.response_url(name))
    body = body.replace("user_id=U1", f"user_id={user}")
    response = await app.post(body, FORM)
    said = [c.payload for c in slack.calls if c.kind == "response_url" and c.name == name]
    if response.content:
        said.append(response.json())
    return " ".join(str(p.get("text", "")) for p in said)


async def share(app: Served, slack, ref: TicketRef | JobRef) -> str:
    """Share in channel pressed on a card in C1: the posted card's ts."""
    before = set(slack.messages)
    press = block_action(ids.SHARE_CARD, ref_value(ref), slack.response_url("share"))
    await app.interactive(press)
    [(_, ts)] = [key for key in slack.messages if key not in before and key[0] == CHANNEL]
    return ts


def ephemerals(slack, user: str = "U1") -> list[dict]:
    """chat.postEphemeral calls to `user`."""
    return [
        c.payload
        for c in slack.calls
        if c.name == "chat.postEphemeral" and c.payload.get("user") == user
    ]


def history_notes(app: Served, ticket_id: int) -> list[str]:
    """The notes of a ticket's history in the ReadyDesk fake."""
    return [h.note for h in app.readydesk.state.data.history.get(ticket_id, [])]


async def test_threads_on_joins_a_public_channel_and_is_remembered(app, slack):
    slack.channels_without_bot.add(CHANNEL)
    assert "do not sync" in await threads(app, slack, "")
    said = await threads(app, slack, "on")
    assert "Threads sync in this channel now" in said and "joined" in said
    assert [c.payload["channel"] for c in slack.calls if c.name == "conversations.join"] == [
        CHANNEL
    ]
    assert await app.store.threads.channel_synced(CHANNEL)
    assert "Threads sync in this channel" in await threads(app, slack, "")
    assert "no longer sync" in await threads(app, slack, "off")
    assert "do not sync" in await threads(app, slack, "")


async def test_threads_on_in_a_private_channel_asks_for_an_invitation(app, slack):
    slack.private_channels.add(CHANNEL)
    slack.channels_without_bot.add(CHANNEL)
    said = await threads(app, slack, "on")
    assert "/invite @deskhand" in said and "private channel" in said
    slack.channels_without_bot.discard(CHANNEL)  # invited
    said = await threads(app, slack, "on")
    assert "/invite" not in said and "Threads sync in this channel now" in said


async def test_only_writers_or_admins_turn_threads_on(slack):
    async with served(slack, DESKHAND_WRITERS="U9", DESKHAND_ADMINS="U8") as app:
        said = await threads(app, slack, "on")
        assert "not on Deskhand's list of people who may write" in said
        assert not await app.store.threads.channel_synced(CHANNEL)
        assert "Threads sync in this channel now" in await threads(app, slack, "on", user="U8")
        assert await app.store.threads.channel_synced(CHANNEL)


def replies_in(slack, thread_ts: str) -> list[str]:
    """What Deskhand posted in a thread (chat.postMessage with its thread_ts)."""
    return [
        str(c.payload.get("text"))
        for c in slack.calls
        if c.name == "chat.postMessage" and c.payload.get("thread_ts") == thread_ts
    ]


async def synced_card(app: Served, slack, ref: TicketRef | JobRef) -> str:
    """Threads on in C1, and a card shared there: the card's ts (its thread)."""
    await threads(app, slack, "on")
    return await share(app, slack, ref)


async def test_a_reply_under_a_shared_ticket_card_becomes_a_note_once(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    before = len(history_notes(app, 34))
    reply = slack.person_says(CHANNEL, "U1", "Called back, printer fixed", thread_ts=card)
    await app.event(reply)
    notes = history_notes(app, 34)[before:]
    assert len(notes) == 1
    text, signature = notes[0].rsplit("\n", 1)
    assert text.startswith("Called back, printer fixed\nFrom Slack: https://")
    assert f"/archives/{CHANNEL}/p{reply['ts'].replace('.', '')}" in text
    assert signature.startswith("— pat via Slack · ref ")  # who wrote it
    assert slack.reactions[(CHANNEL, reply["ts"])] == [SYNCED]
    [where] = [r for r in replies_in(slack, card) if "Replies in this thread" in r]
    assert "ticket #34" in where
    # Slack retries the delivery (X-Slack-Retry-Num), and another replica gets it as a new one.
    body = event_body("Ev000002", reply)  # the id the first delivery had (second event sent)
    headers = {"content-type": "application/json", "x-slack-retry-num": "1"}
    await app.http.post("/slack/events", content=body, headers={**headers, **signed_headers(body)})
    await app.work.wait()
    await app.event(reply)
    assert len(history_notes(app, 34)) == before + 1
    assert [r for r in replies_in(slack, card) if "Replies in this thread" in r] == [where]
    second = slack.person_says(CHANNEL, "U1", "Parts ordered", thread_ts=card)
    await app.event(second)
    assert history_notes(app, 34)[-1].startswith("Parts ordered\n")
    assert len([r for r in replies_in(slack, card) if "Replies in this thread" in r]) == 1


async def test_a_reply_becomes_a_note_as_people_read_it_not_as_slack_marks_it_up(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    said = (  # as Slack sends "Parts & labour quoted, temp > 80F; @pat, see the KB article"
        "Parts &amp; labour quoted, temp &gt; 80F; <@U1>, see "  # a mention, as Slack sends it
        "<https://kb.example/12|the KB article> <!here>"
    )
    await app.event(slack.person_says(CHANNEL, "U1", said, thread_ts=card))
    note = history_notes(app, 34)[-1]
    assert note.startswith(
        "Parts & labour quoted, temp > 80F; @pat, see the KB article (https://kb.example/12) "
        "@here\nFrom Slack: https://"
    )


async def test_nothing_syncs_where_threads_are_off_or_the_thread_is_no_card(app, slack):
    card = await share(app, slack, TicketRef(ticket_id=34))
    before = len(history_notes(app, 34))
    await app.event(slack.person_says(CHANNEL, "U1", "Not synced yet", thread_ts=card))
    await threads(app, slack, "on")
    top = slack.person_says(CHANNEL, "U1", "A message of the channel's own")
    await app.event(top)
    await app.event(
        slack.person_says(CHANNEL, "U1", "Under someone's message", thread_ts=top["ts"])
    )
    assert len(history_notes(app, 34)) == before
    assert not any(c.name.startswith("reactions.") for c in slack.calls)


async def test_bots_joins_and_deskhands_own_messages_are_never_notes(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    before = len(history_notes(app, 34))
    own = ("U0DESKHAND", {"bot_id": "B0DESKHAND", "app_id": "A0DESKHAND"})
    other_bot = ("U1", {"subtype": "bot_message", "bot_id": "B0OTHER", "username": "ci"})
    joined = ("U1", {"subtype": "channel_join"})
    for user, extra in (own, other_bot, joined, ("U1", {"subtype": "thread_broadcast"})):
        text = f"message {extra}"
        await app.event(slack.person_says(CHANNEL, user, text, thread_ts=card, **extra))
    # A person's reply sent to the channel too (thread_broadcast) is theirs: it is the one note.
    assert [n.split("\n")[0] for n in history_notes(app, 34)[before:]] == [
        "message {'subtype': 'thread_broadcast'}"
    ]


async def test_someone_who_may_not_write_is_told_once_per_thread_why(slack):
    async with served(slack, DESKHAND_WRITERS="U1", DESKHAND_ADMINS="U8") as app:
        card = await synced_card(app, slack, TicketRef(ticket_id=34))
        before = len(history_notes(app, 34))
        slack.users["U7"] = dict(slack.users["U1"], id="U7")
        for text in ("First try", "Second try"):
            await app.event(slack.person_says(CHANNEL, "U7", text, thread_ts=card))
        assert len(history_notes(app, 34)) == before
        [told] = ephemerals(slack, "U7")
        assert told["thread_ts"] == card and told["channel"] == CHANNEL
        assert told["text"] == (
            "Your replies in this thread are not added to ticket #34: You are not on Deskhand's "
            "list of people who may write from Slack; ask an admin (<@U8>)."
        )
        refused = [r for r in await app.store.audit.recent(limit=10) if r.user_id == "U7"]
        assert [r.outcome for r in refused] == ["refused", "refused"]  # each reply, audited
        await app.event(slack.person_says(CHANNEL, "U1", "A writer's reply", thread_ts=card))
        rows = await app.store.audit.recent(limit=10)
        written = [r for r in rows if r.user_id == "U1" and r.action != "threads on"]
        # the ticket named one way in the log, written or refused
        assert {r.target for r in refused + written} == {"ticket #34"}


async def test_a_file_is_named_in_the_note_with_its_link(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    files = [{"id": "F1", "name": "meter.jpg", "permalink": "https://files.example/meter.jpg"}]
    reply = slack.person_says(
        CHANNEL, "U1", "Meter reading", thread_ts=card, subtype="file_share", files=files
    )
    await app.event(reply)
    note = history_notes(app, 34)[-1]
    assert "Meter reading\nAttached in Slack: meter.jpg (https://files.example/meter.jpg)" in note
    assert "From Slack: https://" in note


def edited(reply: dict, text: str) -> dict:
    """The message_changed event of `reply` edited to `text`."""
    message = {**reply, "text": text, "edited": {"user": reply["user"], "ts": "1.1"}}
    message.pop("channel")
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": reply["channel"],
        "ts": "1700009999.000100",
        "message": message,
        "previous_message": {k: v for k, v in reply.items() if k != "channel"},
    }


async def test_an_edited_reply_changes_its_job_note_and_keeps_a_ticket_note(app, slack):
    job = min(app.kickserv.state.data.jobs)
    card = await synced_card(app, slack, JobRef(job_number=job))
    reply = slack.person_says(CHANNEL, "U1", "Parts ordered", thread_ts=card)
    await app.event(reply)
    notes = app.kickserv.state.data.notes
    [note_id] = [i for i, n in notes.items() if n.note.startswith("Parts ordered\n")]
    marker = notes[note_id].note.rsplit("· ", 1)[1]
    edit = edited(reply, "Parts ordered, arriving Tuesday")
    edit["message"]["files"] = [{"name": "invoice.pdf", "permalink": "https://files.example/i"}]
    await app.event(edit)
    assert notes[note_id].note.startswith(
        "Parts ordered, arriving Tuesday\nAttached in Slack: invoice.pdf (https://files.example/i)"
        "\nFrom Slack: "
    )
    assert notes[note_id].note.endswith(f"— pat via Slack · {marker}")  # still recognised
    ticket_card = await share(app, slack, TicketRef(ticket_id=34))
    reply = slack.person_says(CHANNEL, "U1", "Called back", thread_ts=ticket_card)
    await app.event(reply)
    await app.event(edited(reply, "Called back twice"))
    assert history_notes(app, 34)[-1].startswith("Called back\n")
    assert "keeps the first text" in ephemerals(slack)[-1]["text"]


def deleted(reply: dict) -> dict:
    """The message_deleted event of `reply`."""
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": reply["channel"],
        "ts": "1700009999.000200",
        "deleted_ts": reply["ts"],
        "previous_message": {k: v for k, v in reply.items() if k != "channel"},
    }


async def test_a_deleted_reply_keeps_its_note_and_says_so(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    reply = slack.person_says(CHANNEL, "U1", "Wrong ticket", thread_ts=card)
    await app.event(reply)
    count = len(history_notes(app, 34))
    await app.event(deleted(reply))
    assert len(history_notes(app, 34)) == count
    assert "does not delete its note" in ephemerals(slack)[-1]["text"]


async def poll(app: Served, slack) -> list[str]:
    """One live-card poll, as the process and `deskhand alerts poll` run it."""
    client = build_web_client(app.settings)
    config = handler_config(app.settings)
    return await poll_watches(app.desk, app.store, client, datetime.now(UTC), config=config)


async def test_a_note_added_elsewhere_is_posted_in_the_thread_once_never_an_echo(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    await app.event(slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card))
    shown = len(replies_in(slack, card))
    await poll(app, slack)  # the reply's own note, and the notes from before: not posted
    assert len(replies_in(slack, card)) == shown
    await app.desk.readydesk.add_history_note(34, "Customer <b>will</b> bring it & the cable")
    for _ in range(2):
        await poll(app, slack)
    posted = replies_in(slack, card)[shown:]
    assert len(posted) == 1
    assert "added a note in ReadyDesk" in posted[0]
    assert "&lt;b&gt;will&lt;/b&gt; bring it &amp; the cable" in posted[0]  # escaped


async def test_a_reply_the_backend_refuses_is_told_at_once_with_the_text(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    del app.readydesk.state.data.tickets[34]  # deleted in ReadyDesk meanwhile
    reply = slack.person_says(CHANNEL, "U1", "Customer called back", thread_ts=card)
    await app.event(reply)
    [told] = ephemerals(slack)
    assert told["thread_ts"] == card
    assert "*not added* to ticket #34" in told["text"] and ">Customer called back" in told["text"]
    assert slack.reactions.get((CHANNEL, reply["ts"]), []) == []
    assert not [r for r in replies_in(slack, card) if "Replies in this thread" in r]


async def test_the_synced_reaction_is_a_setting(slack):
    async with served(slack, DESKHAND_REACTION_SYNCED="memo") as app:
        card = await synced_card(app, slack, JobRef(job_number=min(app.kickserv.state.data.jobs)))
        reply = slack.person_says(CHANNEL, "U1", "Parts ordered", thread_ts=card)
        await app.event(reply)
        assert slack.reactions[(CHANNEL, reply["ts"])] == ["memo"]
        [where] = [r for r in replies_in(slack, card) if "Replies in this thread" in r]
        assert "job " in where and ":memo:" in where


async def test_a_job_note_added_in_kickserv_is_posted_with_its_author(app, slack):
    job = min(app.kickserv.state.data.jobs)
    card = await synced_card(app, slack, JobRef(job_number=job))
    await app.event(slack.person_says(CHANNEL, "U1", "Parts ordered", thread_ts=card))
    shown = len(replies_in(slack, card))
    await app.desk.kickserv.add_note("jobs", job, "Tech on site, *fixed*")
    await poll(app, slack)
    [posted] = replies_in(slack, card)[shown:]
    author = next(e.name for e in await app.desk.kickserv.employees() if e.name in posted)
    assert posted.startswith(f"*{author}* added a note in Kickserv at ")
    assert posted.endswith("\n>Tech on site, *fixed*")
    [note] = [n for n in await app.desk.kickserv.list_notes("jobs", job) if "on site" in n.text]
    said = local_time(note.created_at, app.settings.timezone)  # as the job card says times
    assert f" at {said}:" in posted


async def test_a_thread_long_past_its_live_window_is_forgotten(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    await app.event(slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card))
    assert await app.store.threads.get(CHANNEL, card) is not None
    client = build_web_client(app.settings)
    config = handler_config(app.settings)
    later = datetime.now(UTC) + 2 * config.live_for + timedelta(hours=1)
    await poll_watches(app.desk, app.store, client, later, config=config)
    assert await app.store.threads.get(CHANNEL, card) is None
    assert await app.store.threads.marks(CHANNEL, card, "") == set()


async def test_a_status_changed_in_readydesk_is_said_once_by_the_card_not_as_a_note(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    await app.event(slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card))
    await poll(app, slack)
    shown = len(replies_in(slack, card))
    status = (await app.desk.readydesk.get_ticket(34)).status
    await app.desk.readydesk.update_ticket(34, status="Closed" if status != "Closed" else "Open")
    await app.desk.readydesk.add_history_note(34, "Status changed to Closed? Not yet, ask Sam.")
    await poll(app, slack)
    posted = replies_in(slack, card)[shown:]
    assert len(posted) == 2, posted  # the card's reply, and the one note (not the status line)
    assert posted[0].startswith("Ticket #34 changed: *Status*:")
    assert "added a note in ReadyDesk" in posted[1] and "ask Sam." in posted[1]


async def test_an_org_wide_install_links_a_reply_as_slack_says_not_by_the_org_address(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    reply = slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card)
    body = json.loads(event_body("EvORG1", reply))
    body |= {"enterprise_id": "E0ORG", "is_enterprise_install": True}  # the org's address
    await app.post(json.dumps(body), {"content-type": "application/json"})
    asked = [c.payload for c in slack.calls if c.name == "chat.getPermalink"]
    assert [(a["channel"], a["message_ts"]) for a in asked] == [(CHANNEL, reply["ts"])]
    link = f"From Slack: https://sandbox.slack.example/archives/{CHANNEL}/p"
    assert link in history_notes(app, 34)[-1]


async def test_a_channel_message_outside_threads_leaves_no_row_and_a_reply_is_claimed(app, slack):
    card = await synced_card(app, slack, TicketRef(ticket_id=34))
    chatter = slack.person_says(CHANNEL, "U1", "Lunch at noon?")  # no thread: nothing to do
    reply = slack.person_says(CHANNEL, "U1", "Called back", thread_ts=card)
    for event_id, said in (("EvCHAT1", chatter), ("EvREPLY1", reply)):
        await app.post(event_body(event_id, said), {"content-type": "application/json"})
    # Every message of every channel Deskhand is in would otherwise be a stored event.
    assert await app.desk.store.claim_event("EvCHAT1")  # never claimed: still free
    assert not await app.desk.store.claim_event("EvREPLY1")  # claimed when it was handled
