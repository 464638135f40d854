"""The ReadyDesk fake's get_ actions: every documented filter, then order, count and page."""

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from sandbox import readydesk_wire as wire
from sandbox.data import SandboxData
from sandbox.readydesk_query import (
    Listing,
    Query,
    ReadyDeskError,
    Reply,
    in_ranges,
    listing,
    order_of,
    prefix_range,
)
from sandbox.readydesk_records import RDCustomer, RDHistory, RDSchedule, RDTicket
from sandbox.records import fields_of

# -- read actions ------------------------------------------------------------------------------

_TICKET_EXACT = {
    "status": "status",
    "source": "source",
    "category": "category",
    "sub_category": "sub_category",
    "priority": "priority",
    "escalation": "escalation_level",
    "uid": "assigned_tech",
    "group": "assigned_group_name",
    "cid": "cid",
}
_TICKET_FILTERS = {
    *_TICKET_EXACT,
    "keyword",
    "start_tid",
    "end_tid",
    "start_cid",
    "end_cid",
    "start_date",
    "end_date",
    "due_date",
}


def get_tickets(data: SandboxData, query: Query) -> Reply:
    """get_tickets: every documented filter, then order, count and page."""
    tid = query.get("tid", "*")
    filtered = any(query.get(name) for name in _TICKET_FILTERS)
    column, descending = order_of(query, wire.TICKET_ORDER, "tid")
    if tid == "*" and not filtered and column == "tid":
        return _ticket_page_by_number(data, query, descending)
    rows: Iterable[RDTicket]
    if tid != "*":
        exact = query.number("tid")
        rows = [data.tickets[exact]] if exact in data.tickets else []
    else:
        rows = _tickets_in_range(data, query)
    rows = filter(_ticket_filter(query), rows)
    return listing(
        rows,
        query,
        wildcard=tid == "*",
        columns=wire.TICKET_ORDER,
        default="tid",
        shape=wire.TICKETS,
        row=_ticket_row,
    )


def _tickets_in_range(data: SandboxData, query: Query) -> Iterable[RDTicket]:
    """Every ticket, or only those in a start_tid/end_tid range (looked up by number, as a
    database would use its key, rather than scanning every ticket)."""
    start, end = query.number("start_tid"), query.number("end_tid")
    if not start and not end:
        return data.tickets.values()
    low, high = start or 1, end or max(data.tickets, default=0)
    if high - low > len(data.tickets):
        return data.tickets.values()
    return (data.tickets[n] for n in range(low, high + 1) if n in data.tickets)


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
    return Listing(wire.TICKETS, (_ticket_row(data.tickets[t]) for t in chosen))


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
        if (start_cid or end_cid) and not prefix_range(t.cid, start_cid, end_cid):
            return False
        if (start_date and t.date_opened < start_date) or (end_date and t.date_opened > end_date):
            return False
        return not (due and (t.due_date is None or t.due_date.date() != due))

    return matches


def _ticket_row(t: RDTicket) -> dict[str, Any]:
    row = fields_of(t)
    row.update(
        cc_addresses="",
        customer_group_id=0,
        customer_group_name="",
        locked_by="",
        linked_asset="",
        linked_calls="",
        linked_devices="",
        merged="N",
        merged_to="",
        parent_ticket=0,
        children_tickets="",
    )
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
    rows = in_ranges(rows, query, "customer_id", "cid")
    return listing(
        rows,
        query,
        wildcard=cid == "*",
        columns=wire.CUSTOMER_ORDER,
        default="record_id",
        shape=wire.CUSTOMERS,
        row=_customer_row,
    )


def _customer_row(c: RDCustomer) -> dict[str, Any]:
    row = fields_of(c)
    row["id"] = row.pop("record_id")
    row.update(
        password="54DC7880713817A90552AC9C52DAA32AD571F897",  # noqa: S106 - a fake hash
        customer_group_id=0,
        customer_group_name="",
        use_encryption=row.pop("encrypt"),
    )
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
    rows = [r for r in rows if prefix_range(r.name, start, end)]
    return rows, "*" in (record_id, name)


def get_companies(data: SandboxData, query: Query) -> Reply:
    """get_companies: id or name (exact or *), name ranges, paging."""
    rows, wildcard = _by_id_or_name(data.companies.values(), query, "company_id")
    return listing(
        rows,
        query,
        wildcard=wildcard,
        columns=wire.COMPANY_ORDER,
        default="company_id",
        shape=wire.COMPANIES,
        row=lambda c: {"id": c.company_id, "name": c.name, "address": c.address},
    )


def get_tech_groups(data: SandboxData, query: Query) -> Reply:
    """get_tech_groups (seed 003): id or name (exact or *), name ranges, paging."""
    rows, wildcard = _by_id_or_name(data.groups.values(), query, "record_id")
    return listing(
        rows,
        query,
        wildcard=wildcard,
        columns=wire.NAME_ORDER,
        default="record_id",
        shape=wire.TECH_GROUPS,
        row=lambda g: {
            "id": g.record_id,
            "name": g.name,
            "status": g.statuses,
            "category": g.categories,
            "source": g.sources,
        },
    )


def get_techs(data: SandboxData, query: Query) -> Reply:
    """get_techs: id, uid (one, a comma list or *), uid ranges, date added, paging."""
    record_id, uid = query.get("id"), query.get("uid")
    rows: Iterable[Any] = data.techs.values()
    if record_id and record_id != "*":
        wanted = query.number("id")
        rows = [t for t in rows if t.record_id == wanted]
    elif uid and uid != "*":
        rows = [data.techs[u] for u in query.items("uid") if u in data.techs]
    rows = in_ranges(rows, query, "uid", "uid")
    return listing(
        rows,
        query,
        wildcard="*" in (record_id, uid),
        columns=wire.TECH_ORDER,
        default="record_id",
        shape=wire.TECHS,
        row=lambda t: {
            "id": t.record_id,
            "uid": t.uid,
            "name": t.name,
            "group": t.group_ids,
            "email": t.email,
            "phone": t.phone,
            "supervisor": t.supervisor,
            "rights": t.rights,
            "viewable_tickets": t.viewable_tickets,
            "extension": t.extension,
            "date_added": t.date_added,
        },
    )


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
    return Listing(wire.HISTORY, (_history_row(e) for e in entries))


def _history_row(e: RDHistory) -> dict[str, Any]:
    return {
        "id": e.record_id,
        "tid": e.tid,
        "date": e.date,
        "updated_by": e.updated_by,
        "updater_type": e.updater_type,
        "status": e.status,
        "note": e.note,
    }


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
    return listing(
        rows,
        query,
        wildcard="*" in (ids, tids),
        columns=wire.SCHEDULE_ORDER,
        default="record_id",
        shape=wire.SCHEDULES,
        row=_schedule_row,
    )


def _schedule_row(s: RDSchedule) -> dict[str, Any]:
    row = fields_of(s)
    row["id"] = row.pop("record_id")
    return row
