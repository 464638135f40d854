"""How Deskhand writes a time, everywhere it shows one: on cards, in lists under a day's
heading, in threads and DMs, and in the notes it writes to ReadyDesk and Kickserv. One wording
(12-hour clock, the business's zone named), so a visit's time reads the same on its card, on
the run-sheet, in the digest and in its note."""

from datetime import date, datetime
from zoneinfo import ZoneInfo


def when(value: datetime | None) -> str:
    """`Apr 24, 2014 10:42 AM`, or a dash when there is no date."""
    if value is None:
        return "—"
    return f"{short_day(value)}, {value.year} {_clock(value)}"


def local_time(value: datetime | None, timezone: str, *, none: str = "Not scheduled") -> str:
    """A time in the business's time zone, with the zone's abbreviation (people sit in several);
    a time without a zone is taken to be the business's wall clock. `none` when there is none."""
    if value is None:
        return none
    moment = local(value, timezone)
    return f"{when(moment)} {moment.tzname()}"


def time_of_day(value: datetime | None, timezone: str, *, none: str = "Any time") -> str:
    """`2:00 PM EST`: the time alone, for a line under its day's heading; `none` when none."""
    if value is None:
        return none
    moment = local(value, timezone)
    return f"{_clock(moment)} {moment.tzname()}"


def day_words(day: date) -> str:
    """`Thu, Mar 5`: a day's heading (the year goes without saying on a day this week)."""
    return f"{day:%a}, {short_day(day)}"


def short_day(day: date) -> str:
    """`Mar 5`."""
    return f"{day:%b} {day.day}"


def local(value: datetime, timezone: str) -> datetime:
    """`value` in the business's zone; one without a zone is the business's wall clock."""
    zone = ZoneInfo(timezone)
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone)


def _clock(value: datetime) -> str:
    return f"{value.hour % 12 or 12}:{value:%M %p}"
