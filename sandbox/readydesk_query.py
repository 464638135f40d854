"""The ReadyDesk fake's request side: the query variables, validation, and the list machinery
(ranges, order, paging) every get_ action shares."""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from sandbox import readydesk_wire as wire
from sandbox.readydesk_wire import Shape

SANDBOX_KEY = "sandbox-key"
LIMIT = 255


class ReadyDeskError(Exception):
    """An error reply; the text is what the fake's `<error>` element says."""


class Listing:
    """A list reply: rows keyed by the wire names of their `shape`."""

    def __init__(self, shape: Shape, rows: Iterable[dict[str, Any]]) -> None:
        self.shape, self.rows = shape, list(rows)


Reply = Listing | int | dict[str, Any]


class Query:
    """The request's variables, with the validation the docs describe."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, name: str, default: str = "") -> str:
        """The raw value, or `default`."""
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        """True when the variable was sent at all."""
        return name in self.values

    def text(self, name: str, *, required: bool = False, limit: int | None = LIMIT) -> str | None:
        """A string variable, enforcing Required and the length limit."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise ReadyDeskError(f"Missing required variable: {name}")
            return None if value is None else ""
        if limit is not None and len(value) > limit:
            raise ReadyDeskError(f"Value too long for {name} ({limit} characters max)")
        return value

    def number(self, name: str) -> int | None:
        """An integer variable."""
        value = self.values.get(name, "")
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise ReadyDeskError(f"Invalid value for {name}: must be a number") from None

    def flag(self, name: str, default: bool = True) -> bool | None:
        """Y/N, case-insensitive; omitted or anything else means the default (docs: Y)."""
        if name not in self.values:
            return None
        return {"Y": True, "N": False}.get(self.values[name].strip().upper(), default)

    def visibility(self, name: str) -> str | None:
        """PERSONAL/COMPANY, case-insensitive; anything else means PERSONAL."""
        if name not in self.values:
            return None
        value = self.values[name].strip().upper()
        return value if value in ("PERSONAL", "COMPANY") else "PERSONAL"

    def date(self, name: str) -> datetime | None:
        """A date/time variable in any of the US forms the docs show."""
        value = self.values.get(name, "").strip()
        return parse_date(value, name) if value else None

    def items(self, name: str) -> list[str]:
        """A comma-separated list variable."""
        return [v.strip() for v in self.values.get(name, "").split(",") if v.strip()]


def parse_date(text: str, name: str = "date") -> datetime:
    """A date/time variable in one of the documented forms, or an error reply naming it."""
    value = wire.parse_date(text)
    if value is None:
        raise ReadyDeskError(f"Invalid value for {name}: not a date")
    return value


# -- shared list machinery ---------------------------------------------------------------------


def prefix_range(value: str, start: str | None, end: str | None) -> bool:
    """ReadyDesk's start_/end_ text ranges: from `start` on, up to names beginning with `end`."""
    low = value.lower()
    if start and low < start.lower():
        return False
    return not (end and low[: len(end)] > end.lower())


def in_ranges(rows: Iterable[Any], query: Query, attr: str, variable: str) -> list[Any]:
    """Rows inside start_/end_<variable> (prefix range on `attr`) and start_/end_date (added)."""
    start, end = query.get(f"start_{variable}") or None, query.get(f"end_{variable}") or None
    start_date, end_date = query.date("start_date"), query.date("end_date")
    return [
        r
        for r in rows
        if prefix_range(getattr(r, attr), start, end)
        and not (start_date and r.date_added < start_date)
        and not (end_date and r.date_added > end_date)
    ]


def order_of(query: Query, columns: dict[str, str], default: str) -> tuple[str, bool]:
    """(attribute, descending) from `order` ("TID DESC" or with order_direction); whitelisted."""
    order = query.get("order").strip()
    direction = query.get("order_direction", "ASC").strip().upper()
    if " " in order:
        order, direction = order.rsplit(" ", 1)
        direction = direction.upper()
    if direction not in ("ASC", "DESC"):
        raise ReadyDeskError(f"Invalid value for order_direction: {direction}")
    column = columns.get(order.upper()) if order else default
    if column is None:
        raise ReadyDeskError(f"Invalid order column: {order}")
    return column, direction == "DESC"


def sort_rows(rows: Iterable[Any], column: str, descending: bool) -> list[Any]:
    """`rows` ordered by `column` as ReadyDesk orders them: empty values last."""
    return sorted(
        rows,
        key=lambda r: (getattr(r, column) is None, getattr(r, column) or ""),
        reverse=descending,
    )


def page_of(rows: Iterable[Any], query: Query, wildcard: bool) -> Iterator[Any]:
    """The page of `rows` the query's `page` and `count` ask for (all of them without
    `page`); ReadyDeskError for paging without the wildcard and a count."""
    count, page = query.number("count"), query.number("page")
    if page is not None:
        if not wildcard or count is None:
            raise ReadyDeskError("Paging requires a wildcard (*) and the count variable")
        if page < 1:
            raise ReadyDeskError("Invalid value for page: must be 1 or more")
        return islice(rows, (page - 1) * count, page * count)
    return islice(rows, count) if count is not None else iter(rows)


def listing(
    rows: Iterable[Any],
    query: Query,
    *,
    wildcard: bool,
    columns: dict[str, str],
    default: str,
    shape: Shape,
    row: Callable[[Any], dict[str, Any]],
) -> Reply:
    """count_only, or order + page + render rows: the tail every get_ action shares."""
    if query.get("count_only", "N").upper() == "Y":
        return sum(1 for _ in rows)
    column, descending = order_of(query, columns, default)
    if column != default or descending:
        rows = sort_rows(rows, column, descending)
    return Listing(shape, (row(r) for r in page_of(rows, query, wildcard)))
