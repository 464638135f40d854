"""Typed ReadyDesk records. Wire names (`tid`, `cid`) stay at the wire as aliases.

Every field the API pages mark "URL Encoded: Yes" is decoded here, for all three formats.
"""

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
# How ReadyDesk writes nearly every date (the first format above), read without strptime (a
# ticket has four dates, read for every card); anything else strptime reads as before.
_USUAL_DATE = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2}) (AM|PM)"
)


def parse_readydesk_datetime(value: Any) -> datetime | None:
    """`4/24/2014 10:42:43 AM` (server local time, no zone) -> datetime; blank -> None."""
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    if not text:
        return None
    if (usual := _usual_date(text)) is not None:
        return usual
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"not a ReadyDesk date: {text!r}")


def _usual_date(text: str) -> datetime | None:
    """`text` in the usual format, as strptime reads it; None when it is not (or not a date)."""
    match = _USUAL_DATE.fullmatch(text)
    if match is None:
        return None
    month, day, year, hour, minute, second, meridiem = match.groups()
    if not 1 <= int(hour) <= 12 or int(minute) > 59:
        return None  # strptime's %I and %M would refuse it
    try:
        hour24 = int(hour) % 12 + (12 if meridiem == "PM" else 0)
        return datetime(int(year), int(month), int(day), hour24, int(minute), int(second))
    except ValueError:
        return None  # a day or month out of range: strptime says so


def format_readydesk_datetime(value: datetime) -> str:
    """The US form ReadyDesk reads and writes: `4/24/2014 10:42:43 AM`."""
    hour = value.hour % 12 or 12
    meridiem = "AM" if value.hour < 12 else "PM"
    return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {meridiem}"


def parse_yes_no(value: Any) -> bool | None:
    """Y/YES -> True, N/NO -> False, blank -> None (ReadyDesk writes `Y`, once `YES`)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if not text:
        return None
    if text in ("Y", "YES", "TRUE", "1"):
        return True
    if text in ("N", "NO", "FALSE", "0"):
        return False
    raise ValueError(f"not Y/N: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, str) and ("%" in value or "+" in value):
        return unquote_plus(value)
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _decode_mapping(value: Any) -> Any:
    if isinstance(value, dict):
        return {_decode(k): _decode(v) for k, v in value.items()}
    if value in (None, ""):
        return {}
    return value


Encoded = Annotated[str, BeforeValidator(_decode)]
DateTime = Annotated[datetime | None, BeforeValidator(parse_readydesk_datetime)]
YesNo = Annotated[bool | None, BeforeValidator(parse_yes_no)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
OptionalFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
CommaList = Annotated[list[str], BeforeValidator(_split_commas)]
IntList = Annotated[list[int], BeforeValidator(_split_commas)]
DateList = Annotated[
    list[datetime],
    BeforeValidator(
        lambda v: (
            [parse_readydesk_datetime(d) for d in _split_commas(v)] if isinstance(v, str) else v
        )
    ),
]
CustomFields = Annotated[dict[str, str], BeforeValidator(_decode_mapping)]


def is_closed_status(status: str) -> bool:
    """ReadyDesk's closed statuses (the help desk names them; "Closed" by default)."""
    return status.strip().lower() in ("closed", "resolved")


