"""An ASGI fake of the ReadyDesk API, following shared/seeds and shared/reference/readydesk-api.md.

Serves `…/API/` and `…/API/default.aspx`, checks `key` (and an optional IP allow-list), dispatches
on `action`, validates as the docs describe (required variables, Y/N and PERSONAL/COMPANY
defaults, 255-character limits), keeps writes in memory, and answers XML by default or JSON /
URL-delimited with `format=json|xml|delimited`. Error replies are invented (the docs never show
one): `<response><error>…</error></response>` with HTTP 200, as the reference suggests. Faults
(latency, status codes, HTML pages, broken bodies, dropped connections) are switched on through
`app.state.faults`.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from itertools import islice
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.readydesk.wire import WireNames
from sandbox.data import (
    Company,
    RDCustomer,
    RDTicket,
    SandboxData,
    seeded,
)
from sandbox.faults import FaultMiddleware, Faults

SANDBOX_KEY = "sandbox-key"
LIMIT = 255

# "URL Encoded: Yes" columns of the output tables in the seeds (and, for the pages whose output
# tables could not be read, the same rule applied to names and free text).
TICKET_ENCODED = {
    "cid", "company_name", "contact", "phone", "email", "cc_addresses", "source", "category",
    "sub_category", "status", "priority", "escalation_level", "updated_by", "assigned_group_name",
    "customer_group_name", "subject", "summary",
}  # fmt: skip
CUSTOMER_ENCODED = {
    "customer_id", "password", "company_name", "contact", "phone", "additional_phone", "email",
    "additional_email", "address", "city", "state", "zip", "country", "customer_group_name",
    "notes",
}  # fmt: skip
COMPANY_ENCODED = {"name", "address", "city", "state", "zip", "country", "phone", "email"}
TECH_ENCODED = {"uid", "name", "email", "phone", "extension"}
GROUP_ENCODED = {"name"}
HISTORY_ENCODED = {"updated_by", "status", "note"}
SCHEDULE_ENCODED = {"title", "category"}

TICKET_ORDER = {
    "TID": "tid", "CID": "cid", "DATE_OPENED": "date_opened", "LAST_UPDATED": "last_updated",
    "STATUS": "status", "PRIORITY": "priority", "SUBJECT": "subject", "DUE_DATE": "due_date",
}  # fmt: skip
CUSTOMER_ORDER = {"ID": "record_id", "CID": "customer_id", "CONTACT": "contact"}
NAME_ORDER = {"ID": "record_id", "NAME": "name"}
COMPANY_ORDER = {"ID": "company_id", "NAME": "name"}
TECH_ORDER = {"ID": "record_id", "UID": "uid", "NAME": "name"}
SCHEDULE_ORDER = {"ID": "record_id", "TITLE": "title", "START_DATE": "start_date"}


class ReadyDeskError(Exception):
    """An error reply; the text is what the fake's `<error>` element says."""


class Listing:
    """A list reply: `<root><record>…</record>…</root>` with its URL-encoded field names."""

    def __init__(self, root: str, record: str, rows: Iterable[dict[str, Any]], encoded: set[str]):
        self.root, self.record, self.rows, self.encoded = root, record, list(rows), encoded


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


def wire_value(value: Any) -> str:
    """A stored Python value in ReadyDesk's output form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        hour = value.hour % 12 or 12
        meridiem = "AM" if value.hour < 12 else "PM"
        return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {meridiem}"
    if isinstance(value, list):
        return ",".join(wire_value(v) for v in value)
    return str(value)


def parse_date(text: str, name: str = "date") -> datetime:
    """`4/24/2014 10:42:43 AM`, `2/1/2014 00:00:00` or `04/01/2014`."""
    for fmt in (
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y",
    ):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ReadyDeskError(f"Invalid value for {name}: not a date")


# -- shared list machinery ---------------------------------------------------------------------


def _prefix_range(value: str, start: str | None, end: str | None) -> bool:
    """ReadyDesk's start_/end_ text ranges: from `start` on, up to names beginning with `end`."""
    low = value.lower()
    if start and low < start.lower():
        return False
    return not (end and low[: len(end)] > end.lower())


