"""When a digest is due: a wall-clock time on some weekdays in a time zone, DST-correct.

The recurrence comes from dateutil's rrule over local wall-clock times; each occurrence is then
placed in its zone. So 08:00 in America/New_York is 08:00 local on both sides of a clock change:
13:00 UTC in winter, 12:00 UTC in summer — never twice, never skipped.

It lives in store/, beside the digest subscriptions it times, because it imports nothing of ours:
the one floor both handlers/digests.py (which parses the grammar) and workers/digests.py (which
finds due slots) may import.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, FR, MO, SA, SU, TH, TU, WE, rrule, weekday

DAYS: dict[str, weekday] = {
    "mon": MO,
    "tue": TU,
    "wed": WE,
    "thu": TH,
    "fri": FR,
    "sat": SA,
    "sun": SU,
}
WEEKDAYS = "mon,tue,wed,thu,fri"
EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"


@dataclass(frozen=True)
class DigestSchedule:
    """`at` on `days` (comma-separated mon..sun) in `timezone` (an IANA name)."""

    at: time
    days: str
    timezone: str

    def slots_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Every slot in (start, end], as aware datetimes in the schedule's zone."""
        zone = ZoneInfo(self.timezone)
        local_start = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        rule = rrule(
            DAILY,
            byweekday=[DAYS[d] for d in self.days.split(",")],
            byhour=self.at.hour,
            byminute=self.at.minute,
            bysecond=0,
            dtstart=local_start.replace(hour=0, minute=0, second=0, microsecond=0),
        )
        slots = []
        for naive in rule:
            # fold=0: in the repeated hour of a fall-back night, the first 01:30 is the one.
            slot = naive.replace(tzinfo=zone, fold=0)
            if slot > end:
                break
            if slot > start:
                slots.append(slot)
        return slots

    def next_slot(self, after: datetime) -> datetime:
        """The first slot after `after`."""
        return self.slots_between(after, after + timedelta(days=8))[0]

    def latest_slot(self, at: datetime, within: timedelta) -> datetime | None:
        """The most recent slot at or before `at`, if it is no older than `within`."""
        slots = self.slots_between(at - within - timedelta(microseconds=1), at)
        return slots[-1] if slots else None


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_days(word: str) -> str | None:
    """`daily`, `weekdays` or `mon,thu` -> the canonical day list; None if not a days word.

    A day is a name or its start of three letters or more (`thu`, `thurs`, `thursday`,
    `thursdays`, `weds`): `monthly` is no day, not Mondays."""
    word = word.lower()
    if word in ("daily", "everyday"):
        return EVERY_DAY
    if word == "weekdays":
        return WEEKDAYS
    days = [_day(d) for d in word.split(",")]
    if days and all(days):
        return ",".join(sorted(set(days), key=list(DAYS).index))  # type: ignore[arg-type]
    return None


def _day(word: str) -> str | None:
    """`thurs` -> `thu`; None when `word` names no day."""
    for stem in (word, word.removesuffix("s")):  # `mondays`, `weds`
        if len(stem) >= 3:
            found = next((name[:3] for name in _DAY_NAMES if name.startswith(stem)), None)
            if found:
                return found
    return None


def describe_days(days: str) -> str:
    """`daily`, `weekdays`, or the list."""
    return {EVERY_DAY: "daily", WEEKDAYS: "weekdays"}.get(days, days)
