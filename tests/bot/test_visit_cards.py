"""A visit on the ticket's cards and threads: a live card lists a visit as soon as it is booked
and is redrawn once when it is done, dated as the job card dates it; the Visit done reply's
Close ticket; a visit done said once in a synced thread; a ticket with several visits; a link
lost mid-way made by the sweeper; a stop after the poller wrote waits for nothing."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import handler_config
from bot.scheduler import build_scheduler
from playground.console import CHANNEL, USER
from tests.bot.served import texts
from tests.bot.visit_helpers import (
    TWIN,
    book,
    booking_values,
    complete_job,
    job_notes,
    open_booking,
    ticket_notes,
)
from tests.slack_helpers import event_body
from workers.visits import poll_visits, sweep_visit_notes
from workers.watches import poll_watches


async def test_a_live_ticket_card_is_redrawn_once_when_its_visit_is_done(desk_console):
    console = desk_console
    _, job = await book(console, TWIN)
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")  # live in the channel, showing the visit
    since = datetime(2000, 1, 1, tzinfo=UTC)
    [posted] = await console.store.live.cards(f"ticket:{TWIN}", since)
    complete_job(console, job, datetime.now(UTC), "All done.")
    config = handler_config(console.app_settings)
    client, mark = console.app.client, len(console.slack.calls)
    for _ in range(2):  # a later poll redraws nothing more
        await poll_visits(console.desk, console.store, client, datetime.now(UTC), config=config)
    updates = [
        c.payload
        for c in console.slack.calls_since(mark)
        if c.name == "chat.update" and c.payload.get("ts") == posted.ts
    ]
    assert len(updates) == 1  # the card above the "Visit done" reply says so too
    row = next(b for b in updates[0]["blocks"] if b.get("block_id") == f"visit_{job}")
    assert "Completed" in row["text"]["text"]
    assert "Shared by" in texts(updates[0]["blocks"])  # drawn as the channel's copy


async def test_two_visits_done_in_one_poll_redraw_their_tickets_card_once(desk_console):
    console = desk_console
    _, first = await book(console, TWIN)
    _, second = await book(console, TWIN)
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    [posted] = await console.store.live.cards(f"ticket:{TWIN}", datetime(2000, 1, 1, tzinfo=UTC))
    for job in (first, second):
        complete_job(console, job, datetime.now(UTC), "All done.")
    config = handler_config(console.app_settings)
    mark = len(console.slack.calls)
    await poll_visits(
        console.desk, console.store, console.app.client, datetime.now(UTC), config=config
    )
    updates = [
        c.payload
        for c in console.slack.calls_since(mark)
        if c.name == "chat.update" and c.payload.get("ts") == posted.ts
    ]
    assert len(updates) == 1  # one redraw (one ticket read) shows both visits done
    rows = [
        b
        for b in updates[0]["blocks"]
        if b.get("block_id") in (f"visit_{first}", f"visit_{second}")
    ]
    assert len(rows) == 2 and all("Completed" in r["text"]["text"] for r in rows)


async def test_a_visit_is_dated_on_the_ticket_card_and_in_its_note_as_its_job_card_dates_it(
    desk_console,
):
    console = desk_console
    _, job = await book(console, TWIN)
    [card] = await console.send(f"/ticket {TWIN}")
    row = next(b for b in card["blocks"] if b.get("block_id") == f"visit_{job}")
    [job_card] = await console.send(f"/job {job}")
    when = next(
        f["text"] for b in job_card["blocks"] for f in b.get("fields", []) if "*When*" in f["text"]
    )
    shown = when.split("\n", 1)[1]  # "Dec 9, 2026 10:00 AM EST"
    assert shown in row["text"]["text"], (shown, row["text"]["text"])
    [booked] = ticket_notes(console, TWIN, "Visit booked: ")
    assert shown in booked  # and the ticket's note says it so too


@pytest.mark.parametrize("closed_elsewhere", [False, True])
async def test_close_ticket_in_the_visit_done_reply_closes_it_and_keeps_the_note(
    desk_console, closed_elsewhere
):
    """Pressed once the ticket was closed in ReadyDesk too: the reply keeps its note."""
    console = desk_console
    _, job = await book(console, TWIN)
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    complete_job(console, job, datetime.now(UTC), "All done.")
    config = handler_config(console.app_settings)
    await poll_visits(
        console.desk, console.store, console.app.client, datetime.now(UTC), config=config
    )
    (channel, ts), reply = next(
        (k, m) for k, m in console.slack.messages.items() if "thread_ts" in m
    )
    actions = reply["blocks"][1]
    if closed_elsewhere:
        console.fake("readydesk").state.data.tickets[TWIN].status = "Closed"
    body = console.requests.block_actions(
        {**actions["elements"][0], "block_id": actions["block_id"]},
        user=USER,
        container={"type": "message", "message_ts": ts, "channel_id": channel},
        channel=CHANNEL,
        message=reply,
        response_url=console.slack.response_url("close-in-thread"),
    )
    replies = await console.deliver(body, len(console.slack.calls))
    [replaced] = [r for r in replies if r["via"] == "response_url" and r.get("replace_original")]
    assert console.fake("readydesk").state.data.tickets[TWIN].status == "Closed"
    shown = texts(replaced["blocks"])
    assert f"Visit done: job {job}" in shown  # the note stays in the thread
    closed = f"Ticket #{TWIN} is closed" if closed_elsewhere else f"closed by <@{USER['id']}>"
    assert closed in shown
    assert "Share in channel" not in shown and "Close ticket" not in shown
    parent = console.slack.messages[(channel, reply["thread_ts"])]
    assert "Closed" in texts(parent["blocks"])  # the live card above says so


async def test_a_live_ticket_card_lists_a_visit_as_soon_as_it_is_booked(desk_console):
    console = desk_console
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    since = datetime(2000, 1, 1, tzinfo=UTC)
    [posted] = await console.store.live.cards(f"ticket:{TWIN}", since)
    mark = len(console.slack.calls)
    _, job = await book(console, TWIN)
    updates = [
        c.payload
        for c in console.slack.calls_since(mark)
        if c.name == "chat.update" and c.payload.get("ts") == posted.ts
    ]
    assert len(updates) == 1  # the double submit in _book redraws nothing more
    assert any(b.get("block_id") == f"visit_{job}" for b in updates[0]["blocks"])


async def test_a_job_created_whose_link_is_lost_mid_way_is_linked_by_the_sweeper(desk_console):
    console = desk_console
    link = console.store.visits.link

    async def lost(*args: Any) -> bool:  # the database drops just after the job is created
        console.store.visits.link = link
        raise ConnectionError("server closed the connection unexpectedly")

    console.store.visits.link = lost
    view = await open_booking(console, TWIN)
    values = booking_values(view)
    data = console.fake("kickserv").state.data
    before = {j.job_number for j in data.jobs.values()}
    ack = await console.submit_view(view["id"], values)
    await console.settle()
    [job] = {j.job_number for j in data.jobs.values()} - before  # the job exists
    assert await console.store.visits.of_ticket(TWIN) == []  # but is not linked yet
    shown = texts(ack["view"]["blocks"])  # and the person is told so, not "try again"
    assert f"Created *job {job}*" in shown and "went wrong" not in shown, shown
    assert f"Deskhand links it to ticket #{TWIN} shortly" in shown
    config = handler_config(console.app_settings)
    later = datetime.now(UTC) + timedelta(seconds=61)
    for _ in range(2):
        await sweep_visit_notes(
            console.desk, console.store, console.app.client, later, config=config
        )
    [visit] = await console.store.visits.of_ticket(TWIN)
    assert visit.job_number == job
    booked = ticket_notes(
        console, TWIN, f"Visit booked: job {job}, Printer Repair, Dec 9, 2026 10:00 AM EST"
    )
    assert len(booked) == 1 and "Sam Ortiz" in booked[0]
    assert len([n for n in job_notes(console, job) if n.startswith("From ReadyDesk")]) == 1


async def test_a_visit_done_is_said_once_in_a_synced_thread_not_again_as_a_note(desk_console):
    console = desk_console
    _, job = await book(console, TWIN)
    await console.send("/deskhand threads on")
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    since = datetime(2000, 1, 1, tzinfo=UTC)
    [card] = await console.store.live.cards(f"ticket:{TWIN}", since)
    reply = console.slack.person_says(
        card.channel_id, "U0CONSOLE", "Sam goes Wed", thread_ts=card.ts
    )
    await console.deliver(event_body("EvVISIT1", reply), len(console.slack.calls))
    config = handler_config(console.app_settings)
    poll = [console.desk, console.store, console.app.client]
    await poll_watches(*poll, datetime.now(UTC), config=config)  # the thread's baseline
    mark = len(console.slack.calls)
    complete_job(console, job, datetime.now(UTC), "Replaced the fuser.")
    for _ in range(2):
        await poll_watches(*poll, datetime.now(UTC), config=config)
    said = [
        str(c.payload.get("text"))
        for c in console.slack.calls_since(mark)
        if c.name == "chat.postMessage" and c.payload.get("thread_ts") == card.ts
    ]
    assert len([s for s in said if "Visit done" in s]) == 1, said


async def test_a_visit_canceled_in_kickserv_is_said_in_the_thread_as_deskhands(desk_console):
    console = desk_console
    _, job = await book(console, TWIN)
    await console.send("/deskhand threads on")
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    [card] = await console.store.live.cards(f"ticket:{TWIN}", datetime(2000, 1, 1, tzinfo=UTC))
    reply = console.slack.person_says(card.channel_id, "U0CONSOLE", "Booked", thread_ts=card.ts)
    await console.deliver(event_body("EvVISIT2", reply), len(console.slack.calls))
    config = handler_config(console.app_settings)
    poll = [console.desk, console.store, console.app.client]
    await poll_watches(*poll, datetime.now(UTC), config=config)  # the thread's baseline
    mark = len(console.slack.calls)
    data = console.fake("kickserv").state.data
    next(j for j in data.jobs.values() if j.job_number == job).status = "canceled"
    for _ in range(2):
        await poll_watches(*poll, datetime.now(UTC), config=config)
    [said] = [
        str(c.payload.get("text"))
        for c in console.slack.calls_since(mark)
        if c.name == "chat.postMessage" and c.payload.get("thread_ts") == card.ts
    ]
    assert said.startswith("*Deskhand* added a note in ReadyDesk")  # not as the booker's
    assert f">Visit canceled: job {job}" in said


async def test_a_stop_after_the_in_process_poller_noted_a_visit_done_waits_for_no_write(
    desk_console,
):
    console = desk_console
    _, job = await book(console, TWIN)
    complete_job(console, job, datetime.now(UTC), "All done.")
    scheduler = build_scheduler(
        console.app_settings, console.store, console.desk, slack=console.app.client
    )
    scheduler.start()  # its first look polls the linked jobs and notes the visit done
    try:
        for _ in range(200):  # 10 s at most
            if ticket_notes(console, TWIN, f"Visit done: job {job}"):
                break
            await asyncio.sleep(0.05)
        assert len(ticket_notes(console, TWIN, f"Visit done: job {job}")) == 1
        # A graceful stop now (SIGTERM, Ctrl-C on the web sandbox) finishes that look and
        # waits for no other write: the loop that wrote the note is not a write in flight.
        assert await console.desk.in_flight.drain(3.0) == 0
    finally:
        await scheduler.aclose()


async def test_two_visits_booked_from_one_ticket_are_both_on_its_card(desk_console):
    console = desk_console
    _, first = await book(console, TWIN)
    _, second = await book(console, TWIN)  # a second booking: a second job, not the first again
    assert first != second
    [card] = await console.send(f"/ticket {TWIN}")
    rows = [b.get("block_id") for b in card["blocks"]]
    assert f"visit_{first}" in rows and f"visit_{second}" in rows
    booked = ticket_notes(console, TWIN, "Visit booked: job ")
    assert [n.split(",")[0] for n in booked] == [
        f"Visit booked: job {first}",
        f"Visit booked: job {second}",
    ]
    for job in (first, second):  # each job names the ticket, once
        assert len([n for n in job_notes(console, job) if f"ticket #{TWIN}" in n]) == 1
        [job_card] = await console.send(f"/job {job}")
        assert f"#{TWIN}" in str(job_card["blocks"])  # its ticket, on the job's card