def _in_ranges(rows: Iterable[Any], query: Query, attr: str, variable: str) -> list[Any]:
    """Rows inside start_/end_<variable> (prefix range on `attr`) and start_/end_date (added)."""
    start, end = query.get(f"start_{variable}") or None, query.get(f"end_{variable}") or None
    start_date, end_date = query.date("start_date"), query.date("end_date")
    return [
        r
        for r in rows
        if _prefix_range(getattr(r, attr), start, end)
        and not (start_date and r.date_added < start_date)
        and not (end_date and r.date_added > end_date)
    ]


def _order(query: Query, columns: dict[str, str], default: str) -> tuple[str, bool]:
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


def _sorted(rows: Iterable[Any], column: str, descending: bool) -> list[Any]:
    return sorted(
        rows,
        key=lambda r: (getattr(r, column) is None, getattr(r, column) or ""),
        reverse=descending,
    )


def _page(rows: Iterable[Any], query: Query, wildcard: bool) -> Iterator[Any]:
    count, page = query.number("count"), query.number("page")
    if page is not None:
        if not wildcard or count is None:
            raise ReadyDeskError("Paging requires a wildcard (*) and the count variable")
        if page < 1:
            raise ReadyDeskError("Invalid value for page: must be 1 or more")
        return islice(rows, (page - 1) * count, page * count)
    return islice(rows, count) if count is not None else iter(rows)


def _listing(
    rows: Iterable[Any],
    query: Query,
    *,
    wildcard: bool,
    columns: dict[str, str],
    default: str,
    shape: tuple[str, str, set[str]],
    row: Callable[[Any], dict[str, Any]],
) -> Reply:
    """count_only, or order + page + render rows: the tail every get_ action shares."""
    if query.get("count_only", "N").upper() == "Y":
        return sum(1 for _ in rows)
    column, descending = _order(query, columns, default)
    if column != default or descending:
        rows = _sorted(rows, column, descending)
    root, record, encoded = shape
    return Listing(root, record, (row(r) for r in _page(rows, query, wildcard)), encoded)


# -- read actions ------------------------------------------------------------------------------

_TICKET_EXACT = {
    "status": "status", "source": "source", "category": "category",
    "sub_category": "sub_category", "priority": "priority", "escalation": "escalation_level",
    "uid": "assigned_tech", "group": "assigned_group_name", "cid": "cid",
}  # fmt: skip
_TICKET_FILTERS = {
    *_TICKET_EXACT, "keyword", "start_tid", "end_tid", "start_cid", "end_cid", "start_date",
    "end_date", "due_date",
}  # fmt: skip


def get_tickets(data: SandboxData, query: Query) -> Reply:
    """get_tickets: every documented filter, then order, count and page."""
    tid = query.get("tid", "*")
    shape = ("tickets", "ticket", TICKET_ENCODED)
    filtered = any(query.get(name) for name in _TICKET_FILTERS)
    column, descending = _order(query, TICKET_ORDER, "tid")
    if tid == "*" and not filtered and column == "tid":
        return _ticket_page_by_number(data, query, descending)
    rows: Iterable[RDTicket]
    if tid != "*":
        exact = query.number("tid")
        rows = [data.tickets[exact]] if exact in data.tickets else []
    else:
        rows = data.tickets.values()
    rows = filter(_ticket_filter(query), rows)
    return _listing(
        rows, query, wildcard=tid == "*", columns=TICKET_ORDER, default="tid", shape=shape,
        row=_ticket_row,
    )  # fmt: skip


