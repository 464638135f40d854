"""Ticket → visit → ticket: Book a visit on a ticket card opens the job form prefilled from the
ticket; the job created is linked to the ticket in the database with one note on each; both
cards show the link; a linked job done, cancelled or moved is noted on the ticket once, across
replicas, with Close ticket offered under the ticket's live card."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_desk, handler_config
from bot.scheduler import build_scheduler
from bot.settings import Settings
from playground.console import CHANNEL, USER, Console
from sandbox.clock import SandboxClock
from sandbox.kickserv_data import KSNote
from sandbox.slack import sandbox_user
from tests.bot.served import texts
from tests.conftest import FAST_RETRY, UNPACED, ready_store
from tests.slack_helpers import event_body
from workers.claims import sweep_claims
from workers.visits import poll_visits, sweep_visit_notes
from workers.watches import poll_watches

ZONE = "America/New_York"
WEB = "https://help.example.com/ticket?id={tid}"
TWIN, LONE = 34, 3  # ticket 34's customer has a Kickserv twin; ticket 3's has none


@pytest.fixture
async def desk_console():
    settings = Settings(
        _env_file=None,
        DESKHAND_LOOKING_UP_AFTER=60,
        DESKHAND_TIMEZONE=ZONE,
        READYDESK_WEB_URL=WEB,
        **FAST_RETRY,
        **UNPACED,
    )
    async with Console(settings) as console:
        console.slack.users["U0CONSOLE"] = sandbox_user(
            "U0CONSOLE", "Alice Moreno", "alice@helpdesk.example", tz=ZONE
        )
        await console.desk.directory.refresh()
        yield console


def _history(console: Console, ticket_id: int, start: str) -> list[str]:
    history = console.fake("readydesk").state.data.history.get(ticket_id, [])
    return [h.note for h in history if h.note.startswith(start)]


def _job_notes(console: Console, job_number: int) -> list[str]:
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if j.job_number == job_number)
    return [n.note for n in data.notes.values() if n.noteable_id == job.id]


async def _open_booking(console: Console, ticket_id: int) -> dict[str, Any]:
    await console.send(f"/ticket {ticket_id}")
    await console.send("click Book a visit")
    return console.slack.views[console.slack.last_view_id]


def _sam(view: dict[str, Any]) -> str:
    employee = next(b for b in view["blocks"] if b.get("block_id") == "employee")
    return next(o for o in employee["element"]["options"] if o["text"]["text"] == "Sam Ortiz")[
        "value"
    ]


async def _book(console: Console, ticket_id: int, customer: str = "") -> tuple[dict, int]:
    """Book a visit on Wed 9 Dec at 10:00 for Sam Ortiz (the form's customer unless one is
    given); the outcome view and the new job's number."""
    view = await _open_booking(console, ticket_id)
    chosen = (view["blocks"][0]["element"].get("initial_option") or {}).get("value", "")
    values = {
        "customer": customer or chosen,
        "service": "24554",
        "description": view["blocks"][2]["element"].get("initial_value", ""),
        "date": "2026-12-09",
        "time": "10:00",
        "employee": _sam(view),
    }
    data = console.fake("kickserv").state.data
    before = {j.job_number for j in data.jobs.values()}
    ack = await console.submit_view(view["id"], values)
    again = await console.submit_view(view["id"], values)  # a double submit writes nothing more
    assert again["response_action"] == "update"
    [new] = {j.job_number for j in data.jobs.values()} - before
    await console.settle()
    return ack["view"], new


async def test_a_visit_booked_from_a_ticket_links_both_with_one_note_each(desk_console):
    console = desk_console
    view = await _open_booking(console, TWIN)
    assert view["title"]["text"] == "Book a visit"
    assert view["blocks"][0]["element"]["initial_option"]["value"].startswith("kickserv:")
    link = WEB.replace("{tid}", str(TWIN))
    description = view["blocks"][2]["element"]["initial_value"]
    assert description == f"Ticket #{TWIN}: Printer offline in accounts\n{link}"

    outcome, job = await _book(console, TWIN)
    shown = texts(outcome["blocks"])
    assert f"job {job}" in shown and f"Linked to *ticket #{TWIN}*" in shown
    assert "Pending" not in shown
    booked = _history(console, TWIN, "Visit booked")
    assert len(booked) == 1
    assert booked[0].startswith(
        f"Visit booked: job {job}, Printer Repair, Wed 9 Dec 10:00, Sam Ortiz"
    )
    origin = [n for n in _job_notes(console, job) if n.startswith("From ReadyDesk")]
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
    view = await _open_booking(console, LONE)
    picker = view["blocks"][0]["element"]
    assert "initial_option" not in picker
    ticket = console.fake("readydesk").state.data.tickets[LONE]
    assert picker["placeholder"]["text"] == f"Type {ticket.company_name or ticket.contact}"
    assert "has no Kickserv customer linked" in texts(view["blocks"])
    outcome, job = await _book(console, LONE, customer="kickserv:1")
    assert f"Linked to *ticket #{LONE}*" in texts(outcome["blocks"])
    assert len(_history(console, LONE, f"Visit booked: job {job}")) == 1


