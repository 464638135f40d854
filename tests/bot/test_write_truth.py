"""What a person is told about a write: a second submit while saving, and long text."""

import asyncio
from datetime import UTC, datetime, timedelta

from api.signatures import read_signature
from playground.console import CHANNEL, USER, Console
from tests.conftest import clean_settings
from tests.slack_helpers import is_signed
from workers.claims import sweep_claims


def _shown(blocks: list[dict]) -> str:
    """The plain-text sections of a reply: where Deskhand gives back what was typed."""
    return "".join(
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b["text"]["type"] == "plain_text"
    )


async def test_a_second_submit_while_saving_says_so_and_then_shows_the_real_outcome(console):
    tickets = console.fake("readydesk").state.data.tickets
    console.faults("readydesk").add("latency", seconds=0.5, query={"action": "add_ticket"})
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    values = {"customer": "readydesk:demo", "subject": "Printer on fire", "description": "Now"}
    before = set(tickets)
    first, second = await asyncio.gather(
        console.submit_view(view_id, values), console.submit_view(view_id, values)
    )
    [new] = set(tickets) - before  # one ticket, however many submits
    acks = str([first, second])
    assert "already being saved" in acks  # the second submit says so
    assert "Not created" not in acks
    final = console.slack.views[view_id]  # the view the duplicate updated once it settled
    assert final["title"]["text"] == "Ticket created"
    assert f"ticket #{new}" in str(final["blocks"])


async def test_a_created_ticket_whose_card_cannot_be_posted_is_still_reported_created(console):
    console.slack.channels_without_bot.add("C0CONSOLE")  # Deskhand is not in the channel
    tickets = console.fake("readydesk").state.data.tickets
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    before = set(tickets)
    values = {"customer": "readydesk:demo", "subject": "Printer on fire", "description": "Now"}
    done = await console.submit_view(view_id, values)
    [new] = set(tickets) - before
    assert done["view"]["title"]["text"] == "Ticket created"
    assert f"ticket #{new}" in str(done["view"]["blocks"])


async def test_a_write_whose_reply_outlasts_the_read_deadline_is_still_confirmed():
    settings = clean_settings(DESKHAND_READ_DEADLINE=0.3, DESKHAND_LOOKING_UP_AFTER=60)
    async with Console(settings) as console:
        history = console.fake("readydesk").state.data.history
        before = len(history.get(34, []))
        faults = console.faults("readydesk")
        # Applied, then no answer for longer than the whole request's read deadline.
        faults.add("applied_drop", seconds=0.5, query={"action": "add_history"}, times=1)
        faults.add("latency", seconds=0.01, query={"action": "get_history"})  # a real round trip
        [reply] = await console.send("/note ticket 34 Slow and then cut off")
    assert "confirmed after a slow reply" in reply["text"]
    assert len(history[34]) == before + 1


async def test_a_refused_long_note_comes_back_whole_to_a_non_writer():
    text = " ".join(f"Line {n} of the handover." for n in range(600))
    async with Console(clean_settings(DESKHAND_WRITERS="U0BOSS")) as console:
        [refused] = await console.send(f"/note ticket 34 {text}")
    assert "not on Deskhand's list" in refused["text"]
    assert _shown(refused["blocks"]) == f"ticket 34 {text}"  # every character typed


async def test_a_note_too_long_for_one_readydesk_request_is_written_whole_in_parts(console):
    text = " ".join(f"Step {n}: checked the tray and the rollers." for n in range(250))
    assert len(text) > 10_000
    history = console.fake("readydesk").state.data.history
    before = len(history.get(34, []))
    [reply] = await console.send(f"/note ticket 34 {text}")
    count = len(history[34]) - before
    assert reply["text"].startswith(f"Added the note to ticket #34 ({count} parts: notes ")
    parts = [read_signature(e.note).text for e in history[34][before:]]
    assert [p[: len(f"[Part {n} of {count}] ")] for n, p in enumerate(parts, 1)] == [
        f"[Part {n} of {count}] " for n in range(1, count + 1)
    ]
    assert "".join(p.split("] ", 1)[1] for p in parts) == text  # every character, once


async def test_kickserv_takes_a_long_note_whole(console):
    kickserv = console.fake("kickserv").state.data
    job = min(kickserv.jobs)
    text = "Gate code 4411, dog in the yard, park on the left. " * 100  # 5,100 characters
    [reply] = await console.send(f"/note job {job} {text.strip()}")
    assert reply["text"].startswith(f"Added the note to job {job}")
    [note] = [n for n in kickserv.notes.values() if text.strip() in n.note]
    assert is_signed(note.note, text.strip())