def _ticket_page_by_number(data: SandboxData, query: Query, descending: bool) -> Reply:
    """Unfiltered paging slices the ordered ticket numbers: no scan, whatever the page."""
    ids = data.ticket_ids
    if query.get("count_only", "N").upper() == "Y":
        return len(ids)
    count, page = query.number("count"), query.number("page")
    if page is not None and (count is None or page < 1):
        raise ReadyDeskError("Paging requires a wildcard (*) and the count variable")
    start = (page - 1) * (count or 0) if page else 0
    stop = start + count if count is not None else len(ids)
    if descending:  # the same slice counted from the end, reversed
        chosen = ids[max(0, len(ids) - stop) : max(0, len(ids) - start)][::-1]
    else:
        chosen = ids[start:stop]
    return Listing(
        "tickets", "ticket", (_ticket_row(data.tickets[t]) for t in chosen), TICKET_ENCODED
    )


def _ticket_filter(query: Query) -> Callable[[RDTicket], bool]:
    wanted = {
        attr: query.get(name).lower() for name, attr in _TICKET_EXACT.items() if query.get(name)
    }
    keyword = query.get("keyword").lower()
    start_tid, end_tid = query.number("start_tid"), query.number("end_tid")
    start_cid, end_cid = query.get("start_cid") or None, query.get("end_cid") or None
    start_date, end_date = query.date("start_date"), query.date("end_date")
    due_date = query.date("due_date")
    due = due_date.date() if due_date else None

    def matches(t: RDTicket) -> bool:
        if any(str(getattr(t, attr)).lower() != value for attr, value in wanted.items()):
            return False
        if keyword and keyword not in f"{t.subject} {t.summary}".lower():
            return False
        if (start_tid and t.tid < start_tid) or (end_tid and t.tid > end_tid):
            return False
        if (start_cid or end_cid) and not _prefix_range(t.cid, start_cid, end_cid):
            return False
        if (start_date and t.date_opened < start_date) or (end_date and t.date_opened > end_date):
            return False
        return not (due and (t.due_date is None or t.due_date.date() != due))

    return matches


def _ticket_row(t: RDTicket) -> dict[str, Any]:
    row = asdict(t)
    row.update(
        cc_addresses="", customer_group_id=0, customer_group_name="", locked_by="",
        linked_asset="", linked_calls="", linked_devices="", merged="N", merged_to="",
        parent_ticket=0, children_tickets="",
    )  # fmt: skip
    return row


def get_customers(data: SandboxData, query: Query) -> Reply:
    """get_customers: id (no wildcard), cid (one, a comma list or *), ranges, dates, paging."""
    record_id = query.number("id")
    cid = query.get("cid")
    if record_id is not None:
        rows: Iterable[RDCustomer] = [
            c for c in data.customers.values() if c.record_id == record_id
        ]
    elif cid == "*":
        rows = data.customers.values()
    elif cid:
        rows = [data.customers[c] for c in cid.split(",") if c in data.customers]
    else:
        raise ReadyDeskError("Missing required variable: cid")
    rows = _in_ranges(rows, query, "customer_id", "cid")
    return _listing(
        rows, query, wildcard=cid == "*", columns=CUSTOMER_ORDER, default="record_id",
        shape=("customers", "customer", CUSTOMER_ENCODED), row=_customer_row,
    )  # fmt: skip


def _customer_row(c: RDCustomer) -> dict[str, Any]:
    row = asdict(c)
    row["id"] = row.pop("record_id")
    row.update(
        password="54DC7880713817A90552AC9C52DAA32AD571F897",  # noqa: S106 - a fake hash
        customer_group_id=0, customer_group_name="", use_encryption=row.pop("encrypt"),
    )  # fmt: skip
    return row


def _by_id_or_name(rows: Iterable[Any], query: Query, id_attr: str) -> tuple[list[Any], bool]:
    """The id / name / start_name / end_name selection get_companies and get_tech_groups share."""
    record_id, name = query.get("id"), query.get("name")
    if record_id and record_id != "*":
        wanted = query.number("id")
        rows = [r for r in rows if getattr(r, id_attr) == wanted]
    elif name and name != "*":
        rows = [r for r in rows if r.name.lower() == name.lower()]
    start, end = query.get("start_name") or None, query.get("end_name") or None
    rows = [r for r in rows if _prefix_range(r.name, start, end)]
    return rows, "*" in (record_id, name)


