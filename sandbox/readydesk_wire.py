"""ReadyDesk's wire as the fake speaks it, written from the documentation, never from the client.

Sources: the seed pages (get_customers, add_customer/update_customer, get_tickets,
get_tech_groups: whole pages with examples) and the reference's notes on the pages it could read
in part. Each name says where it comes from: (seed), (reference) or (inferred) where neither
gives it and the reference's best guess is taken. The client keeps its own copy in api/; when the
two disagree, a test fails, which is the point of keeping them apart.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from sandbox.records import Keyed

# -- transport (reference §1) ------------------------------------------------------------------

# The overview's `/readydesk/API/?key=` and the method pages' `/API/default.aspx?key=`; both are
# the API folder's default document (inferred), so the fake serves all four spellings.
PATHS = ("/readydesk/API/", "/readydesk/API/default.aspx", "/API/", "/API/default.aspx")
KEY = "key"
ACTION = "action"
# The format selector's name and values are NOT FOUND; "Decided for Deskhand" in the reference.
FORMAT_VARIABLE = "format"
XML, JSON, DELIMITED = "xml", "json", "delimited"

# -- action names --------------------------------------------------------------------------------

GET_TICKETS = "get_tickets"  # (seed)
GET_CUSTOMERS = "get_customers"  # (seed)
GET_TECH_GROUPS = "get_tech_groups"  # (seed)
GET_COMPANIES = "get_companies"  # (reference: getcompanies.aspx)
GET_TECHS = "get_techs"  # (reference: gettechs.aspx)
GET_HISTORY = "get_history"  # (reference: gethistory.aspx)
GET_SCHEDULES = "get_schedules"  # (inferred: the page is headed get_kb_articles by mistake)
ADD_CUSTOMER, UPDATE_CUSTOMER = "add_customer", "update_customer"  # (seed)
ADD_TICKET, UPDATE_TICKET = "add_ticket", "update_ticket"  # (reference: addticket.aspx)


class UndocumentedNames(Protocol):
    """The write names no readable page gives; an admin may configure them, so the fake does too."""

    @property
    def history_action(self) -> str:
        """The action that adds a note to a ticket's history."""

    @property
    def history_note(self) -> str:
        """That action's variable holding the note."""

    @property
    def update_ticket_target(self) -> str:
        """The variable naming the ticket an update changes."""

    @property
    def ticket_body(self) -> str:
        """The variable holding a ticket's description in a write."""

    @property
    def ticket_priority(self) -> str:
        """The variable holding a ticket's priority in a write."""


@dataclass(frozen=True)
class Guesses:
    """The fake's defaults for `UndocumentedNames`, each the reference's most likely reading."""

    # (inferred) no add_history page exists; every other entity has an add_<entity> action.
    history_action: str = "add_history"
    # (inferred) NOT FOUND; the history output's text field is guessed as `note` too.
    history_note: str = "note"
    # (inferred) the reference: update_ticket names its ticket "presumably `tid`".
    update_ticket_target: str = "tid"
    # (inferred) NOT FOUND; the reference calls it "the body/description variable". The fake
    # stores it as the ticket's `summary`, the output name get_tickets documents.
    ticket_body: str = "description"
    # (inferred) NOT FOUND for add_ticket; `priority` is get_tickets' filter and output name.
    ticket_priority: str = "priority"


# -- replies -------------------------------------------------------------------------------------

RESPONSE = "response"  # add_/update_ results: <response>, JSON "response": [ {…} ] (seed 001)
ADDED_CUSTOMER, UPDATED_CUSTOMER = "added_customer", "updated_customer"  # (seed)
# (inferred) by analogy with add_company's `added_company` and add_customer's results.
ADDED_TICKET, UPDATED_TICKET, ADDED_HISTORY = "added_ticket", "updated_ticket", "added_history"
# (inferred) count_only's reply is NOT FOUND: one <response> record holding this field.
COUNT = "count"
# (inferred) error replies are NOT FOUND; this is the shape the reference suggests, with
# HTTP 200: <response><error>…</error></response>, {"response":[{"error":"…"}]}, error=….
ERROR = "error"


@dataclass(frozen=True)
class Shape:
    """A list reply: the XML root (also the JSON key), the record element, fields in order."""

    root: str
    record: str
    fields: tuple[str, ...]
    encoded: frozenset[str]


