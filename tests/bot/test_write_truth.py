"""What a person is told about a write: a second submit while saving, and long text."""

import asyncio

from tests.slack_helpers import is_signed


def _app(client):
    return client._http._transport.app


def _shown(blocks: list[dict]) -> str:
    """The plain-text sections of a reply: where Deskhand gives back what was typed."""
    return "".join(
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b["text"]["type"] == "plain_text"
    )


async def test_a_second_submit_while_saving_says_so_and_then_shows_the_real_outcome(console):
    tickets = _app(console._desk.readydesk).state.data.tickets
    _app(console._desk.readydesk).state.faults.add(
        "latency", seconds=0.5, query={"action": "add_ticket"}
    )
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    values = {"customer": "readydesk:demo", "subject": "Printer on fire", "description": "Now"}
    before = set(tickets)
    first, second = await asyncio.gather(
        console.submit_view(view_id, values), console.submit_view(view_id, values)
    )
    [new] = set(tickets) - before  # one ticket, however many submits
    acks = sorted([first, second], key=lambda ack: ack["view"]["title"]["text"])
    assert [a["view"]["title"]["text"] for a in acks] == ["Saving…", "Ticket created"]
    assert "already being saved" in str(acks[0]["view"]["blocks"])
    assert "Not created" not in str(acks)
    final = console.slack.views[view_id]  # the view the duplicate updated once it settled
    assert final["title"]["text"] == "Ticket created"
    assert f"ticket #{new}" in str(final["blocks"])


async def test_a_note_too_long_for_readydesk_comes_back_whole(console):
    text = " ".join(f"Step {n}: checked the tray and the rollers." for n in range(250))
    assert len(text) > 10_000
    [reply] = await console.send(f"/note ticket 34 {text}")
    assert reply["text"].startswith("*Not added* to ticket #34. That is too long for ReadyDesk")
    assert _shown(reply["blocks"]) == text  # every character, over several blocks
    assert len(reply["blocks"]) <= 50


async def test_kickserv_takes_a_long_note_whole(console):
    kickserv = _app(console._desk.kickserv).state.data
    job = min(kickserv.jobs)
    text = "Gate code 4411, dog in the yard, park on the left. " * 100  # 5,100 characters
    [reply] = await console.send(f"/note job {job} {text.strip()}")
    assert reply["text"].startswith(f"Added the note to job {job}")
    [note] = [n for n in kickserv.notes.values() if text.strip() in n.note]
    assert is_signed(note.note, text.strip())
