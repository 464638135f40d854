"""Callback radar, through the app: a ticket opened soon after its business's Kickserv visit was
completed is flagged on its card, in `/ticket new`'s confirmation and in watch alerts;
`/deskhand callbacks` lists them by who did the visit. The sandbox fakes hold the visits."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from api.business import READYDESK
from api.times import short_day
from bot.app import build_web_client, handler_config
from playground.console import Console
from sandbox.kickserv_data import KSCustomer, KSJob, KSTask
from store.visits import Visit
from tests.bot.served import texts
from workers.watches import poll_watches

SAM, PAT = 846788, 846787  # Kickserv employees Sam Ortiz and Pat Lee
ZERO = Decimal("0.00")


def _worlds(console: Console) -> tuple[Any, Any]:
    return console.fake("readydesk").state.data, console.fake("kickserv").state.data


def _twin(console: Console, cid: str) -> KSCustomer:
    """The Kickserv customer made from ReadyDesk customer `cid` (the same email)."""
    rd, ks = _worlds(console)
    email = rd.customers[cid].email.lower()
    return next(c for c in ks.customers.values() if c.email.lower() == email)


def _email(console: Console, tid: int) -> str:
    rd, _ = _worlds(console)
    return rd.customers[rd.tickets[tid].cid].email.lower()


def _opened(console: Console, tid: int) -> datetime:
    rd, _ = _worlds(console)
    return rd.tickets[tid].date_opened.replace(tzinfo=ZoneInfo(rd.timezone))


def _visit(
    console: Console,
    customer: KSCustomer,
    done: datetime,
    *,
    status: str = "completed",
    crew: tuple[int, ...] = (SAM,),
    alone: bool = True,
) -> KSJob:
    """A Repair for `customer` at `done` (completed then unless `status` says otherwise) on the
    calendar of `crew`; `alone`: the business's other jobs are removed first."""
    _, ks = _worlds(console)
    if alone:
        for number in [n for n, j in ks.jobs.items() if j.customer_id == customer.id]:
            del ks.jobs[number]
    number = ks.next_id("job_number", 86_000)
    job = KSJob(
        id=40_000_000 + number,
        job_number=number,
        customer_id=customer.id,
        name="Repair",
        description="Fix the boiler",
        job_type_id=24554,
        status=status,
        scheduled_on=done - timedelta(hours=2),
        subtotal=ZERO,
        tax=ZERO,
        total=ZERO,
        balance_remaining=ZERO,
        invoice_status="unpaid",
        created_at=done - timedelta(days=3),
        updated_at=done,
        completed_on=done if status == "completed" else None,
    )
    ks.jobs[number] = job
    task = ks.next_id("task", 3_300_000)
    ks.tasks[task] = KSTask(task, job.id, customer.id, done - timedelta(hours=2), done, list(crew))
    return job


def _flag(job: KSJob, who: str = "Sam Ortiz") -> str:
    done = job.completed_on or job.updated_at
    return f"Possible callback: Repair on {short_day(done)} by {who} (job {job.job_number})"


def _demo_ticket(console: Console) -> int:
    rd, _ = _worlds(console)
    return max(t for t, ticket in rd.tickets.items() if ticket.cid == "demo")


def _cold(console: Console) -> None:
    """This process's cached Kickserv reads forgotten (as a process that just started has)."""
    radar = type(console.desk.callbacks)
    console.desk.callbacks = radar(console.desk.kickserv, console.desk.directory)


async def _ready(console: Console) -> Console:
    await console.desk.directory.refresh()
    return console


async def test_a_ticket_opened_after_a_completed_visit_is_flagged_on_its_card(console):
    await _ready(console)
    tid = _demo_ticket(console)
    job = _visit(console, _twin(console, "demo"), _opened(console, tid) - timedelta(days=3))
    [card] = await console.send(f"/ticket {tid}")
    shown = texts(card["blocks"])
    assert f":repeat: {_flag(job)}" in shown
    [flag] = [b for b in card["blocks"] if b.get("block_id") == "callback"]
    assert flag["accessory"]["text"]["text"] == "Open job"
    [opened] = await console.send("click Open job")
    assert opened["blocks"][0]["text"]["text"].startswith(f"Job {job.job_number}")
    [refreshed] = await console.send(f"/ticket {tid}")  # and Refresh draws the same card
    assert _flag(job) in texts(refreshed["blocks"])


