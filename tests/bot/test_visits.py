"""Ticket → visit → ticket: Book a visit on a ticket card opens the job form prefilled from the
ticket; the job created is linked to the ticket in the database with one note on each; a linked
job done, cancelled or moved is noted on the ticket once, across replicas; a job confirmed only
later is linked once it is."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import build_desk, handler_config
from bot.settings import Settings
from playground.console import Console
from sandbox.clock import SandboxClock
from tests.bot.served import texts
from tests.bot.visit_helpers import (
    LONE,
    TWIN,
    WEB,
    ZONE,
    book,
    booking_values,
    complete_job,
    employee_value,
    job_notes,
    open_booking,
    ticket_notes,
)
from tests.conftest import FAST_RETRY, UNPACED, directory_filled, ready_store
from workers.claims import sweep_claims
from workers.visits import poll_visits, sweep_visit_notes
from workers.watches import poll_watches


async def test_a_visit_booked_from_a_ticket_links_both_with_one_note_each(desk_console):
    console = desk_console
    view = await open_booking(console, TWIN)
    assert view["title"]["text"] == "Book a visit"
    assert view["blocks"][0]["element"]["initial_option"]["value"].startswith("kickserv:")
    link = WEB.replace("{tid}", str(TWIN))
    description = view["blocks"][2]["element"]["initial_value"]
    assert description == f"Ticket #{TWIN}: Printer offline in accounts\n{link}"

    outcome, job = await book(console, TWIN)
    shown = texts(outcome["blocks"])
    assert f"job {job}" in shown and f"Linked to *ticket #{TWIN}*" in shown
    assert "Pending" not in shown
    booked = ticket_notes(console, TWIN, "Visit booked")
    assert len(booked) == 1
    assert booked[0].startswith(
        f"Visit booked: job {job}, Printer Repair, Dec 9, 2026 10:00 AM EST, Sam Ortiz"
    )
    origin = [n for n in job_notes(console, job) if n.startswith("From ReadyDesk")]
    assert len(origin) == 1
    assert origin[0].startswith(f"From ReadyDesk ticket #{TWIN}: Printer offline in accounts")
    assert link in origin[0]

    [card] = await console.send(f"/ticket {TWIN}")  # read from the database, not from text
    row = next(b for b in card["blocks"] if b.get("block_id") == f"visit_{job}")
    assert "Dec 9, 2026 10:00 AM EST" in row["text"]["text"] and "Sam Ortiz" in row["text"]["text"]
    assert row["accessory"]["text"]["text"] == "Open"
    [job_card] = await console.send(f"/job {job}")
    assert f"Visit for *ticket #{TWIN}*" in texts(job_card["blocks"])
    [opened] = await console.send("click Open")  # the job card's Open: the ticket's card
    assert opened["blocks"][0]["text"]["text"].startswith(f"#{TWIN} ")


async def test_a_ticket_without_a_kickserv_twin_opens_the_picker_and_says_so(desk_console):
    console = desk_console
    view = await open_booking(console, LONE)
    picker = view["blocks"][0]["element"]
    assert "initial_option" not in picker
    ticket = console.fake("readydesk").state.data.tickets[LONE]
    assert picker["placeholder"]["text"] == f"Type {ticket.company_name or ticket.contact}"
    assert "has no Kickserv customer linked" in texts(view["blocks"])
    outcome, job = await book(console, LONE, customer="kickserv:1")
    assert f"Linked to *ticket #{LONE}*" in texts(outcome["blocks"])
    assert len(ticket_notes(console, LONE, f"Visit booked: job {job}")) == 1


async def test_a_job_whose_link_note_fails_is_kept_and_the_note_written_once_later(desk_console):
    console = desk_console
    console.faults("readydesk").add("status", times=1, status=503, query={"action": "add_history"})
    outcome, job = await book(console, TWIN)
    shown = texts(outcome["blocks"])
    assert f"job {job}" in shown  # the job is not lost
    assert f"*Pending:* the note on ticket #{TWIN}" in shown
    assert ticket_notes(console, TWIN, "Visit booked") == []
    config = handler_config(console.app_settings)
    later = datetime.now(UTC) + timedelta(seconds=61)  # the write's apply window is over
    mark = len(console.slack.calls)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    await sweep_visit_notes(console.desk, console.store, console.app.client, later, config=config)
    await sweep_visit_notes(console.desk, console.store, console.app.client, later, config=config)
    assert len(ticket_notes(console, TWIN, f"Visit booked: job {job}")) == 1
    told = [c.payload.get("text", "") for c in console.slack.calls_since(mark)]
    assert any(f"pending note on ticket #{TWIN}" in t and "now written" in t for t in told), told
    assert not any("not written" in t or "Try again" in t for t in told), told  # it never was
    [card] = await console.send(f"/ticket {TWIN}")
    assert any(b.get("block_id") == f"visit_{job}" for b in card["blocks"])


async def test_two_replicas_noticing_one_completion_note_it_once_and_offer_close(
    desk_console, database_url
):
    console = desk_console
    _, job = await book(console, TWIN)
    # Share the ticket's card: it is live in the channel.
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    stores = [ready_store(database_url), ready_store(database_url)]
    desks = [build_desk(console.app_settings, s, console.sandboxes) for s in stores]
    for store in stores:
        await store.migrate()
    now = datetime.now(UTC)
    [visit] = await console.store.visits.of_ticket(TWIN)
    await stores[0].visits.link(visit, [], now)  # the replicas share their database
    since = datetime(2000, 1, 1, tzinfo=UTC)
    [posted] = await console.store.live.cards(f"ticket:{TWIN}", since)
    await stores[0].live.remember(posted.channel_id, posted.ts, f"ticket:{TWIN}", {}, now)
    done_at = datetime.combine(datetime(2026, 12, 9), time(11, 30), ZoneInfo(ZONE))
    complete_job(console, job, done_at, "Replaced the fuser; prints fine.")
    config = handler_config(console.app_settings)
    mark = len(console.slack.calls)
    client = console.app.client
    try:
        both = zip(desks, stores, strict=True)
        await asyncio.gather(*(poll_visits(d, s, client, now, config=config) for d, s in both))
        await poll_visits(desks[0], stores[0], client, now, config=config)  # a later poll
    finally:
        for d, s in zip(desks, stores, strict=True):
            await d.aclose()
            await s.close()
    [done] = ticket_notes(console, TWIN, "Visit done")
    said = f"Visit done: job {job} by Sam Ortiz, Dec 9, 2026 11:30 AM EST — Replaced the fuser;"
    assert done.startswith(said)
    replies = [
        c.payload
        for c in console.slack.calls_since(mark)
        if c.name == "chat.postMessage" and c.payload.get("thread_ts")
    ]
    assert len(replies) == 1
    assert "Close ticket" in str(replies[0]["blocks"])


async def test_a_moved_then_cancelled_visit_is_noted_on_the_ticket_once_each(desk_console):
    console = desk_console
    _, job = await book(console, TWIN)
    data = console.fake("kickserv").state.data
    ks_job = next(j for j in data.jobs.values() if j.job_number == job)
    config = handler_config(console.app_settings)
    client, now = console.app.client, datetime.now(UTC)
    ks_job.scheduled_on = datetime.combine(datetime(2026, 12, 10), time(14), ZoneInfo(ZONE))
    for _ in range(2):
        await poll_visits(console.desk, console.store, client, now, config=config)
    [moved] = ticket_notes(console, TWIN, "Visit moved")
    assert moved.startswith(f"Visit moved: job {job}, now Dec 10, 2026 2:00 PM EST")
    ks_job.status = "canceled"
    for _ in range(2):
        await poll_visits(console.desk, console.store, client, now, config=config)
    assert len(ticket_notes(console, TWIN, f"Visit canceled: job {job}")) == 1
    [card] = await console.send(f"/ticket {TWIN}")
    row = next(b for b in card["blocks"] if b.get("block_id") == f"visit_{job}")
    assert "Canceled" in row["text"]["text"]


async def test_visit_done_quotes_the_technicians_note_written_from_slack(desk_console):
    """The outcome a technician writes from Slack (a job's thread, /note job) is the visit's
    latest note; Deskhand's own words on the job (its origin, On my way) are not."""
    console = desk_console
    _, job = await book(console, TWIN)  # writes the job's origin note, signed from Slack
    await console.send(f"/note job {job} Swapped the fuser; test page is clean.")
    await console.send(f"/note job {job} On my way.")
    ks_job = next(
        j for j in console.fake("kickserv").state.data.jobs.values() if j.job_number == job
    )
    ks_job.status = "completed"
    config = handler_config(console.app_settings)
    await poll_visits(
        console.desk, console.store, console.app.client, datetime.now(UTC), config=config
    )
    [done] = ticket_notes(console, TWIN, "Visit done")
    assert done.split("\n")[0].endswith(" — Swapped the fuser; test page is clean.")


async def test_a_linked_job_deleted_in_kickserv_is_noted_once_and_no_longer_read(desk_console):
    console = desk_console
    _, job = await book(console, TWIN)
    data = console.fake("kickserv").state.data
    del data.jobs[next(k for k, j in data.jobs.items() if j.job_number == job)]
    config = handler_config(console.app_settings)
    for _ in range(2):
        await poll_visits(
            console.desk, console.store, console.app.client, datetime.now(UTC), config=config
        )
    said = ticket_notes(console, TWIN, f"Visit removed: job {job} is no longer in Kickserv")
    assert len(said) == 1
    assert await console.store.visits.open_visits() == []


MIDDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def test_in_the_sandbox_a_visit_booked_from_ticket_34_is_completed_on_its_clock():
    clock = SandboxClock(real=lambda: MIDDAY)
    settings = Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60, **FAST_RETRY, **UNPACED)
    async with Console(settings, clock=clock, world=True) as console:
        await directory_filled(console)
        await console.send(f"/ticket {TWIN}")
        await console.send("click Share in channel")  # its card is live in the channel
        view = await open_booking(console, TWIN)
        values = {
            "customer": view["blocks"][0]["element"]["initial_option"]["value"],
            "service": "24554",
            "description": view["blocks"][2]["element"]["initial_value"],
            "date": "2026-12-02",
            "time": "00:05",  # the first visit of the day: the world moves it on first
            "employee": employee_value(view),
        }
        assert (await console.submit_view(view["id"], values))["response_action"] == "update"
        await console.settle()
        [visit] = await console.store.visits.of_ticket(TWIN)
        config = handler_config(settings, clock=console.clock)
        mark = len(console.slack.calls)
        for _ in range(3):  # started, then completed, a couple of sandbox minutes apart
            console.clock.jump(timedelta(minutes=2))
            await poll_watches(
                console.desk, console.store, console.app.client, clock(), config=config
            )
        done = ticket_notes(console, TWIN, f"Visit done: job {visit.job_number} by Sam Ortiz")
        assert len(done) == 1
        replies = [c.payload for c in console.slack.calls_since(mark) if c.payload.get("thread_ts")]
        assert any("Close ticket" in str(r.get("blocks")) for r in replies), replies
        [card] = await console.send(f"/ticket {TWIN}")
        assert "Completed" in texts(card["blocks"])