def get_companies(data: SandboxData, query: Query) -> Reply:
    """get_companies: id or name (exact or *), name ranges, paging."""
    rows, wildcard = _by_id_or_name(data.companies.values(), query, "company_id")
    return _listing(
        rows, query, wildcard=wildcard, columns=COMPANY_ORDER, default="company_id",
        shape=("companies", "company", COMPANY_ENCODED),
        row=lambda c: asdict(c) | {"id": c.company_id},
    )  # fmt: skip


def get_tech_groups(data: SandboxData, query: Query) -> Reply:
    """get_tech_groups (seed 003): id or name (exact or *), name ranges, paging."""
    rows, wildcard = _by_id_or_name(data.groups.values(), query, "record_id")
    return _listing(
        rows, query, wildcard=wildcard, columns=NAME_ORDER, default="record_id",
        shape=("technician_groups", "group", GROUP_ENCODED),
        row=lambda g: {
            "id": g.record_id, "name": g.name, "status": g.statuses, "category": g.categories,
            "source": g.sources,
        },
    )  # fmt: skip


def get_techs(data: SandboxData, query: Query) -> Reply:
    """get_techs: id, uid (one, a comma list or *), uid ranges, date added, paging."""
    record_id, uid = query.get("id"), query.get("uid")
    rows: Iterable[Any] = data.techs.values()
    if record_id and record_id != "*":
        wanted = query.number("id")
        rows = [t for t in rows if t.record_id == wanted]
    elif uid and uid != "*":
        rows = [data.techs[u] for u in query.items("uid") if u in data.techs]
    rows = _in_ranges(rows, query, "uid", "uid")
    return _listing(
        rows, query, wildcard="*" in (record_id, uid), columns=TECH_ORDER, default="record_id",
        shape=("technicians", "technician", TECH_ENCODED),
        row=lambda t: {
            "id": t.record_id, "uid": t.uid, "name": t.name, "group": t.group_ids,
            "email": t.email, "phone": t.phone, "supervisor": t.supervisor, "rights": t.rights,
            "viewable_tickets": t.viewable_tickets, "extension": t.extension,
            "date_added": t.date_added,
        },
    )  # fmt: skip


def get_history(data: SandboxData, query: Query) -> Reply:
    """get_history: the ticket filters select tickets; their history entries come back."""
    tid = query.get("tid", "*")
    if tid != "*":
        exact = query.number("tid")
        tickets: Iterable[RDTicket] = [data.tickets[exact]] if exact in data.tickets else []
    else:
        tickets = data.tickets.values()
    selected = filter(_ticket_filter(query), tickets)
    entries = (entry for t in selected for entry in data.history.get(t.tid, []))
    count = query.number("count")
    if count is not None:
        entries = islice(entries, count)
    return Listing(
        "history", "entry", (asdict(e) | {"id": e.record_id} for e in entries), HISTORY_ENCODED
    )


def get_schedules(data: SandboxData, query: Query) -> Reply:
    """get_schedules: id and tid (one, a list or *), cid, uid, groups, paging."""
    ids, tids = query.get("id", "*"), query.get("tid", "*")
    rows: Iterable[Any] = data.schedules.values()
    if ids != "*":
        wanted = {int(i) for i in query.items("id") if i.isdigit()}
        rows = [s for s in rows if s.record_id in wanted]
    if tids != "*":
        wanted_t = {int(i) for i in query.items("tid") if i.isdigit()}
        rows = [s for s in rows if wanted_t & set(s.tids)]
    for name, attr in (("cid", "cids"), ("uid", "uids"), ("groups", "groups")):
        value = query.get(name)
        if value and value != "*":
            rows = [s for s in rows if value in getattr(s, attr)]
    return _listing(
        rows, query, wildcard="*" in (ids, tids), columns=SCHEDULE_ORDER, default="record_id",
        shape=("schedules", "schedule", SCHEDULE_ENCODED),
        row=lambda s: asdict(s) | {"id": s.record_id},
    )  # fmt: skip


# -- write actions -----------------------------------------------------------------------------


