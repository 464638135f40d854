"""The `/tickets` grammar: `key:value` filters people guess right, plus free words.

Values are matched case-insensitively against the help desk's own lists; anything unknown is a
UsageError that says "did you mean …?" and lists the valid choices, never a backend error.
"""

import re
import shlex
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from api.tickets import FilterChoices
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import TicketQuery, ref_value
from handlers.args import UsageError, did_you_mean

GRAMMAR = (
    "Filters: `status:open` (the status named Open) `status:unresolved` (every status but the "
    'closed ones) `priority:high` `tech:jsmith` `tech:me` `tech:none` `group:"Field Team"` '
    "`customer:demo` `category:hardware` `source:email` `due:today|tomorrow|overdue|2026-12-01` "
    "`opened:7d|24h|2026-11-01..2026-11-20`, then any words to search for."
)
KEYS = (
    "status",
    "priority",
    "tech",
    "group",
    "customer",
    "category",
    "source",
    "due",
    "opened",
)
_LIST_KEYS = {
    "status": "statuses",
    "priority": "priorities",
    "tech": "techs",
    "group": "groups",
    "category": "categories",
    "source": "sources",
}
UNRESOLVED = "unresolved"  # the set of every status but the closed ones, not a status of its own
# Slack clients may turn typed quotes into curly ones.
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
TECH_BY_ID = (
    "For someone's tickets use their ReadyDesk technician ID (`tech:bob`), or `tech:me` for "
    "yours; `/deskhand whoami` shows yours."
)
MAX_WORDS = 500
MAX_VALUE = 100
_AGO = re.compile(r"(\d{1,4})([hdw])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class ParsedFilters:
    """`key:value` pairs as typed (keys checked, values not yet) and the free words."""

    pairs: list[tuple[str, str]]
    words: list[str]

    @property
    def wants_me(self) -> bool:
        """True when `tech:me` needs the caller's technician ID."""
        return any(k == "tech" and v.lower() == "me" for k, v in self.pairs)


def split_filters(text: str) -> ParsedFilters:
    """Tokenize (quotes group words) and check each key; values are checked by `resolve`."""
    try:
        tokens = shlex.split(text.translate(_SMART_QUOTES))
    except ValueError:
        raise UsageError("A quote is not closed. " + GRAMMAR) from None
    pairs, words = [], []
    for token in tokens:
        key, sep, value = token.partition(":")
        if not sep or not key or key.startswith(("http", "/")) or not key.isalpha():
            words.append(_search_word(token))
            continue
        key = key.lower()
        if key not in KEYS:
            problem = f"There is no `{escape_mrkdwn(truncate(key, 40))}:` filter."
            keys = [f"{k}:" for k in KEYS]
            raise UsageError(did_you_mean(problem, f"{key}:", keys, "Filters"))
        if not value.strip():
            raise UsageError(f"`{key}:` needs a value, e.g. `{_example(key)}`.")
        pairs.append((key, value.strip()))
    return ParsedFilters(pairs, words)


def resolve(
    parsed: ParsedFilters,
    choices: FilterChoices,
    *,
    now: datetime,
    me: str | None = None,
) -> TicketQuery:
    """The server-ready query: each value replaced by the help desk's own spelling."""
    values: dict[str, object] = {}
    given: set[str] = set()
    for key, value in parsed.pairs:
        if key in given:
            raise UsageError(f"`{key}:` is given twice; use it once.")
        given.add(key)
        if key == "tech" and value.startswith(("@", "<@")):
            shown = escape_mrkdwn(truncate(value, 40))
            raise UsageError(f"`tech:{shown}` is a mention. {TECH_BY_ID}")
        if key == "tech" and value.lower() == "me":
            values["tech"] = me
        elif key == "tech" and value.lower() == "none":
            values["unassigned"] = True
        elif key == "status" and value.lower() == UNRESOLVED:
            values[UNRESOLVED] = True
        elif key in _LIST_KEYS:
            values[key] = _pick(key, value, getattr(choices, _LIST_KEYS[key]))
        elif key == "customer":
            values["customer"] = value
        elif key == "due":
            values.update(_due(value, now))
        else:
            values["opened_from"], values["opened_to"] = _opened(value, now)
    words = " ".join(parsed.words)
    too_long = UsageError(
        f"That search is too long: use at most {MAX_WORDS} characters of words and "
        f"{MAX_VALUE} per filter value."
    )
    if len(words) > MAX_WORDS or any(len(v) > MAX_VALUE for _, v in parsed.pairs):
        raise too_long
    query = TicketQuery(words=words, **values)
    try:
        ref_value(query.model_copy(update={"page": 99_999}))  # it rides in the paging buttons
    except ValueError:
        raise too_long from None  # (only text that JSON must escape heavily gets here)
    return query


def _search_word(token: str) -> str:
    """A free word as searched for; a mention (`@pat`, `@channel`) is refused: no ticket's text
    holds it, so it would only find nothing."""
    if token.startswith(("@", "<@", "<!", "!channel", "!here", "!everyone")):
        shown = escape_mrkdwn(truncate(token, 40))
        raise UsageError(f"`{shown}` is a mention, not a search word. {TECH_BY_ID}")
    return token


def _pick(key: str, typed: str, allowed: list[str]) -> str:
    for value in allowed:
        if value.lower() == typed.lower():
            return value
    plural = _LIST_KEYS[key].capitalize()
    problem = f"There is no {key} `{escape_mrkdwn(truncate(typed, 40))}`."
    raise UsageError(did_you_mean(problem, typed, allowed, plural))


def _due(value: str, now: datetime) -> dict[str, object]:
    word = value.lower()
    if word == "overdue":
        return {"overdue": True}
    if word in ("today", "tomorrow"):
        return {"due": now.date() + timedelta(days=1 if word == "tomorrow" else 0)}
    return {"due": _date(value, "due", "due:2026-12-01")}


def _opened(value: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    ago = _AGO.fullmatch(value.lower())
    if ago:
        return now - int(ago.group(1)) * _UNITS[ago.group(2)], None
    start, dots, end = value.partition("..")
    example = "opened:2026-11-01..2026-11-20"
    if not dots:
        day = _date(value, "opened", example)
        return datetime.combine(day, time.min), datetime.combine(day, time.max)
    first = datetime.combine(_date(start, "opened", example), time.min) if start else None
    last = datetime.combine(_date(end, "opened", example), time.max) if end else None
    if first and last and first > last:
        raise UsageError(f"`opened:{escape_mrkdwn(value)}` ends before it starts.")
    return first, last


def _date(value: str, key: str, example: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        shown = escape_mrkdwn(truncate(value, 40))
        raise UsageError(
            f"`{key}:{shown}` is not a date I understand. Use YYYY-MM-DD, e.g. `{example}`"
            + (
                ", or `7d` / `24h` / `2w` for the last days, hours or weeks."
                if key == "opened"
                else ", `today`, `tomorrow` or `overdue`."
            )
        ) from None


def _example(key: str) -> str:
    return {
        "status": "status:open",
        "priority": "priority:high",
        "tech": "tech:me",
        "group": 'group:"Field Team"',
        "customer": "customer:demo",
        "category": "category:hardware",
        "source": "source:email",
        "due": "due:today",
        "opened": "opened:7d",
    }[key]