async def test_the_flag_costs_one_kickserv_read_a_business_cold_and_none_warm(console):
    await _ready(console)
    calls: list[str] = []
    transport = console.desk.kickserv.transport  # every Kickserv request passes through it
    real = transport.handle_async_request

    async def counted(request: httpx.Request) -> httpx.Response:
        calls.append("/" + request.url.path.split("/", 2)[2])  # less the account's segment
        return await real(request)

    transport.handle_async_request = counted  # type: ignore[method-assign]
    tid = _demo_ticket(console)
    customer = _twin(console, "demo")
    _visit(console, customer, _opened(console, tid) + timedelta(hours=1))  # after: no visit
    await console.send(f"/ticket {tid}")
    assert calls == [f"/customers/{customer.customer_number}/jobs.json"]  # one round trip
    job = _visit(console, customer, _opened(console, tid) - timedelta(days=1))
    _cold(console)
    calls.clear()
    [cold] = await console.send(f"/ticket {tid}")
    # With a visit, its calendar too (who did it): Kickserv names a job's crew nowhere else.
    assert calls == [f"/customers/{customer.customer_number}/jobs.json", "/tasks.json"]
    calls.clear()
    [warm] = await console.send(f"/ticket {tid}")
    assert calls == []  # warm: no Kickserv read at all
    assert _flag(job) in texts(cold["blocks"]) and texts(warm["blocks"]) == texts(cold["blocks"])


async def test_a_business_with_no_kickserv_twin_is_never_flagged(console):
    rd, ks = _worlds(console)
    twinned = {c.email.lower() for c in ks.customers.values()}
    lone = next(c for c in rd.customers.values() if c.email.lower() not in twinned)
    # Kickserv has a business of the same name, recently visited, but no email or phone in
    # common: the directory does not link them, so no visit of its counts.
    number = max(ks.customers) + 1
    namesake = KSCustomer(
        id=5_200_000,
        customer_number=number,
        name=lone.company_name,
        first_name=lone.contact,
        last_name="",
        company_name=lone.company_name,
        company=True,
        email="someone.else@elsewhere.example",
        phone_number="212-555-0000",
        service_address="1 Other St",
        service_city="Elsewhere",
        service_state="NY",
        service_zip_code="10001",
        customer_source_id=None,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    ks.customers[number] = namesake
    await _ready(console)
    business = await console.desk.directory.business(READYDESK, lone.customer_id)
    assert business is not None and business.kickserv is None
    tid = await console.desk.readydesk.add_ticket(cid=lone.customer_id, subject="Boiler again")
    _visit(console, namesake, _opened(console, tid) - timedelta(days=1))
    [card] = await console.send(f"/ticket {tid}")
    shown = texts(card["blocks"])
    assert card["blocks"][0]["text"]["text"] == f"#{tid} Boiler again"
    assert "callback" not in shown.lower() and "could not be read" not in shown
    # Once the two share an email, the directory links them and the same visit counts.
    namesake.email = lone.email
    await _ready(console)
    _cold(console)
    [card] = await console.send(f"/ticket {tid}")
    assert "Possible callback: Repair on " in texts(card["blocks"])


async def test_a_visit_older_than_the_window_not_completed_or_after_the_ticket_is_no_flag(
    console,
):
    await _ready(console)
    tid = _demo_ticket(console)
    opened, customer = _opened(console, tid), _twin(console, "demo")
    for done, status in (
        (opened - timedelta(days=31), "completed"),  # DESKHAND_CALLBACK_DAYS is 30
        (opened - timedelta(days=2), "in_progress"),
        (opened - timedelta(days=2), "canceled"),
        (opened + timedelta(hours=2), "completed"),  # the visit answered the ticket
    ):
        _visit(console, customer, done, status=status)
        _cold(console)
        [card] = await console.send(f"/ticket {tid}")
        assert "Possible callback" not in texts(card["blocks"]), (done, status)
    inside = _visit(console, customer, opened - timedelta(days=29, hours=23))
    _cold(console)
    [card] = await console.send(f"/ticket {tid}")
    assert _flag(inside) in texts(card["blocks"])


async def test_the_window_is_a_setting():
    from bot.settings import Settings

    async with Console(
        Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60, DESKHAND_CALLBACK_DAYS=7)
    ) as console:
        await _ready(console)
        tid = _demo_ticket(console)
        _visit(console, _twin(console, "demo"), _opened(console, tid) - timedelta(days=8))
        [card] = await console.send(f"/ticket {tid}")
        assert "Possible callback" not in texts(card["blocks"])
        [listed] = await console.send("/deskhand callbacks")
        assert f"#{tid}" not in texts(listed["blocks"])
        assert "in the last 7 days" in listed["text"]