def add_customer(data: SandboxData, query: Query) -> Reply:
    """add_customer (seed 001)."""
    cid = query.text("cid", required=True)
    assert cid is not None
    if cid in data.customers:
        raise ReadyDeskError(f"Invalid cid: customer ID {cid} already exists")
    company = _company(data, query) or Company(0, "")
    customer = RDCustomer(
        record_id=max((c.record_id for c in data.customers.values()), default=0) + 1,
        customer_id=cid, company_id=company.company_id, company_name=company.name,
        contact="", phone="", email="", address="", city="", state="", zip="", country="",
        date_added=datetime.now().replace(microsecond=0),
    )  # fmt: skip
    _apply_customer(customer, query)
    data.add_customer(customer)
    return {"added_customer": cid}


def update_customer(data: SandboxData, query: Query) -> Reply:
    """update_customer: only the variables supplied change."""
    cid = query.text("cid", required=True)
    customer = data.customers.get(cid or "")
    if customer is None:
        raise ReadyDeskError(f"Customer not found: {cid}")
    company = _company(data, query)
    if company is not None:
        customer.company_id, customer.company_name = company.company_id, company.name
    _apply_customer(customer, query)
    return {"updated_customer": cid}


def _company(data: SandboxData, query: Query) -> Company | None:
    name = query.text("company")
    if not name:
        return None
    if name.lower() == "create_new":
        new_name = query.text("new_company", required=True)
        assert new_name is not None
        company = Company(max(data.companies, default=0) + 1, new_name)
        data.companies[company.company_id] = company
        return company
    company = data.company_by_name(name)
    if company is None:
        raise ReadyDeskError(f"Invalid company: {name} does not exist")
    return company


_CUSTOMER_TEXT = ("contact", "email", "address", "city", "state", "zip", "country", "phone")
_CUSTOMER_LISTS = {
    "email2": "additional_email", "phone2": "additional_phone", "contracts": "support_contracts",
    "sc_start_dates": "sc_start_dates", "selectable_categories": "selectable_categories",
}  # fmt: skip


def _apply_customer(customer: RDCustomer, query: Query) -> None:
    for name in _CUSTOMER_TEXT:
        value = query.text(name)
        if value is not None:
            setattr(customer, name, value)
    query.text("pass")  # validated for length; the fake stores no passwords
    if query.has("notes"):
        customer.notes = query.get("notes")
    for name, attr in _CUSTOMER_LISTS.items():
        if query.has(name):
            setattr(customer, attr, query.get(name))
    for name in ("support", "chat", "encrypt"):
        flag = query.flag(name)
        if flag is not None:
            setattr(customer, name, flag)
    for name in ("viewable_tickets", "viewable_invoices", "viewable_assets"):
        visibility = query.visibility(name)
        if visibility is not None:
            setattr(customer, name, visibility)
    for name in ("latitude", "longitude"):
        if query.get(name):
            try:
                setattr(customer, name, str(float(query.get(name))))
            except ValueError:
                raise ReadyDeskError(f"Invalid value for {name}: must be a number") from None
    if query.get("portal"):
        customer.customer_portal = query.number("portal") if query.get("portal").isdigit() else 1


def add_ticket(data: SandboxData, query: Query, names: WireNames) -> Reply:
    """add_ticket: `cid` required and must exist; lists checked against the configuration."""
    cid = query.text("cid", required=True)
    customer = data.customers.get(cid or "")
    if customer is None:
        raise ReadyDeskError(f"Invalid cid: customer {cid} does not exist")
    now = datetime.now().replace(microsecond=0)
    opened = query.date("open_date") or now
    ticket = RDTicket(
        tid=data.next_ticket_id(), cid=customer.customer_id, company_id=customer.company_id,
        company_name=customer.company_name, contact=customer.contact, phone=customer.phone,
        email=customer.email, date_opened=opened, source="Web Ticketing System",
        category="Other", sub_category="", status="Open", priority="Normal",
        escalation_level="", due_date=None, opened_by="API", last_updated=opened,
        updated_by="API", updater_type="TECH", assigned_tech="", assigned_group_id=0,
        assigned_group_name="", subject="", summary="",
    )  # fmt: skip
    _apply_ticket(data, ticket, query, names)
    data.add_ticket(ticket)
    data.add_history(ticket.tid, opened, "API", "TECH", ticket.status, "Ticket opened.")
    return {"added_ticket": ticket.tid}


