"""The consistency suite (issue 25): over generated sandbox worlds, every count a person sees on
the unresolved, overdue and unassigned digests, Home, the customer card and `/tickets` equals a
direct count over the fakes' records, and "most overdue" is the truly oldest.

Each example rewrites the fakes' tickets and Demo Company's jobs in place and asks the app as a
person would (the console: signed requests through the real app). Few examples, derandomized, so
`make test` stays quick and repeatable; `DESKHAND_CONSISTENCY=thorough` runs many more.
"""

import json
import os
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.settings import Settings
from playground.console import CONSOLE_USER, Console
from sandbox.data import STATUSES
from tests.bot.served import texts

JSON = "application/json"
TECHS = ("", "bob", "jsmith")  # "" is no technician
CUSTOMERS = ("demo", "acme")
JOB_STATUSES = ("unscheduled", "scheduled", "in_progress", "on_hold", "completed", "canceled")
CLOSED = ("Closed", "Resolved")
SUITES = {
    "ci": settings(
        max_examples=5,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
    "thorough": settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
}
PROFILE = SUITES[os.environ.get("DESKHAND_CONSISTENCY", "ci")]


@dataclass(frozen=True)
class GenTicket:
    status: str
    tech: str
    customer: str
    due_days: int | None  # days from now (negative: overdue), None: no due date


@dataclass(frozen=True)
class GenJob:
    status: str
    balance: Decimal


tickets_st = st.lists(
    st.builds(
        GenTicket,
        status=st.sampled_from(STATUSES),
        tech=st.sampled_from(TECHS),
        customer=st.sampled_from(CUSTOMERS),
        due_days=st.one_of(st.none(), st.integers(-60, -1), st.integers(1, 30)),
    ),
    min_size=0,
    max_size=40,
)
jobs_st = st.lists(
    st.builds(
        GenJob,
        status=st.sampled_from(JOB_STATUSES),
        balance=st.sampled_from([Decimal("0.00"), Decimal("140.00"), Decimal("95.50")]),
    ),
    max_size=6,
)


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    """One app for all of a test's examples (each example rewrites the fakes' records)."""
    async with Console(Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60)) as running:
        await running.store.links.set(CONSOLE_USER, set_by=CONSOLE_USER, technician="bob")
        rd = running.fake("readydesk").state.data
        ks = running.fake("kickserv").state.data
        job = next(j for j in ks.jobs.values() if j.customer_id == ks.customers[1].id)
        running.templates = (rd.tickets[min(rd.tickets)], job)  # type: ignore[attr-defined]
        yield running


def _world(console: Console, tickets: list[GenTicket], jobs: list[GenJob]) -> None:
    """The fakes' tickets become `tickets` and Demo Company's jobs become `jobs`."""
    rd = console.fake("readydesk").state.data
    template, template_job = console.templates  # type: ignore[attr-defined]
    now = rd.now()
    rd.tickets.clear()
    rd.ticket_ids.clear()
    for tid, gen in enumerate(tickets, start=1):
        due = None if gen.due_days is None else now + timedelta(days=gen.due_days, minutes=tid)
        closed = now - timedelta(hours=1) if gen.status in CLOSED else None
        rd.add_ticket(
            replace(
                template,
                tid=tid,
                cid=gen.customer,
                status=gen.status,
                assigned_tech=gen.tech,
                due_date=due,
                date_closed=closed,
                date_opened=now - timedelta(days=90, minutes=-tid),
                custom_fields={},
            )
        )
    ks = console.fake("kickserv").state.data
    demo = ks.customers[1]
    for number in [n for n, j in ks.jobs.items() if j.customer_id == demo.id]:
        del ks.jobs[number]
    for n, gen in enumerate(jobs):
        number = 99_000 + n
        ks.jobs[number] = replace(
            template_job,
            id=49_000_000 + n,
            job_number=number,
            status=gen.status,
            balance_remaining=gen.balance,
        )
    console.desk.readydesk.forget_lookups()


def _first_line(card: dict) -> str:
    return card["blocks"][1]["text"]["text"].splitlines()[0]


def _listed_total(card: dict) -> int:
    """The total a `/tickets` card states (`*12 tickets*`)."""
    found = re.match(r"\*([\d,]+) tickets?\*", card["blocks"][0]["text"]["text"])
    assert found, card["blocks"][0]
    return int(found.group(1).replace(",", ""))


async def _home(console: Console) -> str:
    console.clock.jump(timedelta(minutes=2))  # Home is read again, not reused
    event = {"type": "app_home_opened", "user": CONSOLE_USER, "tab": "home"}
    body = console.requests.event(event)
    request = AsyncBoltRequest(body=body, headers=console.requests.headers(body, JSON))
    await console.app.async_dispatch(request)  # type: ignore[union-attr]
    await console.settle()
    return texts(console.slack.home_tabs[CONSOLE_USER]["blocks"])


@PROFILE
@given(tickets=tickets_st, jobs=jobs_st)
async def test_every_count_agrees_with_the_records(console, tickets, jobs):
    _world(console, tickets, jobs)
    rd = console.fake("readydesk").state.data
    now = rd.now()
    unresolved = [t for t in rd.tickets.values() if t.status not in CLOSED]
    overdue = sorted((t.due_date, t.tid) for t in unresolved if t.due_date and t.due_date < now)

    [digest] = await console.send("/digest preview unresolved")
    assert _first_line(digest).startswith(f"*{len(unresolved)}* unresolved")
    by_status = Counter(t.status for t in unresolved)
    shown = " · ".join(f"{s} {by_status[s]}" for s in STATUSES if by_status[s]) or "none"
    assert f"*By status:* {shown}" in digest["blocks"][1]["text"]["text"]
    [listed] = await console.send("/tickets status:unresolved")
    assert _listed_total(listed) == len(unresolved)

    [digest] = await console.send("/digest preview overdue")
    assert _first_line(digest).startswith(f"*{len(overdue)}* overdue")
    most = [int(n) for n in re.findall(r"\*#(\d+)\*", json.dumps(digest["blocks"]))]
    assert most == [tid for _, tid in overdue[:10]]
    [listed] = await console.send("/tickets due:overdue")
    assert _listed_total(listed) == len(overdue)

    unassigned = [t for t in unresolved if not t.assigned_tech]
    [digest] = await console.send("/digest preview unassigned")
    assert _first_line(digest).startswith(f"*{len(unassigned)}* unassigned")
    [listed] = await console.send("/tickets status:unresolved tech:none")
    assert _listed_total(listed) == len(unassigned)

    bobs = [t for t in unresolved if t.assigned_tech == "bob"]
    home = await _home(console)
    if bobs:
        assert f"*Your unresolved tickets: {len(bobs)}*" in home
    else:
        assert "No unresolved tickets assigned to you" in home
    [mine] = await console.send("/tickets status:unresolved tech:me")
    assert _listed_total(mine) == len(bobs)

    demo = [t for t in rd.tickets.values() if t.cid == "demo"]
    [card] = await console.send("/customer demo")
    text = texts(card["blocks"])
    assert f"*ReadyDesk tickets: {len(demo)}* ·" in text
    owed = sum((g.balance for g in jobs if g.status != "canceled"), Decimal("0.00"))
    assert f"*Owed*\n{owed:,.2f}" in text
