"""The sandbox clock moves only forward, tells who asked, and two worlds on the same start make
the same changes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from sandbox.clock import SandboxClock
from sandbox.data import seeded
from sandbox.kickserv_data import seeded_kickserv
from sandbox.world import World

START = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)


def test_jumps_move_forward_only_and_tell_each_listener():
    clock = SandboxClock(real=lambda: START)
    heard: list[datetime] = []
    clock.on_jump(heard.append)
    assert clock() == clock.now() == START and clock.offset == timedelta(0)
    assert clock.jump(timedelta(hours=1)) == START + timedelta(hours=1)
    assert clock.today("UTC") == date(2026, 12, 3)
    assert clock.today("America/New_York") == date(2026, 12, 2)
    assert clock.local("Europe/Berlin") == datetime(2026, 12, 3, 1, 30)
    assert clock.jump_to(START) == START + timedelta(hours=1)  # the past: it stays
    with pytest.raises(ValueError, match="only moves forward"):
        clock.jump(timedelta(seconds=-1))
    assert heard == [START + timedelta(hours=1)] * 2


def _five_minutes() -> list[str]:
    """What a fresh world does in its first five minutes, caught up by hand."""
    now = [START]
    readydesk = seeded(tickets=30, customers=12, today=START.date())
    world = World(lambda: now[0], readydesk, seeded_kickserv(readydesk, today=START.date()))
    assert world.catch_up() == []  # nothing is due at the start
    now[0] += timedelta(minutes=5)
    lines = world.catch_up()
    assert world.next_change > now[0] and world.catch_up() == []
    return lines


def test_the_same_start_makes_the_same_changes_and_a_jump_catches_up_at_once(caplog):
    first = _five_minutes()
    assert first == _five_minutes()
    assert sorted(line.split()[0] for line in first) == ["job"] * 3 + ["ticket"] * 3
    assert sum(line.endswith(" answered") for line in first) == 1  # the latest note's contact
    clock = SandboxClock(real=lambda: START)
    readydesk = seeded(tickets=30, customers=12, today=START.date())
    World(clock, readydesk, None)
    with caplog.at_level("INFO", logger="deskhand.sandbox.world"):
        clock.jump(timedelta(minutes=2))
    assert max(readydesk.tickets) == 31 and "ticket #31 opened" in caplog.text


@pytest.mark.parametrize("start", [START, datetime(2026, 12, 3, 0, 30, tzinfo=UTC)])
def test_a_customer_answers_the_latest_technician_note_once(start):
    # At 00:30 the seeded day's newest entries (by 06:00) are still ahead: not the latest.
    now = [start]
    readydesk = seeded(tickets=30, customers=12, today=start.date())
    world = World(lambda: now[0], readydesk, None, ticket_every=timedelta(days=1))
    ticket = next(t for t in readydesk.tickets.values() if t.status == "Open")
    at = start.replace(tzinfo=None) + timedelta(minutes=1)  # written a minute on, from Slack
    readydesk.add_history(ticket.tid, at, "alice", "TECH", "Open", "Driver reinstalled.")
    now[0] += timedelta(minutes=3)
    assert world.catch_up() == [f"ticket #{ticket.tid}: {ticket.contact} answered"]
    answer = readydesk.history[ticket.tid][-1]
    assert (answer.updated_by, answer.updater_type) == (ticket.contact, "CUSTOMER")
    now[0] += timedelta(minutes=3)
    assert world.catch_up() == []  # answered once; the answer itself is not answered


def test_a_note_from_slack_is_answered_before_seeded_entries_dated_later():
    # In the small hours the seeded day has entries dated after a note written now: a jump of
    # two hours reaches them, and still the note from Slack is the one answered first.
    start = datetime(2026, 12, 3, 3, 30, tzinfo=UTC)
    now = [start]
    readydesk = seeded(tickets=30, customers=12, today=start.date())
    other, ticket = [t for t in readydesk.tickets.values() if t.status == "Open"][:2]
    later = start.replace(tzinfo=None) + timedelta(hours=1)
    readydesk.add_history(other.tid, later, "bob", "TECH", "Open", "Seeded for 04:30.")
    world = World(lambda: now[0], readydesk, None, ticket_every=timedelta(days=1))
    at = start.replace(tzinfo=None) + timedelta(minutes=1)
    readydesk.add_history(ticket.tid, at, "alice", "TECH", "Open", "Driver reinstalled.")
    now[0] += timedelta(hours=2)
    lines = world.catch_up()
    assert lines[0] == f"ticket #{ticket.tid}: {ticket.contact} answered"
    assert readydesk.history[ticket.tid][-1].updater_type == "CUSTOMER"