async def test_a_job_whose_link_note_fails_is_kept_and_the_note_written_once_later(desk_console):
    console = desk_console
    console.faults("readydesk").add("status", times=1, status=503, query={"action": "add_history"})
    outcome, job = await _book(console, TWIN)
    shown = texts(outcome["blocks"])
    assert f"job {job}" in shown  # the job is not lost
    assert f"*Pending:* the note on ticket #{TWIN}" in shown
    assert _history(console, TWIN, "Visit booked") == []
    config = handler_config(console.app_settings)
    later = datetime.now(UTC) + timedelta(seconds=61)  # the write's apply window is over
    mark = len(console.slack.calls)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    await sweep_visit_notes(console.desk, console.store, console.app.client, later, config=config)
    await sweep_visit_notes(console.desk, console.store, console.app.client, later, config=config)
    assert len(_history(console, TWIN, f"Visit booked: job {job}")) == 1
    told = [c.payload.get("text", "") for c in console.slack.calls_since(mark)]
    assert any(f"pending note on ticket #{TWIN}" in t and "now written" in t for t in told), told
    assert not any("not written" in t or "Try again" in t for t in told), told  # it never was
    [card] = await console.send(f"/ticket {TWIN}")
    assert any(b.get("block_id") == f"visit_{job}" for b in card["blocks"])


def _complete(console: Console, job_number: int, at: datetime, note: str) -> None:
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if j.job_number == job_number)
    job.status, job.completed_on, job.updated_at = "completed", at, at
    note_id = data.next_id("note", 24_600)
    data.notes[note_id] = KSNote(note_id, note, "Job", job.id, 846788, at, at)


async def test_two_replicas_noticing_one_completion_note_it_once_and_offer_close(
    desk_console, database_url
):
    console = desk_console
    _, job = await _book(console, TWIN)
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
    _complete(console, job, done_at, "Replaced the fuser; prints fine.")
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
    [done] = _history(console, TWIN, "Visit done")
    said = f"Visit done: job {job} by Sam Ortiz at 11:30 — Replaced the fuser; prints fine."
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
    _, job = await _book(console, TWIN)
    data = console.fake("kickserv").state.data
    ks_job = next(j for j in data.jobs.values() if j.job_number == job)
    config = handler_config(console.app_settings)
    client, now = console.app.client, datetime.now(UTC)
    ks_job.scheduled_on = datetime.combine(datetime(2026, 12, 10), time(14), ZoneInfo(ZONE))
    for _ in range(2):
        await poll_visits(console.desk, console.store, client, now, config=config)
    [moved] = _history(console, TWIN, "Visit moved")
    assert moved.startswith(f"Visit moved: job {job}, now Thu 10 Dec 14:00")
    ks_job.status = "canceled"
    for _ in range(2):
        await poll_visits(console.desk, console.store, client, now, config=config)
    assert len(_history(console, TWIN, f"Visit cancelled: job {job}")) == 1
    [card] = await console.send(f"/ticket {TWIN}")
    row = next(b for b in card["blocks"] if b.get("block_id") == f"visit_{job}")
    assert "Canceled" in row["text"]["text"]


async def test_a_linked_job_deleted_in_kickserv_is_noted_once_and_no_longer_read(desk_console):
    console = desk_console
    _, job = await _book(console, TWIN)
    data = console.fake("kickserv").state.data
    del data.jobs[next(k for k, j in data.jobs.items() if j.job_number == job)]
    config = handler_config(console.app_settings)
    for _ in range(2):
        await poll_visits(
            console.desk, console.store, console.app.client, datetime.now(UTC), config=config
        )
    said = _history(console, TWIN, f"Visit removed: job {job} is no longer in Kickserv")
    assert len(said) == 1
    assert await console.store.visits.open_visits() == []


MIDDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def test_in_the_sandbox_a_visit_booked_from_ticket_34_is_completed_on_its_clock():
    clock = SandboxClock(real=lambda: MIDDAY)
    settings = Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60, **FAST_RETRY, **UNPACED)
    async with Console(settings, clock=clock, world=True) as console:
        await console.desk.directory.refresh()
        await console.send(f"/ticket {TWIN}")
        await console.send("click Share in channel")  # its card is live in the channel
        view = await _open_booking(console, TWIN)
        values = {
            "customer": view["blocks"][0]["element"]["initial_option"]["value"],
            "service": "24554",
            "description": view["blocks"][2]["element"]["initial_value"],
            "date": "2026-12-02",
            "time": "00:05",  # the first visit of the day: the world moves it on first
            "employee": _sam(view),
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
        done = _history(console, TWIN, f"Visit done: job {visit.job_number} by Sam Ortiz")
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
    view = await _open_booking(console, TWIN)
    values = {
        "customer": view["blocks"][0]["element"]["initial_option"]["value"],
        "service": "24554",
        "description": view["blocks"][2]["element"]["initial_value"],
        "date": "2026-12-09",
        "time": "10:00",
    }
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
    booked = _history(console, TWIN, f"Visit booked: job {visit.job_number}, Printer Repair")
    assert len(booked) == 1
    assert len([n for n in _job_notes(console, visit.job_number) if n.startswith("From")]) == 1


async def test_a_live_ticket_card_is_redrawn_once_when_its_visit_is_done(desk_console):
    console = desk_console
    _, job = await _book(console, TWIN)
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")  # live in the channel, showing the visit
    since = datetime(2000, 1, 1, tzinfo=UTC)
    [posted] = await console.store.live.cards(f"ticket:{TWIN}", since)
    _complete(console, job, datetime.now(UTC), "All done.")
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


async def test_a_visit_is_dated_on_the_ticket_card_as_its_job_card_dates_it(desk_console):
    console = desk_console
    _, job = await _book(console, TWIN)
    [card] = await console.send(f"/ticket {TWIN}")
    row = next(b for b in card["blocks"] if b.get("block_id") == f"visit_{job}")
    [job_card] = await console.send(f"/job {job}")
    when = next(
        f["text"] for b in job_card["blocks"] for f in b.get("fields", []) if "*When*" in f["text"]
    )
    shown = when.split("\n", 1)[1]  # "Dec 9, 2026 10:00 AM EST"
    assert shown in row["text"]["text"], (shown, row["text"]["text"])


async def test_close_ticket_in_the_visit_done_reply_closes_it_and_keeps_the_note(desk_console):
    console = desk_console
    _, job = await _book(console, TWIN)
    await console.send(f"/ticket {TWIN}")
    await console.send("click Share in channel")
    _complete(console, job, datetime.now(UTC), "All done.")
    config = handler_config(console.app_settings)
    await poll_visits(
        console.desk, console.store, console.app.client, datetime.now(UTC), config=config
    )
    (channel, ts), reply = next(
        (k, m) for k, m in console.slack.messages.items() if "thread_ts" in m
    )
    actions = reply["blocks"][1]
    body = console.requests.block_actions(
        {**actions["elements"][0], "block_id": actions["block_id"]},
        user=USER,
        container={"type": "message", "message_ts": ts, "channel_id": channel},
        channel=CHANNEL,
        message=reply,
        response_url=console.slack.response_url("close-in-thread"),
    )
    replies = await console.deliver(body, len(console.slack.calls))
    [replaced] = [r for r in replies if r["via"] == "response_url"]
    assert console.fake("readydesk").state.data.tickets[TWIN].status == "Closed"
    shown = texts(replaced["blocks"])
    assert f"Visit done: job {job}" in shown  # the note stays in the thread
    assert f"Ticket #{TWIN} closed by <@{USER['id']}>" in shown
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
    _, job = await _book(console, TWIN)
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
    view = await _open_booking(console, TWIN)
    values = {
        "customer": view["blocks"][0]["element"]["initial_option"]["value"],
        "service": "24554",
        "description": view["blocks"][2]["element"]["initial_value"],
        "date": "2026-12-09",
        "time": "10:00",
        "employee": _sam(view),
    }
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
    booked = _history(console, TWIN, f"Visit booked: job {job}, Printer Repair, Wed 9 Dec 10:00")
    assert len(booked) == 1 and "Sam Ortiz" in booked[0]
    assert len([n for n in _job_notes(console, job) if n.startswith("From ReadyDesk")]) == 1


async def test_a_visit_done_is_said_once_in_a_synced_thread_not_again_as_a_note(desk_console):
    console = desk_console
    _, job = await _book(console, TWIN)
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
    _complete(console, job, datetime.now(UTC), "Replaced the fuser.")
    for _ in range(2):
        await poll_watches(*poll, datetime.now(UTC), config=config)
    said = [
        str(c.payload.get("text"))
        for c in console.slack.calls_since(mark)
        if c.name == "chat.postMessage" and c.payload.get("thread_ts") == card.ts
    ]
    assert len([s for s in said if "Visit done" in s]) == 1, said


async def test_a_stop_after_the_in_process_poller_noted_a_visit_done_waits_for_no_write(
    desk_console,
):
    console = desk_console
    _, job = await _book(console, TWIN)
    _complete(console, job, datetime.now(UTC), "All done.")
    scheduler = build_scheduler(
        console.app_settings, console.store, console.desk, slack=console.app.client
    )
    scheduler.start()  # its first look polls the linked jobs and notes the visit done
    try:
        for _ in range(200):  # 10 s at most
            if _history(console, TWIN, f"Visit done: job {job}"):
                break
            await asyncio.sleep(0.05)
        assert len(_history(console, TWIN, f"Visit done: job {job}")) == 1
        # A graceful stop now (SIGTERM, Ctrl-C on the web sandbox) finishes that look and
        # waits for no other write: the loop that wrote the note is not a write in flight.
        assert await console.desk.in_flight.drain(3.0) == 0
    finally:
        await scheduler.aclose()