def _shape(root: str, record: str, table: str) -> Shape:
    """`table` lists the output fields in the docs' order; `+` marks "URL Encoded: Yes"."""
    names = table.split()
    return Shape(
        root,
        record,
        tuple(n.rstrip("+") for n in names),
        frozenset(n.rstrip("+") for n in names if n.endswith("+")),
    )


UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote_plus gives back unchanged
CUSTOM_FIELDS = "custom_fields"  # (seed 002) a sub-section of name -> value

TICKETS = _shape(  # (seed 002)
    "tickets",
    "ticket",
    """tid cid+ company_id company_name+ contact+ phone+ email+ cc_addresses+ date_opened
    date_closed source+ category+ sub_category+ status+ priority+ escalation_level+ due_date
    opened_by last_updated updated_by+ updater_type assigned_tech assigned_group_id
    assigned_group_name+ customer_group_id customer_group_name+ locked locked_by linked_asset
    linked_calls linked_devices merged merged_to parent_ticket children_tickets custom_fields+
    subject+ summary+""",
)
CUSTOMERS = _shape(  # (seed 000)
    "customers",
    "customer",
    """id customer_id+ password+ company_id company_name+ contact+ phone+ additional_phone+
    email+ additional_email+ address+ city+ state+ zip+ country+ customer_group_id
    customer_group_name+ status support chat date_added viewable_tickets viewable_invoices
    viewable_assets selectable_categories support_contracts sc_start_dates ticket_num_limit
    ticket_time_limit chat_num_limit rd_num_limit customer_portal use_encryption latitude
    longitude notes+""",
)
TECH_GROUPS = _shape("technician_groups", "group", "id name+ status category source")  # (seed)
# (inferred) The output tables below were cut off: fields follow the matching add_ page's
# inputs, roots the seeds' plural-root/singular-record pattern.
COMPANIES = _shape(
    "companies", "company", "id name+ address+ city+ state+ zip+ country+ phone+ email+ portal"
)
TECHS = _shape(
    "technicians",
    "technician",
    "id uid+ name+ group email+ phone+ supervisor rights viewable_tickets extension+ date_added",
)
HISTORY = _shape("history", "entry", "id tid date updated_by+ updater_type status+ note+")
SCHEDULES = _shape(
    "schedules",
    "schedule",
    "id title+ category+ status tids cids uids groups start_date end_date date_completed recurring",
)

# `order` takes raw database column names (the docs: "examine the database"); the examples
# show TID, CID and ID. The others are the fake's own (inferred), mapped to what they sort by.
TICKET_ORDER = {
    "TID": "tid",
    "CID": "cid",
    "DATE_OPENED": "date_opened",
    "LAST_UPDATED": "last_updated",
    "STATUS": "status",
    "PRIORITY": "priority",
    "SUBJECT": "subject",
    "DUE_DATE": "due_date",
}
CUSTOMER_ORDER = {"ID": "record_id", "CID": "customer_id", "CONTACT": "contact"}
NAME_ORDER = {"ID": "record_id", "NAME": "name"}
COMPANY_ORDER = {"ID": "company_id", "NAME": "name"}
TECH_ORDER = {"ID": "record_id", "UID": "uid", "NAME": "name"}
SCHEDULE_ORDER = {"ID": "record_id", "TITLE": "title", "START_DATE": "start_date"}

# -- values (reference §5) -----------------------------------------------------------------------

# Inputs: US month/day order, as in `04/01/2014` and `2/1/2014 00:00:00`, or the output form.
INPUT_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


def format_date(value: datetime) -> str:
    """The output form: no leading zeros, 12-hour clock, no zone (`3/19/2014 6:56:06 PM`)."""
    hour = value.hour % 12 or 12
    meridiem = "AM" if value.hour < 12 else "PM"
    return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {meridiem}"


def parse_date(text: str) -> datetime | None:
    """A date/time input in any of the documented forms; None when it is none of them."""
    for fmt in INPUT_DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def wire_value(value: Any) -> str:
    """A stored value as ReadyDesk writes it: Y/N flags, US dates, comma lists, all strings."""
    if type(value) is str:  # most values, first: the fake writes thousands a test
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, list):
        return ",".join(wire_value(v) for v in value)
    return str(value)


def encode(value: Any) -> str:
    """A "URL Encoded: Yes" value: spaces as `+` and `@` as `%40`, as .NET's UrlEncode does."""
    text = wire_value(value)
    return text if UNRESERVED.fullmatch(text) else quote_plus(text)


# -- the three formats ---------------------------------------------------------------------------