class ReadyDeskModel(BaseModel):
    """Base for ReadyDesk records: built from wire names, read by clear names, immutable."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Ticket(ReadyDeskModel):
    """One help-desk ticket as `get_tickets` describes it."""

    ticket_id: int = Field(alias="tid")
    customer_id: Encoded = Field("", alias="cid")
    company_id: OptionalInt = None
    company_name: Encoded = ""
    contact: Encoded = ""
    phone: Encoded = ""
    email: Encoded = ""
    cc_addresses: Encoded = ""
    opened_at: DateTime = Field(None, alias="date_opened")
    closed_at: DateTime = Field(None, alias="date_closed")
    source: Encoded = ""
    category: Encoded = ""
    sub_category: Encoded = ""
    status: Encoded = ""
    priority: Encoded = ""
    escalation_level: Encoded = ""
    due_at: DateTime = Field(None, alias="due_date")
    opened_by: str = ""
    updated_at: DateTime = Field(None, alias="last_updated")
    updated_by: Encoded = ""
    updater_type: str = ""
    assigned_tech: str = ""
    assigned_group_id: OptionalInt = None
    assigned_group_name: Encoded = ""
    customer_group_id: OptionalInt = None
    customer_group_name: Encoded = ""
    locked: YesNo = None
    locked_by: str = ""
    linked_assets: CommaList = Field(default_factory=list, alias="linked_asset")
    linked_calls: CommaList = Field(default_factory=list)
    linked_devices: CommaList = Field(default_factory=list)
    merged: YesNo = None
    merged_to: OptionalInt = None
    parent_ticket: OptionalInt = None
    children_tickets: IntList = Field(default_factory=list)
    custom_fields: CustomFields = Field(default_factory=dict)
    subject: Encoded = ""
    summary: Encoded = ""

    @property
    def is_closed(self) -> bool:
        """True once ReadyDesk has a close date or the status says closed."""
        return self.closed_at is not None or is_closed_status(self.status)


class CustomerListing(ReadyDeskModel):
    """A help-desk customer as a listing of them is read: the fields the customer directory
    keeps and nothing else, so a value ReadyDesk writes oddly in any other field stops no walk."""

    customer_id: Encoded = Field(alias="customer_id")
    company_name: Encoded = ""
    contact: Encoded = ""
    phone: Encoded = ""
    email: Encoded = ""


class Customer(CustomerListing):
    """One help-desk customer as `get_customers` describes it (the password hash is dropped)."""

    record_id: OptionalInt = Field(None, alias="id")
    company_id: OptionalInt = None
    additional_phone: Encoded = ""
    additional_email: Encoded = ""
    address: Encoded = ""
    city: Encoded = ""
    state: Encoded = ""
    zip: Encoded = ""
    country: Encoded = ""
    customer_group_id: OptionalInt = None
    customer_group_name: Encoded = ""
    status: str = ""
    support: YesNo = None
    chat: YesNo = None
    added_at: DateTime = Field(None, alias="date_added")
    viewable_tickets: str = ""
    viewable_invoices: str = ""
    viewable_assets: str = ""
    selectable_categories: CommaList = Field(default_factory=list)
    support_contracts: IntList = Field(default_factory=list)
    support_contract_start_dates: DateList = Field(default_factory=list, alias="sc_start_dates")
    ticket_num_limit: OptionalInt = None
    ticket_time_limit: OptionalInt = None
    chat_num_limit: OptionalInt = None
    rd_num_limit: OptionalInt = None
    customer_portal: OptionalInt = None
    use_encryption: YesNo = None
    latitude: OptionalFloat = None
    longitude: OptionalFloat = None
    notes: Encoded = ""


# Output fields below this line are NOT in the readable docs (their output tables were cut off);
# names follow the matching add_ page's inputs and the documented pages' conventions. (inferred)


class Company(ReadyDeskModel):
    """A ReadyDesk company (get_companies; fields inferred from add_company's inputs)."""

    company_id: int = Field(alias="id")
    name: Encoded
    address: Encoded = ""
    city: Encoded = ""
    state: Encoded = ""
    zip: Encoded = ""
    country: Encoded = ""
    phone: Encoded = ""
    email: Encoded = ""
    portal: OptionalInt = None


class Technician(ReadyDeskModel):
    """A ReadyDesk technician (get_techs; fields inferred from add_tech; no password)."""

    record_id: OptionalInt = Field(None, alias="id")
    uid: Encoded
    name: Encoded = ""
    group_ids: IntList = Field(default_factory=list, alias="group")
    email: Encoded = ""
    phone: Encoded = ""
    supervisor: str = ""
    rights: str = ""
    viewable_tickets: str = ""
    extension: Encoded = ""
    added_at: DateTime = Field(None, alias="date_added")


class TechGroup(ReadyDeskModel):
    """A technician group and the statuses, categories and sources it may see (get_tech_groups)."""

    group_id: int = Field(alias="id")
    name: Encoded
    statuses: CommaList = Field(default_factory=list, alias="status")
    categories: CommaList = Field(default_factory=list, alias="category")
    sources: CommaList = Field(default_factory=list, alias="source")


class HistoryEntry(ReadyDeskModel):
    """One line of a ticket's history (get_history; fields inferred)."""

    entry_id: OptionalInt = Field(None, alias="id")
    ticket_id: int = Field(alias="tid")
    at: DateTime = Field(None, alias="date")
    updated_by: Encoded = ""
    updater_type: str = ""
    status: Encoded = ""
    note: Encoded = ""


class Schedule(ReadyDeskModel):
    """A calendar entry (get_schedules; fields inferred from add_schedule's inputs)."""

    schedule_id: int = Field(alias="id")
    title: Encoded
    category: Encoded = ""
    status: str = ""  # A active, H on hold, C cancelled, D complete
    ticket_ids: IntList = Field(default_factory=list, alias="tids")
    customer_ids: CommaList = Field(default_factory=list, alias="cids")
    technician_ids: CommaList = Field(default_factory=list, alias="uids")
    groups: CommaList = Field(default_factory=list)
    starts_at: DateTime = Field(None, alias="start_date")
    ends_at: DateTime = Field(None, alias="end_date")
    completed_at: DateTime = Field(None, alias="date_completed")
    recurring: YesNo = None
