"""An ASGI fake of the ReadyDesk API, following shared/seeds and shared/reference/readydesk-api.md.

Serves `…/API/` and `…/API/default.aspx`, checks `key`, dispatches on `action`, applies the
documented filters and paging, and answers XML by default or JSON / URL-delimited when asked with
`format=json|xml|delimited`. Error replies are invented (the docs never show one):
`<response><error>…</error></response>` with HTTP 200, as the reference suggests.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from itertools import islice
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.data import RDCustomer, RDTicket, SandboxData, seeded

SANDBOX_KEY = "sandbox-key"

# "URL Encoded: Yes" columns of the output tables in the seeds.
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
TICKET_ORDER_COLUMNS = {
    "TID": "tid", "CID": "cid", "DATE_OPENED": "date_opened", "LAST_UPDATED": "last_updated",
    "STATUS": "status", "PRIORITY": "priority", "SUBJECT": "subject", "DUE_DATE": "due_date",
}  # fmt: skip
CUSTOMER_ORDER_COLUMNS = {"ID": "record_id", "CID": "customer_id", "CONTACT": "contact"}


class ReadyDeskError(Exception):
    """An error reply; the text is what the fake's `<error>` element says."""


class Listing:
    """A list reply: `<root><record>…</record>…</root>` with its URL-encoded field names."""

    def __init__(self, root: str, record: str, rows: list[dict[str, Any]], encoded: set[str]):
        self.root, self.record, self.rows, self.encoded = root, record, rows, encoded


def _wire(value: Any) -> str:
    """A stored Python value in ReadyDesk's output form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        hour = value.hour % 12 or 12
        meridiem = "AM" if value.hour < 12 else "PM"
        return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {meridiem}"
    return str(value)


def _parse_date(text: str) -> datetime:
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ReadyDeskError(f"Invalid date: {text}")


def _int(query: dict[str, str], name: str) -> int | None:
    if not query.get(name):
        return None
    try:
        return int(query[name])
    except ValueError:
        raise ReadyDeskError(f"Invalid value for {name}: must be a number") from None


def _prefix_range(value: str, start: str | None, end: str | None) -> bool:
    """ReadyDesk's start_/end_ text ranges: from `start` on, up to names beginning with `end`."""
    low = value.lower()
    if start and low < start.lower():
        return False
    return not (end and low[: len(end)] > end.lower())


def _ordered(
    rows: Iterable[Any], query: dict[str, str], columns: dict[str, str], default: str
) -> Iterable[Any]:
    order = query.get("order", "").strip()
    direction = query.get("order_direction", "ASC").strip().upper()
    if " " in order:
        order, direction = order.rsplit(" ", 1)
        direction = direction.upper()
    if direction not in ("ASC", "DESC"):
        raise ReadyDeskError(f"Invalid order_direction: {direction}")
    column = columns.get(order.upper()) if order else default
    if column is None:
        raise ReadyDeskError(f"Invalid order column: {order}")
    if column == default and direction == "ASC":
        return rows  # already stored in this order: no sort, so paging stays cheap
    return sorted(
        rows,
        key=lambda r: (getattr(r, column) is None, getattr(r, column) or ""),
        reverse=direction == "DESC",
    )


def _page(rows: Iterable[Any], query: dict[str, str], wildcard: bool) -> Iterator[Any]:
    count, page = _int(query, "count"), _int(query, "page")
    if page is not None:
        if not wildcard or count is None:
            raise ReadyDeskError("Paging requires a wildcard (*) and the count variable")
        if page < 1:
            raise ReadyDeskError("Invalid value for page: must be 1 or more")
        return islice(rows, (page - 1) * count, page * count)
    return islice(rows, count) if count is not None else iter(rows)


def get_tickets(data: SandboxData, query: dict[str, str]) -> Listing | int:
    """The get_tickets action: every documented filter, then order, count and page."""
    tid = query.get("tid", "*")
    if tid != "*":
        exact = _int(query, "tid")
        rows: Iterable[RDTicket] = [data.tickets[exact]] if exact in data.tickets else []
    else:
        rows = data.tickets.values()
    rows = filter(_ticket_filter(query), rows)
    if query.get("count_only", "N").upper() == "Y":
        return sum(1 for _ in rows)
    rows = _page(_ordered(rows, query, TICKET_ORDER_COLUMNS, "tid"), query, tid == "*")
    return Listing("tickets", "ticket", [_ticket_row(t) for t in rows], TICKET_ENCODED)


