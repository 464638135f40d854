"""What Deskhand may send to ReadyDesk's write actions, validated before a round trip.

Limits and defaults are the seed pages': 255 characters for most strings, Y/N flags,
PERSONAL/COMPANY visibility. A failed check becomes InvalidRequest with one message per field.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Short = Annotated[str, StringConstraints(max_length=255)]
Visibility = Literal["PERSONAL", "COMPANY"]


class WriteInput(BaseModel):
    """Base: unknown variables are refused, so a typo cannot silently do nothing."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CustomerInput(WriteInput):
    """Every variable of add_customer / update_customer (seed 001)."""

    cid: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    company: str | None = None  # an existing company name, or "create_new" with new_company
    new_company: Short | None = None
    contact: Short | None = None
    password: Short | None = Field(None, serialization_alias="pass")
    portal: str | int | None = None
    support: bool | None = None
    chat: bool | None = None
    contracts: list[int] | None = None
    sc_start_dates: list[date] | None = None
    encrypt: bool | None = None
    latitude: float | None = None
    longitude: float | None = None
    selectable_categories: list[str] | None = None
    viewable_tickets: Visibility | None = None
    viewable_invoices: Visibility | None = None
    viewable_assets: Visibility | None = None
    email: Short | None = None
    email2: list[str] | None = None
    address: Short | None = None
    city: Short | None = None
    state: Short | None = None
    zip: Short | None = None
    country: Short | None = None
    phone: Short | None = None
    phone2: list[str] | None = None
    group: str | int | None = None
    notes: str | None = None  # no limit


class TicketInput(WriteInput):
    """The variables of add_ticket / update_ticket; `body` and `priority` travel under the
    configurable wire names (see WireNames), the others under their documented names."""

    cid: Short | None = None  # required by add_ticket
    company: str | int | None = None
    contact: Short | None = None
    phone: Short | None = None
    email: Short | None = None
    source: Short | None = None
    open_date: datetime | None = None
    close_date: datetime | None = None
    category: Short | None = None
    sub_category: Short | None = None
    assigned_to: Short | None = None
    assigned_group: str | int | None = None
    escalation_level: Short | None = None
    status: Short | None = None
    subject: Short | None = None
    customer_group: Short | None = None
    priority: Short | None = None
    body: str | None = None