async def test_ticket_new_confirms_a_possible_callback(console):
    await _ready(console)
    job = _visit(console, _twin(console, "demo"), datetime.now(UTC) - timedelta(days=4))
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    values = {"customer": "readydesk:demo", "subject": "Boiler leaking again", "priority": "High"}
    done = await console.submit_view(view_id, values)
    assert done["view"]["title"]["text"] == "Ticket created"
    said = done["view"]["blocks"][0]["text"]["text"]
    assert said.startswith("Created *ticket #") and f":repeat: {_flag(job)}" in said
    posted = [c for c in console.slack.calls if c.name == "chat.postEphemeral"][-1]
    assert _flag(job) in texts(posted.payload["blocks"])


async def test_a_watch_alert_flags_a_possible_callback_and_its_live_redraw_too(console):
    await _ready(console)
    settings = console.app_settings

    async def poll() -> None:
        client = build_web_client(settings)
        config = handler_config(settings)
        await poll_watches(console.desk, console.store, client, datetime.now(UTC), config=config)

    await console.send("/deskhand watch tickets")
    await poll()  # the baseline
    job = _visit(console, _twin(console, "demo"), datetime.now(UTC) - timedelta(days=1))
    tid = await console.desk.readydesk.add_ticket(cid="demo", subject="Boiler knocking")
    await poll()
    [post] = [
        c.payload
        for c in console.slack.calls
        if c.name == "chat.postMessage" and f"#{tid} " in json_text(c.payload)
    ]
    assert _flag(job) in texts(post["blocks"])
    # The alert is a live card: redrawn when the ticket changes, it keeps the flag.
    rd, _ = _worlds(console)
    rd.tickets[tid].status = "Escalated"
    mark = len(console.slack.calls)
    await poll()
    [update] = [c.payload for c in console.slack.calls_since(mark) if c.name == "chat.update"]
    assert "Escalated" in texts(update["blocks"]) and _flag(job) in texts(update["blocks"])


def json_text(payload: dict[str, Any]) -> str:
    return texts(payload.get("blocks") or []) or payload.get("text", "")


async def test_deskhand_callbacks_lists_them_by_technician_one_truth_with_the_cards(console):
    await _ready(console)
    rd, ks = _worlds(console)
    now = datetime.now(UTC)
    twinned = {c.email.lower() for c in ks.customers.values()}
    recent = [t for t in rd.ticket_ids if _opened(console, t) > now - timedelta(days=20)]
    by_sam = next(t for t in reversed(recent) if _email(console, t) in twinned)
    by_pat = next(
        t
        for t in recent
        if _email(console, t) in twinned and rd.tickets[t].cid != rd.tickets[by_sam].cid
    )
    cid_sam, cid_pat = rd.tickets[by_sam].cid, rd.tickets[by_pat].cid
    sam_job = _visit(console, _twin(console, cid_sam), _opened(console, by_sam) - timedelta(1))
    pat_job = _visit(
        console, _twin(console, cid_pat), _opened(console, by_pat) - timedelta(1), crew=(PAT,)
    )
    [listed] = await console.send("/deskhand callbacks")
    assert listed["response_type"] == "ephemeral"
    blocks = listed["blocks"]
    rows = [b for b in blocks if str(b.get("block_id", "")).startswith("callback_")]
    count = int(listed["text"].split()[0])
    assert count == len(rows) and f"*{count} possible callback" in texts(blocks[:1])
    heading = ""
    under: dict[int, str] = {}
    for block in blocks[1:]:
        text = block.get("text", {}).get("text", "")
        if block.get("block_id", "").startswith("callback_"):
            under[int(block["block_id"].removeprefix("callback_"))] = heading
        elif " · " in text:
            heading, listed_count = text.split(" · ")
            assert int(listed_count) > 0
    assert under[by_sam] == "*Sam Ortiz*" and under[by_pat] == "*Pat Lee*"
    row = next(b for b in rows if b["block_id"] == f"callback_{by_sam}")
    assert f"job {sam_job.job_number} completed" in row["text"]["text"]
    # Each listed ticket's card says the same; a ticket not listed has no flag.
    for tid, job, who in ((by_sam, sam_job, "Sam Ortiz"), (by_pat, pat_job, "Pat Lee")):
        [card] = await console.send(f"/ticket {tid}")
        assert _flag(job, who) in texts(card["blocks"])
    quiet = next(t for t in reversed(recent) if t not in under)
    [card] = await console.send(f"/ticket {quiet}")
    assert "Possible callback" not in texts(card["blocks"])