def _ticket_filter(query: dict[str, str]) -> Callable[[RDTicket], bool]:
    exact = {
        "status": "status", "source": "source", "category": "category",
        "sub_category": "sub_category", "priority": "priority", "escalation": "escalation_level",
        "uid": "assigned_tech", "group": "assigned_group_name", "cid": "cid",
    }  # fmt: skip
    wanted = {attr: query[name].lower() for name, attr in exact.items() if query.get(name)}
    keyword = query.get("keyword", "").lower()
    start_tid, end_tid = _int(query, "start_tid"), _int(query, "end_tid")
    start_cid, end_cid = query.get("start_cid"), query.get("end_cid")
    start_date = _parse_date(query["start_date"]) if query.get("start_date") else None
    end_date = _parse_date(query["end_date"]) if query.get("end_date") else None
    due = _parse_date(query["due_date"]).date() if query.get("due_date") else None

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


def get_customers(data: SandboxData, query: dict[str, str]) -> Listing | int:
    """The get_customers action: id (no wildcard), cid (one, a comma list or *), ranges, paging."""
    record_id = _int(query, "id")
    cid = query.get("cid", "")
    if record_id is not None:
        rows: Iterable[RDCustomer] = [
            c for c in data.customers.values() if c.record_id == record_id
        ]
    elif cid == "*":
        rows = data.customers.values()
    elif cid:
        rows = [data.customers[c] for c in cid.split(",") if c in data.customers]
    else:
        raise ReadyDeskError("Missing required variable: cid or id")
    start_cid, end_cid = query.get("start_cid"), query.get("end_cid")
    start_date = _parse_date(query["start_date"]) if query.get("start_date") else None
    end_date = _parse_date(query["end_date"]) if query.get("end_date") else None
    rows = [
        c
        for c in rows
        if _prefix_range(c.customer_id, start_cid, end_cid)
        and not (start_date and c.date_added < start_date)
        and not (end_date and c.date_added > end_date)
    ]
    if query.get("count_only", "N").upper() == "Y":
        return len(rows)
    rows = _page(_ordered(rows, query, CUSTOMER_ORDER_COLUMNS, "record_id"), query, cid == "*")
    return Listing("customers", "customer", [_customer_row(c) for c in rows], CUSTOMER_ENCODED)


def _customer_row(c: RDCustomer) -> dict[str, Any]:
    row = asdict(c)
    row["id"] = row.pop("record_id")
    row.update(
        password="54DC7880713817A90552AC9C52DAA32AD571F897",  # noqa: S106 - a fake hash
        additional_phone="",
        additional_email="", customer_group_id=0, customer_group_name="",
        selectable_categories="", support_contracts="", sc_start_dates="", ticket_num_limit="",
        ticket_time_limit="", chat_num_limit=0, rd_num_limit=0, use_encryption="N",
        latitude="", longitude="",
    )  # fmt: skip
    return row


ACTIONS: dict[str, Callable[[SandboxData, dict[str, str]], Listing | int | dict[str, Any]]] = {
    "get_tickets": get_tickets,
    "get_customers": get_customers,
}


# -- rendering ---------------------------------------------------------------------------------


def _encode_row(row: dict[str, Any], encoded: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "custom_fields":
            out[name] = {quote_plus(k): quote_plus(_wire(v)) for k, v in value.items()}
        else:
            out[name] = quote_plus(_wire(value)) if name in encoded else _wire(value)
    return out


def render(reply: Listing | dict[str, Any], fmt: str) -> tuple[str, str]:
    """(body, media type) of a reply in XML, JSON or URL-delimited form."""
    if isinstance(reply, Listing):
        root, record = reply.root, reply.record
        rows = [_encode_row(r, reply.encoded) for r in reply.rows]
    else:
        root, record, rows = "response", None, [{k: _wire(v) for k, v in reply.items()}]
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


def _xml(root: str, record: str | None, rows: list[dict[str, Any]]) -> str:
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
) -> Starlette:
    """The fake ReadyDesk API as an ASGI app, over `data` (seeded when omitted)."""
    store = data if data is not None else seeded()

    async def endpoint(request: Request) -> Response:
        query = dict(request.query_params)
        fmt = query.get(format_param, "xml").lower()
        try:
            reply = _dispatch(store, query, request, key=key, allowed_ips=allowed_ips)
        except ReadyDeskError as err:
            reply = {"error": str(err)}
        if isinstance(reply, int):
            reply = {"count": reply}
        body, media_type = render(reply, fmt)
        return Response(body, media_type=media_type)

    paths = ("/readydesk/API/", "/readydesk/API/default.aspx", "/API/", "/API/default.aspx")
    app = Starlette(routes=[Route(p, endpoint, methods=["GET"]) for p in paths])
    app.state.data = store
    return app


def _dispatch(
    store: SandboxData,
    query: dict[str, str],
    request: Request,
    *,
    key: str,
    allowed_ips: set[str] | None,
) -> Listing | int | dict[str, Any]:
    if query.get("key") != key:
        raise ReadyDeskError("Invalid API key")
    if allowed_ips is not None and (
        request.client is None or request.client.host not in allowed_ips
    ):
        raise ReadyDeskError("Your IP address is not allowed to use the API")
    action = query.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        raise ReadyDeskError(f"Unknown action: {action or '(none)'}")
    return handler(store, query)
