"""How Deskhand writes a time, everywhere it shows one: on cards, in threads, and in the notes
it writes to ReadyDesk and Kickserv (one wording, so a visit's time reads the same on its card
and in its note)."""

from datetime import datetime
from zoneinfo import ZoneInfo


def when(value: datetime | None) -> str:
    """`Apr 24, 2014 10:42 AM`, or a dash when there is no date."""
    if value is None:
        return "—"
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M %p}"


def local_time(value: datetime | None, timezone: str, *, none: str = "Not scheduled") -> str:
    """A time in the business's time zone, with the zone's abbreviation (people sit in several);
    a time without a zone is taken to be the business's wall clock. `none` when there is none."""
    if value is None:
        return none
    zone = ZoneInfo(timezone)
    local = (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone)
    return f"{when(local)} {local.tzname()}"
