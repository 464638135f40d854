"""Deterministic seeded data for the sandbox fakes: the same seed always gives the same world."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

STATUSES = ("Open", "Assigned", "Awaiting Response", "Escalated", "Closed")
PRIORITIES = ("Low", "Normal", "High", "Urgent")
SOURCES = ("Email", "Customer Call", "Customer Portal", "Web Ticketing System", "Live Support Chat")
CATEGORIES = {
    "Hardware": ("Printer", "Laptop", "Network Device"),
    "Software": ("Email", "Accounting", "Operating System"),
    "Network": ("VPN", "Wi-Fi", "Internet"),
    "Other": ("",),
}
ESCALATION_LEVELS = ("", "", "", "Level 1", "Level 2")
GROUPS = ((1, "Tier 1"), (2, "Field Services"), (3, "Network Team"))
TECHNICIANS = (
    ("guest", "Guest Technician", 1),
    ("alice", "Alice Moreno", 1),
    ("bob", "Bob Okafor", 2),
    ("carol", "Carol Nguyen", 3),
    ("dmitri", "Dmitri Volkov", 2),
)
_SUBJECTS = (
    "Printer offline in {place}",
    "VPN drops every hour",
    "Cannot send email from {place}",
    "Laptop will not boot after update",
    "Wi-Fi slow in {place}",
    "Accounting software licence expired",
    "New starter needs an account",
    "Phone system crackling on line 2",
    "Backup job failed overnight",
    "Shared drive permissions for {place}",
)
_PLACES = ("reception", "the warehouse", "accounts", "the back office", "site B", "the showroom")
_SUMMARIES = (
    "Customer reports the problem started this morning. Restarting did not help.",
    "Second time this week. They need it fixed before the end of the day.",
    "Happens intermittently; the user has screenshots if needed.",
    "Affects the whole team. Please call the office manager before visiting.",
)
_FIRST = ("John", "Maria", "Wei", "Aisha", "Tom", "Priya", "Lars", "Fatima", "Diego", "Hannah")
_LAST = ("Smith", "Garcia", "Chen", "Khan", "Brown", "Patel", "Jensen", "Ali", "Lopez", "Fischer")
_COMPANY_WORDS = (
    ("Acme", "Blue Ridge", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor"),
    ("Dental", "Plumbing", "Logistics", "Bakery", "Law Group", "Motors", "Realty", "Clinic"),
)
_STREETS = ("Peachtree St", "Oak Ave", "Main St", "Pine Rd", "Maple Dr", "Elm Ct")
_CITIES = (("Atlanta", "GA", "303"), ("Lansing", "MI", "489"), ("Austin", "TX", "787"))
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


@dataclass
class SandboxData:
    """The fake ReadyDesk's whole database, in memory; tickets are kept in ticket-number order."""

    companies: dict[int, Company] = field(default_factory=dict)
    customers: dict[str, RDCustomer] = field(default_factory=dict)
    tickets: dict[int, RDTicket] = field(default_factory=dict)

    def add_customer(self, customer: RDCustomer) -> RDCustomer:
        """Store a customer (replacing one with the same ID)."""
        self.customers[customer.customer_id] = customer
        return customer


def seeded(tickets: int = 300, customers: int = 120, seed: int = 34) -> SandboxData:
    """A realistic help desk: companies, customers (`demo` first) and tickets numbered from 1."""
    rng = random.Random(seed)
    data = SandboxData()
    company_count = max(1, customers // 4)
    data.companies[1] = Company(1, "Demo Company", "123 Demo Street")
    for company_id in range(2, company_count + 1):
        name = f"{rng.choice(_COMPANY_WORDS[0])} {rng.choice(_COMPANY_WORDS[1])} {company_id}"
        data.companies[company_id] = Company(company_id, name)
    data.add_customer(
        RDCustomer(
            record_id=1,
            customer_id="demo",
            company_id=1,
            company_name="Demo Company",
            contact="John Smith",
            phone="404-000-0000",
            email="John.Smith@DemoCompany.com",
            address="123 Demo Street",
            city="Atlanta",
            state="GA",
            zip="30318",
            notes="Key account. Prefers phone calls.",
        )
    )
    for record_id in range(2, customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company = data.companies[rng.randint(1, company_count)]
        city, state, zip_prefix = rng.choice(_CITIES)
        data.add_customer(
            RDCustomer(
                record_id=record_id,
                customer_id=f"{first[0]}{last}{record_id}".lower(),
                company_id=company.company_id,
                company_name=company.name,
                contact=f"{first} {last}",
                phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                email=f"{first}.{last}{record_id}@example.com".lower(),
                address=f"{rng.randint(1, 999)} {rng.choice(_STREETS)}",
                city=city,
                state=state,
                zip=f"{zip_prefix}{rng.randint(10, 99)}",
                date_added=EPOCH - timedelta(days=rng.randint(30, 900)),
                support=rng.random() > 0.05,
            )
        )
    customer_list = list(data.customers.values())
    for tid in range(1, tickets + 1):
        data.tickets[tid] = _ticket(rng, tid, rng.choice(customer_list))
    return data


def _ticket(rng: random.Random, tid: int, customer: RDCustomer) -> RDTicket:
    opened = EPOCH + timedelta(minutes=tid * 173 + rng.randint(0, 120))
    status = rng.choices(STATUSES, weights=(4, 3, 2, 1, 4))[0]
    uid, _, group_id = rng.choice(TECHNICIANS)
    category = rng.choice(list(CATEGORIES))
    updated = opened + timedelta(hours=rng.randint(1, 72))
    return RDTicket(
        tid=tid,
        cid=customer.customer_id,
        company_id=customer.company_id,
        company_name=customer.company_name,
        contact=customer.contact,
        phone=customer.phone,
        email=customer.email,
        date_opened=opened,
        source=rng.choice(SOURCES),
        category=category,
        sub_category=rng.choice(CATEGORIES[category]),
        status=status,
        priority=rng.choices(PRIORITIES, weights=(2, 5, 2, 1))[0],
        escalation_level=rng.choice(ESCALATION_LEVELS),
        due_date=opened + timedelta(days=rng.randint(1, 10)) if rng.random() < 0.6 else None,
        opened_by=rng.choice(("WEBSITE", "EMAIL", uid)),
        last_updated=updated,
        updated_by=uid,
        updater_type="TECH",
        assigned_tech=uid if status != "Open" else "",
        assigned_group_id=group_id,
        assigned_group_name=dict(GROUPS)[group_id],
        subject=rng.choice(_SUBJECTS).format(place=rng.choice(_PLACES)),
        summary=rng.choice(_SUMMARIES),
        date_closed=updated if status == "Closed" else None,
        custom_fields={"Contract_Number": f"C-{rng.randint(1000, 9999)}", "Site": ""},
    )