def render_list(shape: Shape, rows: Iterable[Mapping[str, Any]], fmt: str) -> tuple[str, str]:
    """(body, media type) of a list reply; every row is written in the shape's field order."""
    if fmt == XML:
        body = "".join(_xml_record(shape, row) for row in rows)
        return f"{XML_PROLOG}<{shape.root}>{body}</{shape.root}>", "text/xml"
    return _render(shape.root, shape.record, [_wire_row(shape, row) for row in rows], fmt)


def _xml_record(shape: Shape, row: Mapping[str, Any]) -> str:
    """One record's element; a row whose values cannot be a key is written without the memo."""
    try:
        values = Keyed(tuple(row.values()))
    except TypeError:  # a value no key stands for (see memo_key)
        return _element(shape, row)
    return _xml_row(shape, tuple(row), values)


# Every test's fake starts from the same seeded records, and a directory fill writes all of them:
# a record unchanged since it was last written is written from here (what is written depends
# on the record's field names and values alone).
@lru_cache(maxsize=8192)
def _xml_row(shape: Shape, names: tuple[str, ...], values: Keyed) -> str:
    return _element(shape, dict(zip(names, values.values, strict=True)))


def _element(shape: Shape, row: Mapping[str, Any]) -> str:
    return f"<{shape.record}>{_xml_fields(_wire_row(shape, row))}</{shape.record}>"


def render_response(fields: Mapping[str, Any], fmt: str) -> tuple[str, str]:
    """(body, media type) of a one-record `response` reply: a result, a count or an error."""
    return _render(RESPONSE, None, [{k: wire_value(v) for k, v in fields.items()}], fmt)


def _wire_row(shape: Shape, row: Mapping[str, Any]) -> dict[str, Any]:
    unknown = row.keys() - shape.fields
    if unknown:  # the fake may only say what its table says
        raise ValueError(f"{shape.record} has no field {sorted(unknown)}")
    out: dict[str, Any] = {}
    for name in shape.fields:
        value = row.get(name)
        if name == CUSTOM_FIELDS:
            out[name] = {encode(k): encode(v) for k, v in (value or {}).items()}
        else:
            out[name] = encode(value) if name in shape.encoded else wire_value(value)
    return out


def _render(root: str, record: str | None, rows: list[dict[str, Any]], fmt: str) -> tuple[str, str]:
    if fmt == JSON:
        return json.dumps({root: [_json_row(r) for r in rows]}, indent=1), "application/json"
    if fmt == DELIMITED:
        return "\n".join(_delimited_row(r) for r in rows), "text/plain"
    return _xml(root, record, rows), "text/xml"


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """JSON holds every value as a string, custom_fields as a list of one object (seed 002)."""
    return {k: [v] if isinstance(v, dict) else v for k, v in row.items()}


# The seeds' delimited examples wrap a long record onto lines that begin with `&`; a new record
# starts a line without one (seed 003 shows three records so).
DELIMITED_LINE = 90


def _delimited_row(row: dict[str, Any]) -> str:
    """`name=value` pairs joined by `&`, values as they are (only "Yes" fields are encoded);
    custom field values sit beside a `custom_fields` list of their names (seed 002)."""
    pairs: list[str] = []
    for name, value in row.items():
        if isinstance(value, dict):
            pairs.extend(f"{k}={v}" for k, v in value.items())
            pairs.append(f"{name}={','.join(value)}")
        else:
            pairs.append(f"{name}={value}")
    lines = [pairs[0]] if pairs else []
    for pair in pairs[1:]:
        if len(lines[-1]) >= DELIMITED_LINE:
            lines.append(f"&{pair}")
        else:
            lines[-1] += f"&{pair}"
    return "\n".join(lines)


XML_PROLOG = '<?xml version="1.0"?>\n'


def _xml_fields(row: dict[str, Any]) -> str:
    out = []
    for name, value in row.items():
        if isinstance(value, dict):
            inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in value.items())
            out.append(f"<{name}>{inner}</{name}>")
        else:
            out.append(f"<{name}>{escape(value)}</{name}>")
    return "".join(out)


def _xml(root: str, record: str | None, rows: list[dict[str, Any]]) -> str:
    """The prolog, a plural root and one element per record, or `<response>` with one child."""
    if record is None:
        body = _xml_fields(rows[0])
    else:
        body = "".join(f"<{record}>{_xml_fields(r)}</{record}>" for r in rows)
    return f"{XML_PROLOG}<{root}>{body}</{root}>"