def update_ticket(data: SandboxData, query: Query, names: WireNames) -> Reply:
    """update_ticket: the ticket the configured target variable names; only sent fields change."""
    target = names.update_ticket_target
    tid = query.number(target)
    if tid is None:
        raise ReadyDeskError(f"Missing required variable: {target}")
    ticket = data.tickets.get(tid)
    if ticket is None:
        raise ReadyDeskError(f"Ticket not found: {tid}")
    before = ticket.status
    _apply_ticket(data, ticket, query, names)
    ticket.last_updated = datetime.now().replace(microsecond=0)
    if ticket.status != before:
        data.add_history(
            tid,
            ticket.last_updated,
            "API",
            "TECH",
            ticket.status,
            f"Status changed to {ticket.status}.",
        )
    return {"updated_ticket": tid}


def _apply_ticket(data: SandboxData, ticket: RDTicket, query: Query, names: WireNames) -> None:
    statuses = {s for g in data.groups.values() for s in g.statuses}
    categories = {c for g in data.groups.values() for c in g.categories}
    sources = {s for g in data.groups.values() for s in g.sources}
    for name, allowed in (("status", statuses), ("category", categories), ("source", sources)):
        value = query.text(name)
        if value:
            match = next((a for a in allowed if a.lower() == value.lower()), None)
            if match is None:
                raise ReadyDeskError(f"Invalid {name}: {value} is not configured")
            setattr(ticket, name, match)
    for name, attr in (
        ("contact", "contact"), ("phone", "phone"), ("email", "email"),
        ("sub_category", "sub_category"), ("escalation_level", "escalation_level"),
        ("subject", "subject"), (names.ticket_priority, "priority"),
    ):  # fmt: skip
        value = query.text(name)
        if value is not None:
            setattr(ticket, attr, value)
    if query.has(names.ticket_body):
        ticket.summary = query.get(names.ticket_body)
    assigned_to = query.text("assigned_to")
    if assigned_to is not None:
        if assigned_to and assigned_to not in data.techs:
            raise ReadyDeskError(f"Invalid assigned_to: technician {assigned_to} does not exist")
        ticket.assigned_tech = assigned_to
    group = query.text("assigned_group")
    if group:
        found = next(
            (
                g
                for g in data.groups.values()
                if str(g.record_id) == group or g.name.lower() == group.lower()
            ),
            None,
        )
        if found is None:
            raise ReadyDeskError(f"Invalid assigned_group: {group} does not exist")
        ticket.assigned_group_id, ticket.assigned_group_name = found.record_id, found.name
    close_date = query.date("close_date")
    if close_date or (query.has("status") and ticket.status.lower() == "closed"):
        ticket.date_closed = close_date or datetime.now().replace(microsecond=0)
    elif query.has("status"):
        ticket.date_closed = None


def add_history(data: SandboxData, query: Query, names: WireNames) -> Reply:
    """The history-note action (name configurable): `tid` and the note are required."""
    tid = query.number("tid")
    if tid is None:
        raise ReadyDeskError("Missing required variable: tid")
    note = query.text(names.history_note, required=True, limit=None)
    ticket = data.tickets.get(tid)
    if ticket is None:
        raise ReadyDeskError(f"Ticket not found: {tid}")
    uid = query.text("uid") or "API"
    ticket.last_updated = datetime.now().replace(microsecond=0)
    entry = data.add_history(tid, ticket.last_updated, uid, "TECH", ticket.status, note or "")
    return {"added_history": entry.record_id}


