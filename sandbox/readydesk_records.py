"""The fake ReadyDesk's records, as it stores them: plain Python values, nothing encoded
(sandbox/readydesk_wire.py writes them as ReadyDesk would). sandbox/data.py seeds them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# A date the records that never change (customers' and technicians' join dates) default to.
EPOCH = datetime(2026, 1, 5, 8, 0, 0)


@dataclass
class Company:
    """A ReadyDesk company."""

    company_id: int
    name: str
    address: str = ""


@dataclass
class RDCustomer:
    """A ReadyDesk customer as the fake stores it (plain Python values, nothing encoded)."""

    record_id: int
    customer_id: str
    company_id: int
    company_name: str
    contact: str
    phone: str
    email: str
    address: str
    city: str
    state: str
    zip: str
    country: str = "USA"
    status: str = "APPROVED"
    support: bool = True
    chat: bool = True
    date_added: datetime = EPOCH
    viewable_tickets: str = "PERSONAL"
    viewable_invoices: str = "PERSONAL"
    viewable_assets: str = "PERSONAL"
    customer_portal: int = 1
    notes: str = ""
    additional_phone: str = ""
    additional_email: str = ""
    selectable_categories: str = ""
    support_contracts: str = ""
    sc_start_dates: str = ""
    ticket_num_limit: str = ""
    ticket_time_limit: str = ""
    chat_num_limit: int = 0
    rd_num_limit: int = 0
    encrypt: bool = False
    latitude: str = ""
    longitude: str = ""


@dataclass
class RDTicket:
    """A ReadyDesk ticket as the fake stores it."""

    tid: int
    cid: str
    company_id: int
    company_name: str
    contact: str
    phone: str
    email: str
    date_opened: datetime
    source: str
    category: str
    sub_category: str
    status: str
    priority: str
    escalation_level: str
    due_date: datetime | None
    opened_by: str
    last_updated: datetime
    updated_by: str
    updater_type: str
    assigned_tech: str
    assigned_group_id: int
    assigned_group_name: str
    subject: str
    summary: str
    date_closed: datetime | None = None
    locked: bool = False
    custom_fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_customer(cls, customer: "RDCustomer", **fields: Any) -> "RDTicket":
        """A ticket of `customer`: its ID, company and contact details copied onto the ticket,
        as ReadyDesk does when a ticket is opened; `fields` are the rest."""
        return cls(
            cid=customer.customer_id,
            company_id=customer.company_id,
            company_name=customer.company_name,
            contact=customer.contact,
            phone=customer.phone,
            email=customer.email,
            **fields,
        )


@dataclass
class RDTech:
    """A ReadyDesk technician."""

    record_id: int
    uid: str
    name: str
    group_ids: list[int]
    email: str = ""
    phone: str = ""
    rights: str = "User"
    viewable_tickets: str = "ALL"
    supervisor: str = ""
    extension: str = ""
    date_added: datetime = EPOCH


@dataclass
class RDGroup:
    """A ReadyDesk technician group and what it may see."""

    record_id: int
    name: str
    statuses: list[str]
    categories: list[str]
    sources: list[str]


@dataclass
class RDHistory:
    """One entry in a ticket's history."""

    record_id: int
    tid: int
    date: datetime
    updated_by: str
    updater_type: str
    status: str
    note: str


@dataclass
class RDSchedule:
    """A calendar entry (ReadyDesk "schedule")."""

    record_id: int
    title: str
    start_date: datetime
    status: str = "A"
    category: str = ""
    tids: list[int] = field(default_factory=list)
    cids: list[str] = field(default_factory=list)
    uids: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    end_date: datetime | None = None
    date_completed: datetime | None = None
    recurring: bool = False