async def test_the_sweeper_says_why_the_reply_was_lost_and_the_audit_keeps_that_reason(console):
    faults = console.faults("readydesk")
    faults.add("status", status=502, query={"action": "add_history"}, times=1)
    unreadable = faults.add("status", status=503, query={"action": "get_history"})
    [reply] = await console.send("/note ticket 34 Nobody stopped")
    assert "*Could not confirm" in reply["text"] and "HTTP 502" in reply["text"]
    faults.active.remove(unreadable)
    mark = len(console.slack.calls)
    window_over = datetime.now(UTC) + timedelta(seconds=61)
    [done] = await sweep_claims(console.desk, console.store, console.app.client, window_over)
    assert done.endswith(": failed")
    [told] = [c for c in console.slack.calls_since(mark) if c.kind == "response_url"]
    assert "*not written* — ReadyDesk is having trouble (HTTP 502)" in told.payload["text"]
    assert "stopped" not in told.payload["text"]  # no process stopped
    assert "Nobody stopped" in str(told.payload["blocks"])  # and the text is given back
    [row] = await console.store.audit.recent()
    assert row.outcome == "failed"
    assert row.detail.startswith("ReadyDesk is having trouble (HTTP 502)")  # the first reason
    assert "Deskhand stopped" not in row.detail


async def test_slack_retrying_a_write_that_waits_to_be_confirmed_is_told_so_and_writes_nothing(
    console,
):
    history = console.fake("readydesk").state.data.history
    before = len(history.get(34, []))
    faults = console.faults("readydesk")
    faults.add(
        "error_now_applied_later",
        seconds=3600,
        status=504,
        query={"action": "add_history"},
        times=1,
    )
    body = console.requests.command(
        "/note",
        "ticket 34 Sent twice by Slack",
        user=USER,
        channel=CHANNEL,
        response_url=console.slack.response_url("retried"),
    )
    await console.dispatch(body)
    await console.dispatch(body)  # Slack's retry: the same trigger, the same intent
    first, retry = [c.payload["text"] for c in console.slack.calls if c.name == "retried"]
    assert "*Could not confirm yet*" in first
    assert "already being written" not in retry  # nothing is being written
    assert "*Could not confirm yet*" in retry and "sent once already" in retry
    assert "will tell you how it ended within about a minute" in retry
    assert "Try again" not in str(retry)
    assert len(history.get(34, [])) == before
    await faults.land()
    assert len(history[34]) == before + 1  # the first attempt's note, once


async def test_two_apps_in_one_process_each_keep_their_own_apply_window():
    # An app whose backend can no longer apply a write once its reply is lost (window 0), and
    # one built after it with the default window: the second's settings are not the first's.
    async with (
        Console(clean_settings(DESKHAND_APPLY_WINDOW=0)) as quick,
        Console(clean_settings()) as patient,
    ):
        for console in (quick, patient):
            console.faults("readydesk").add(
                "status", status=502, query={"action": "add_history"}, times=1
            )
        [now_known] = await quick.send("/note ticket 34 Toner swapped")
        [waiting] = await patient.send("/note ticket 34 Toner swapped")
    assert now_known["text"].startswith("*Not added* to ticket #34"), now_known["text"]
    assert waiting["text"].startswith("*Could not confirm yet*"), waiting["text"]


async def test_a_write_whose_read_back_meets_a_stopping_deskhand_is_not_said_to_have_failed(
    console, monkeypatch
):
    """A stop closes the backend clients under a write still reading its target back (seen in
    the soak): the note went in, so the person must not be told to try again."""
    history = console.fake("readydesk").state.data.history
    before = len(history.get(34, []))
    faults = console.faults("readydesk")
    faults.add("applied_status", status=504, query={"action": "add_history"}, times=1)
    readydesk = console.desk.readydesk
    reading = readydesk.get_history

    async def stopping(**kwargs):
        await readydesk.aclose()  # as a stop does, while this write still reads back
        return await reading(**kwargs)

    monkeypatch.setattr(readydesk, "get_history", stopping)
    [reply] = await console.send("/note ticket 34 Said before the restart")
    assert len(history[34]) == before + 1  # it went in
    assert "Something went wrong" not in reply["text"] and "try again" not in reply["text"]
    assert "*Could not confirm yet*" in reply["text"] and "will tell you" in reply["text"]
    [row] = await console.store.audit.recent()
    assert row.outcome == "unknown"  # left for the sweeper, which tells how it ended
