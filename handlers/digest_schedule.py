"""The `/digest add` grammar: `<filters and words> at <time> <schedule words>`.

The rule people are told: filters and search words go before `at`; after the time come only
schedule words (`daily`, `weekdays`, days like `mon,thu`, `tz <zone>`, `quiet`). Anything else
after the time is refused, so a misspelt or unsupported word (`fortnightly`) never turns into a
search word or a different schedule.
"""

import difflib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from cards.mrkdwn import escape_mrkdwn, truncate
from handlers.args import UsageError, usage_text
from store.schedules import DAYS, parse_days

SCHEDULE_WORDS = (
    "After the time come only `daily`, `weekdays`, days like `mon,thu`, `tz Europe/Berlin` and "
    "`quiet`; filters and search words go before `at`."
)
RUNSHEET_WORDS = (
    "After the time come only `daily`, `weekdays` or days like `mon,thu`; a run-sheet comes "
    "in the business's time zone."
)
_TIME_FORMAT = "write it as 24-hour HH:MM, e.g. `at 08:00` (or `at 8am`)"
# The schedule starts at the last `at` followed by something with a digit in it (the time, good
# or bad): earlier ones may be search words ("printer at 2nd floor at 08:00").
_AT = re.compile(r"(?i)(?:^|\s)at\s+(?=\S*\d)")
_24H = re.compile(r"(\d{1,2}):(\d{2})")
_12H = re.compile(r"(\d{1,2})(?::(\d{2}))?([ap])\.?m\.?", re.I)
_NAMED = ("daily", "weekdays", "quiet", "tz", *DAYS)


@dataclass(frozen=True)
class ScheduleArgs:
    """What `/digest add` was told, after the kind: filters text and when to post."""

    filters: str
    at_time: str  # HH:MM, 24-hour
    days: str | None  # None: every day
    timezone: str | None  # None: the person's own (checked by `check_zone` once chosen)
    quiet: bool


def parse_schedule(text: str, command: str = "digest") -> ScheduleArgs:
    """Split `status:open at 08:00 weekdays tz Europe/Berlin quiet`; UsageError on a bad part,
    with the usage of `command` (the digest's, or the run-sheet's, which takes no filters)."""
    starts = list(_AT.finditer(text))
    if not starts:
        where = " after the filters" if command == "digest" else ""
        raise UsageError(f"When? Add `at 08:00`{where}. {usage_text(command)}")
    start = starts[-1]
    words = text[start.end() :].split()
    typed = words.pop(0)
    if words and words[0].lower().rstrip(".") in ("am", "pm", "a.m", "p.m"):
        typed += words.pop(0)
    at_time = parse_time(typed)
    days, timezone, quiet = None, None, False
    while words:
        word = words.pop(0)
        lowered = word.lower()
        if command != "digest" and lowered in ("tz", "quiet"):
            shown = escape_mrkdwn(truncate(word, 30))
            raise UsageError(f"`{shown}` is not for a run-sheet. {RUNSHEET_WORDS}")
        if lowered == "tz":
            if not words:
                raise UsageError("`tz` needs a time zone, e.g. `tz Europe/Berlin`.")
            timezone = words.pop(0)
        elif lowered == "quiet":
            quiet = True
        elif (named := parse_days(word)) and days is None:
            days = named
        else:
            raise UsageError(_not_a_schedule_word(word, days, command))
    return ScheduleArgs(
        filters=text[: start.start()].strip(),
        at_time=at_time,
        days=days,
        timezone=timezone,
        quiet=quiet,
    )


def parse_time(typed: str) -> str:
    """`8:30`, `08:30`, `8am`, `8:30pm` -> `08:30` / `20:30`; UsageError naming a bad time."""
    if match := _24H.fullmatch(typed):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 23 and minute <= 59:
            return f"{hour:02d}:{minute:02d}"
    elif match := _12H.fullmatch(typed):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute <= 59:
            hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
            return f"{hour:02d}:{minute:02d}"
    shown = escape_mrkdwn(truncate(typed, 20))
    raise UsageError(f"`{shown}` is not a time of day; {_TIME_FORMAT}.")


def check_zone(name: str) -> None:
    """UsageError unless `name` is an IANA time zone, with the closest one."""
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        guess = f" Did you mean `{close[0]}`?" if close else ""
        raise UsageError(
            f"`{escape_mrkdwn(truncate(name, 40))}` is not a time zone.{guess} "
            "Use a name like `Europe/Berlin` or `America/New_York`."
        ) from None


def _not_a_schedule_word(word: str, days: str | None, command: str) -> str:
    shown = escape_mrkdwn(truncate(word, 30))
    rule = SCHEDULE_WORDS if command == "digest" else RUNSHEET_WORDS
    named = _NAMED if command == "digest" else ("daily", "weekdays", *DAYS)
    if days is not None and parse_days(word):
        return f"Name the days once: `{shown}` comes after another days word. {rule}"
    if "," in word:
        bad = next(d for d in word.split(",") if not parse_days(d))
        return (
            f"`{escape_mrkdwn(truncate(bad, 20))}` is not a day; "
            f"days are {', '.join(f'`{d}`' for d in DAYS)}, e.g. `mon,thu`."
        )
    close = difflib.get_close_matches(word.lower(), named, n=1, cutoff=0.7)
    guess = f" Did you mean `{close[0]}`?" if close else ""
    return f"`{shown}` is not a schedule word.{guess} {rule}"
