"""The variables each ReadyDesk get_ action takes, as typed keyword filters.

A client method takes `**filters: Unpack[TicketFilters]`, so callers keep checked names, and
`api.filters.checked()` refuses a name the action does not know at run time too (a typo must not
reach ReadyDesk, which would ignore it and answer unfiltered).
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, TypedDict

Wildcard = Literal["*"]
Direction = Literal["ASC", "DESC"]
When = date | datetime | str


class Paging(TypedDict, total=False):
    """What every listing action takes: page size, page and order."""

    count: int | None
    page: int | None
    order: str | None
    order_direction: Direction | None


class DateRange(TypedDict, total=False):
    """A range of record dates."""

    start_date: When | None
    end_date: When | None


class TicketFilters(Paging, DateRange, total=False):
    """get_tickets' variables (without `tid` the wildcard `*` is sent)."""

    tid: int | Wildcard | None
    keyword: str | None
    status: str | None
    source: str | None
    category: str | None
    sub_category: str | None
    priority: str | None
    escalation: str | None
    due_date: When | None
    uid: str | None
    group: str | None
    cid: str | None
    start_tid: int | None
    end_tid: int | None
    start_cid: str | None
    end_cid: str | None


class CustomerFilters(Paging, DateRange, total=False):
    """get_customers' variables: a row id, customer ID(s) or a range."""

    id: int | None
    cid: str | Sequence[str] | Wildcard | None
    start_cid: str | None
    end_cid: str | None


class NamedFilters(Paging, total=False):
    """get_companies' and get_tech_groups' variables: a row id, an exact name, `*` or a range."""

    id: int | Wildcard | None
    name: str | None
    start_name: str | None
    end_name: str | None


class TechFilters(Paging, DateRange, total=False):
    """get_techs' variables: a row id, technician ID(s) or a range."""

    id: int | Wildcard | None
    uid: str | Sequence[str] | None
    start_uid: str | None
    end_uid: str | None


class HistoryFilters(DateRange, total=False):
    """get_history's variables: they select tickets, whose history entries come back."""

    tid: int | Wildcard | None
    keyword: str | None
    status: str | None
    uid: str | None
    group: str | None
    cid: str | None
    start_tid: int | None
    end_tid: int | None
    count: int | None


class ScheduleFilters(Paging, total=False):
    """get_schedules' variables: entry id(s), ticket(s), customer, technician or group."""

    id: int | Sequence[int] | Wildcard | None
    tid: int | Sequence[int] | Wildcard | None
    cid: str | None
    uid: str | None
    groups: str | None