async def test_a_job_confirmed_only_later_is_linked_to_its_ticket_once_confirmed(desk_console):
    console = desk_console
    faults = console.faults("kickserv")
    # A gateway answers 504 at once; Kickserv creates the job later (below).
    faults.add(
        "error_now_applied_later",
        times=1,
        seconds=3600,
        status=504,
        path="/jobs.json",
        method="POST",
    )
    view = await open_booking(console, TWIN)
    values = booking_values(view, sam=False)
    ack = await console.submit_view(view["id"], values)
    shown = texts(ack["view"]["blocks"])
    assert "Could not confirm yet" in shown
    assert f"Once it is confirmed, Deskhand links it to ticket #{TWIN}." in shown
    assert await faults.land() == 1  # the job exists now
    config = handler_config(console.app_settings)
    later = datetime.now(UTC) + timedelta(seconds=61)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    for _ in range(2):
        await sweep_visit_notes(
            console.desk, console.store, console.app.client, later, config=config
        )
    [visit] = await console.store.visits.of_ticket(TWIN)
    booked = ticket_notes(console, TWIN, f"Visit booked: job {visit.job_number}, Printer Repair")
    assert len(booked) == 1
    assert len([n for n in job_notes(console, visit.job_number) if n.startswith("From")]) == 1
