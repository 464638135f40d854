"""Digest slots: DST-correct, never twice, never skipped."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from store.schedules import EVERY_DAY, WEEKDAYS, DigestSchedule, parse_days

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 3, 12, tzinfo=UTC)),  # spring forward
        (datetime(2026, 10, 29, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC)),
    ],  # fall back
)
def test_eight_oclock_new_york_fires_once_a_day_at_eight_local_across_a_clock_change(first, last):
    schedule = DigestSchedule(time(8, 0), EVERY_DAY, "America/New_York")
    slots = schedule.slots_between(first, last + timedelta(days=1))
    days = [s.date() for s in slots]
    assert len(days) == len(set(days)) == (last - first).days + 1  # every day, once
    assert all(
        s.astimezone(NEW_YORK).hour == 8 and s.astimezone(NEW_YORK).minute == 0 for s in slots
    )
    utc_hours = {s.astimezone(UTC).hour for s in slots}
    assert utc_hours == {12, 13}  # the UTC time moves with the clock change


def test_the_repeated_hour_of_a_fall_back_night_fires_once():
    schedule = DigestSchedule(time(1, 30), EVERY_DAY, "America/New_York")
    slots = schedule.slots_between(
        datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK), datetime(2026, 11, 1, 23, 0, tzinfo=NEW_YORK)
    )
    assert len(slots) == 1


def test_weekdays_skip_the_weekend_and_next_slot_moves_on():
    schedule = DigestSchedule(time(9, 15), WEEKDAYS, "Europe/Berlin")
    friday_after = datetime(2026, 11, 27, 9, 16, tzinfo=ZoneInfo("Europe/Berlin"))
    monday = schedule.next_slot(friday_after)
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 9, 15)


def test_the_latest_slot_is_given_only_within_the_grace_period():
    schedule = DigestSchedule(time(8, 0), EVERY_DAY, "UTC")
    at = datetime(2026, 11, 25, 8, 40, tzinfo=UTC)
    assert schedule.latest_slot(at, timedelta(hours=1)) == datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert schedule.latest_slot(at + timedelta(hours=1), timedelta(hours=1)) is None


def test_days_words():
    assert parse_days("daily") == EVERY_DAY and parse_days("weekdays") == WEEKDAYS
    assert parse_days("thu,MON") == "mon,thu"
    assert parse_days("someday") is None