async def test_deskhand_callbacks_says_when_there_are_none(console):
    _, ks = _worlds(console)
    for job in ks.jobs.values():
        if job.status == "completed":
            job.status, job.completed_on = "scheduled", None
    await _ready(console)
    [listed] = await console.send("/deskhand callbacks")
    assert listed["text"] == "No possible callbacks in the last 30 days"
    [usage] = await console.send("/deskhand callbacks now please")
    assert "Usage: `/deskhand callbacks`" in usage["text"] and "now please" in usage["text"]


async def test_a_kickserv_failure_leaves_the_card_without_the_flag_and_says_why(console):
    await _ready(console)
    tid = _demo_ticket(console)
    _visit(console, _twin(console, "demo"), _opened(console, tid) - timedelta(days=3))
    console.faults("kickserv").add("status", status=503, path="/jobs.json")
    [card] = await console.send(f"/ticket {tid}")
    shown = texts(card["blocks"])
    assert card["blocks"][0]["text"]["text"].startswith(f"#{tid} ")
    assert "Possible callback" not in shown
    assert "The business's recent Kickserv visits could not be read: Kickserv" in shown
    console.faults("kickserv").clear()
    [card] = await console.send(f"/ticket {tid}")  # a failure is not cached
    assert "Possible callback" in texts(card["blocks"])


async def test_a_cold_card_reads_its_visits_and_its_flag_side_by_side(console):
    await _ready(console)
    tid = _demo_ticket(console)
    customer = _twin(console, "demo")
    done = _visit(console, customer, _opened(console, tid) - timedelta(days=2))
    later = _opened(console, tid) + timedelta(days=1)
    booked = _visit(console, customer, later, status="scheduled", alone=False)
    now = datetime.now(UTC)
    visit = Visit(tid, booked.job_number, "", "U0CONSOLE", "Alice", "", now, "scheduled", "")
    await console.store.visits.link(visit, [], now)  # booked for the ticket
    await console.send(f"/ticket {tid}")  # the services are read once a process
    _cold(console)
    trip = 0.4
    console.faults("kickserv").add("latency", seconds=trip)
    started = time.monotonic()
    [card] = await console.send(f"/ticket {tid}")
    took = time.monotonic() - started
    assert _flag(done) in texts(card["blocks"])
    assert any(b.get("block_id") == f"visit_{booked.job_number}" for b in card["blocks"])
    # Two round trips each (a job, then its calendar), the visit's beside the flag's: not four.
    assert took < 3 * trip, took


async def test_a_business_linked_after_its_first_card_is_flagged_then_looked_up_once(console):
    """A card shown while the directory does not link the business to Kickserv has no flag;
    once a refresh links it the next card has it, and cards after that do not look in the
    directory again (the link is kept with the Kickserv reads)."""
    await _ready(console)
    tid = _demo_ticket(console)
    twin = _twin(console, "demo")
    job = _visit(console, twin, _opened(console, tid) - timedelta(days=3))
    email, phone = twin.email, twin.phone_number
    twin.email, twin.phone_number = "someone.else@example.com", "5550000000"
    await _ready(console)  # nothing in common with the ReadyDesk customer: not linked
    directory = console.store.directory
    looks: list[tuple[str, str]] = []
    look = directory.business

    async def counted(system: str, record_key: str) -> Any:
        looks.append((system, record_key))
        return await look(system, record_key)

    directory.business = counted  # type: ignore[method-assign]
    [unlinked] = await console.send(f"/ticket {tid}")
    assert "Possible callback" not in texts(unlinked["blocks"])
    twin.email, twin.phone_number = email, phone
    await _ready(console)
    [linked] = await console.send(f"/ticket {tid}")
    assert _flag(job) in texts(linked["blocks"])
    looks.clear()
    [again] = await console.send(f"/ticket {tid}")
    assert texts(again["blocks"]) == texts(linked["blocks"])
    assert looks == []


async def test_eyes_on_a_flagged_shared_card_keeps_the_flag_when_the_card_is_redrawn(console):
    await _ready(console)
    tid = _demo_ticket(console)
    job = _visit(console, _twin(console, "demo"), _opened(console, tid) - timedelta(days=3))
    await console.send(f"/ticket {tid}")
    await console.send("click Share in channel")
    mark = len(console.slack.calls)
    await console.send("react :eyes:")  # assigned, as Assign to me on the card would
    [redrawn] = [c for c in console.slack.calls_since(mark) if c.name == "chat.update"]
    assert "*Assigned to*\nalice" in texts(redrawn.payload["blocks"])
    assert _flag(job) in texts(redrawn.payload["blocks"])  # as `/ticket N` draws it
