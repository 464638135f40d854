"""The sandbox's world lives in today: what a newcomer asks about "now" finds something, and the
world is the same for the same day."""

import re
from datetime import UTC, date, datetime, timedelta

from sandbox.data import seeded
from sandbox.kickserv_data import seeded_kickserv


def _data(console):
    return console.fake("readydesk").state.data


def _total(reply: dict) -> int:
    found = re.match(r"\*([\d,]+) tickets?\*", reply["blocks"][0]["text"]["text"])
    assert found, reply["blocks"][0]
    return int(found.group(1).replace(",", ""))


async def test_recent_due_today_and_overdue_tickets_are_there_on_any_day(console):
    data = _data(console)
    now = datetime.now(UTC).replace(tzinfo=None)  # the business's time zone: UTC by default
    today = now.date()
    [recent] = await console.send("/tickets opened:24h")
    [week] = await console.send("/tickets opened:7d")
    assert 0 < _total(recent) < _total(week) < len(data.tickets)
    [due] = await console.send("/tickets due:today")
    due_today = [t for t in data.tickets.values() if t.due_date and t.due_date.date() == today]
    assert _total(due) == len(due_today) > 0
    [late] = await console.send("/tickets due:overdue")
    assert _total(late) > 0
    newest = max(data.tickets.values(), key=lambda t: t.date_opened)
    assert now - timedelta(days=1) < newest.date_opened < now + timedelta(days=1)


async def test_jobs_are_on_todays_and_tomorrows_schedule_and_next_week(console):
    [today] = await console.send("/digest preview jobs-today")
    [tomorrow] = await console.send("/digest preview jobs-tomorrow")
    for card in (today, tomorrow):
        shown = repr(card["blocks"])
        assert "Job 86" in shown and "No jobs" not in shown, shown
    jobs = console.fake("kickserv").state.data.jobs.values()
    days = {j.scheduled_on.date() for j in jobs if j.scheduled_on}
    soon = datetime.now(UTC).date()
    assert any(soon + timedelta(days=5) <= d <= soon + timedelta(days=9) for d in days)
    upcoming = [j for j in jobs if j.scheduled_on and j.scheduled_on.date() > soon]
    assert upcoming and not any(j.status in ("in_progress", "completed") for j in upcoming)


def test_the_same_day_gives_the_same_world_and_another_day_the_same_world_moved():
    day = date(2026, 3, 2)
    first, again, later = seeded(today=day), seeded(today=day), seeded(today=day + timedelta(3))
    assert first == again
    assert seeded_kickserv(first, today=day) == seeded_kickserv(again, today=day)
    for tid, ticket in first.tickets.items():
        moved = later.tickets[tid]
        assert moved.date_opened - ticket.date_opened == timedelta(days=3)
        assert (moved.subject, moved.status, moved.cid) == (
            ticket.subject,
            ticket.status,
            ticket.cid,
        )
    assert max(t.date_opened for t in first.tickets.values()).date() == day