def _actions(names: WireNames) -> dict[str, Callable[[SandboxData, Query], Reply]]:
    return {
        "get_tickets": get_tickets,
        "get_customers": get_customers,
        "get_companies": get_companies,
        "get_techs": get_techs,
        "get_tech_groups": get_tech_groups,
        "get_history": get_history,
        "get_schedules": get_schedules,
        "add_customer": add_customer,
        "update_customer": update_customer,
        "add_ticket": lambda d, q: add_ticket(d, q, names),
        "update_ticket": lambda d, q: update_ticket(d, q, names),
        names.history_action: lambda d, q: add_history(d, q, names),
    }


# -- rendering ---------------------------------------------------------------------------------


def _encode_row(row: dict[str, Any], encoded: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "custom_fields":
            out[name] = {quote_plus(k): quote_plus(wire_value(v)) for k, v in value.items()}
        else:
            out[name] = quote_plus(wire_value(value)) if name in encoded else wire_value(value)
    return out


def render(reply: Listing | dict[str, Any], fmt: str) -> tuple[str, str]:
    """(body, media type) of a reply in XML, JSON or URL-delimited form."""
    if isinstance(reply, Listing):
        root, record = reply.root, reply.record
        rows = [_encode_row(r, reply.encoded) for r in reply.rows]
    else:
        root, record, rows = "response", None, [{k: wire_value(v) for k, v in reply.items()}]
    if fmt == "json":
        return json.dumps({root: [_json_row(r) for r in rows]}, indent=1), "application/json"
    if fmt == "delimited":
        return "\n".join(_delimited_row(r) for r in rows), "text/plain"
    return _xml(root, record, rows), "text/xml"


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: [v] if isinstance(v, dict) else v for k, v in row.items()}


def _delimited_row(row: dict[str, Any]) -> str:
    parts = []
    for name, value in row.items():
        if isinstance(value, dict):
            parts.extend(f"{k}={v}" for k, v in value.items())
            parts.append(f"{name}={','.join(value)}")
        else:
            parts.append(f"{name}={value}")
    return "&".join(parts)


def _xml(root: str, record: str | None, rows: Sequence[dict[str, Any]]) -> str:
    def fields(row: dict[str, Any]) -> str:
        out = []
        for name, value in row.items():
            if isinstance(value, dict):
                inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in value.items())
                out.append(f"<{name}>{inner}</{name}>")
            else:
                out.append(f"<{name}>{escape(value)}</{name}>")
        return "".join(out)

    if record is None:
        body = fields(rows[0])
    else:
        body = "".join(f"<{record}>{fields(r)}</{record}>" for r in rows)
    return f'<?xml version="1.0"?>\n<{root}>{body}</{root}>'


# -- the app -----------------------------------------------------------------------------------


def build_readydesk_app(
    data: SandboxData | None = None,
    *,
    key: str = SANDBOX_KEY,
    format_param: str = "format",
    allowed_ips: set[str] | None = None,
    names: WireNames | None = None,
) -> Starlette:
    """The fake ReadyDesk API over `data` (seeded when omitted); faults in `app.state.faults`."""
    store = data if data is not None else seeded()
    actions = _actions(names or WireNames())
    faults = Faults()

    async def endpoint(request: Request) -> Response:
        query = Query(dict(request.query_params))
        fmt = query.get(format_param, "xml").lower()
        try:
            if query.get("key") != key:
                raise ReadyDeskError("Invalid API key")
            client_ip = request.client.host if request.client else ""
            if allowed_ips is not None and client_ip not in allowed_ips:
                raise ReadyDeskError("Your IP address is not allowed to use the API")
            action = actions.get(query.get("action"))
            if action is None:
                raise ReadyDeskError(f"Unknown action: {query.get('action') or '(none)'}")
            reply = action(store, query)
        except ReadyDeskError as err:
            reply = {"error": str(err)}
        if isinstance(reply, int):
            reply = {"count": reply}
        body, media_type = render(reply, fmt)
        return Response(body, media_type=media_type)

    paths = ("/readydesk/API/", "/readydesk/API/default.aspx", "/API/", "/API/default.aspx")
    app = Starlette(
        routes=[Route(p, endpoint, methods=["GET"]) for p in paths],
        middleware=[Middleware(FaultMiddleware, faults=faults)],
    )
    app.state.data = store
    app.state.faults = faults
    return app
