"""Deterministic seeded data for the sandbox fakes, dated around a given day (today by default).

The same seed and day always give the same world; another day gives the same world moved in
time, so the newest tickets are always from the last hours, some are due today, some overdue.
"""

import functools
import pickle
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.clock import real_now
from sandbox.names import (
    CATEGORIES,
    CITIES,
    COMPANY_WORDS,
    ESCALATION_LEVELS,
    FIRST_NAMES,
    GROUPS,
    LAST_NAMES,
    PLACES,
    PRIORITIES,
    SOURCES,
    STATUSES,
    STREETS,
    SUBJECTS,
    SUMMARIES,
    TECHNICIANS,
    WEASEL_WORKS,
)
from sandbox.readydesk_records import (
    EPOCH,
    Company,
    RDCustomer,
    RDGroup,
    RDHistory,
    RDSchedule,
    RDTech,
    RDTicket,
)

TICKET_GAP = timedelta(minutes=173)  # between one seeded ticket's opening and the next's
# The newest seeded ticket opens by this time of the world's day, so `opened:24h` finds some at
# any hour of it; later in the day the world's ticker (sandbox/world.py) adds new ones.
NEWEST_BY = time(6)


@dataclass
class SandboxData:
    """The fake ReadyDesk's whole database, in memory; tickets are kept in ticket-number order."""

    companies: dict[int, Company] = field(default_factory=dict)
    customers: dict[str, RDCustomer] = field(default_factory=dict)
    tickets: dict[int, RDTicket] = field(default_factory=dict)
    ticket_ids: list[int] = field(default_factory=list)  # ascending, for O(page) paging
    techs: dict[str, RDTech] = field(default_factory=dict)
    groups: dict[int, RDGroup] = field(default_factory=dict)
    history: dict[int, list[RDHistory]] = field(default_factory=dict)
    schedules: dict[int, RDSchedule] = field(default_factory=dict)
    history_count: int = 0
    # The help desk's clock (aware) and time zone: ReadyDesk writes its dates as local times.
    clock: Callable[[], datetime] = real_now
    timezone: str = "UTC"

    def now(self) -> datetime:
        """The help desk's wall-clock time, naive and to the second, as ReadyDesk writes it."""
        local = self.clock().astimezone(ZoneInfo(self.timezone))
        return local.replace(tzinfo=None, microsecond=0)

    def add_customer(self, customer: RDCustomer) -> RDCustomer:
        """Store a customer (replacing one with the same ID)."""
        self.customers[customer.customer_id] = customer
        return customer

    def add_ticket(self, ticket: RDTicket) -> RDTicket:
        """Store a new ticket; its number must be above every existing one."""
        if self.ticket_ids and ticket.tid <= self.ticket_ids[-1]:
            raise ValueError("ticket numbers only grow")
        self.tickets[ticket.tid] = ticket
        self.ticket_ids.append(ticket.tid)
        return ticket

    def next_ticket_id(self) -> int:
        """The number the next new ticket gets."""
        return (self.ticket_ids[-1] if self.ticket_ids else 0) + 1

    def add_history(
        self, tid: int, when: datetime, by: str, kind: str, status: str, note: str
    ) -> RDHistory:
        """Append an entry to a ticket's history."""
        self.history_count += 1
        entry = RDHistory(self.history_count, tid, when, by, kind, status, note)
        self.history.setdefault(tid, []).append(entry)
        return entry

    def company_by_name(self, name: str) -> Company | None:
        """The company with exactly this name (case-insensitive), if any."""
        wanted = name.lower()
        return next((c for c in self.companies.values() if c.name.lower() == wanted), None)


# The largest world kept pickled for the next call: the usual few hundred tickets are asked for
# again and again, a scale test's fifty thousand once.
KEPT_TICKETS = 5_000


def seeded(
    tickets: int = 300,
    customers: int = 120,
    seed: int = 34,
    *,
    today: date | None = None,
) -> SandboxData:
    """A realistic help desk around `today` (the real date when omitted): companies, customers
    (`demo` first, Weasel Works second) and tickets numbered from 1, one every three hours or so
    up to early that day, with due dates from the past week to the next ten days. Each call
    gets a world of its own to change."""
    if tickets > KEPT_TICKETS:  # drawn once, and a copy would cost twice the drawing
        return _drawn_world(tickets, customers, seed, today or date.today())
    frozen = _frozen_world(tickets, customers, seed, today or date.today())
    return pickle.loads(frozen)  # noqa: S301 (bytes this process pickled itself, just below)


@functools.lru_cache(maxsize=8)
def _frozen_world(tickets: int, customers: int, seed: int, today: date) -> bytes:
    """The world `seeded` describes, pickled: its arguments decide it entirely, and a copy
    from these bytes costs a third of drawing it again (every sandbox, console and served test
    starts from one)."""
    return pickle.dumps(_drawn_world(tickets, customers, seed, today))


def _drawn_world(tickets: int, customers: int, seed: int, today: date) -> SandboxData:
    rng = random.Random(seed)
    newest = datetime.combine(today, NEWEST_BY)
    first_opened = newest - TICKET_GAP * tickets - timedelta(minutes=120)
    joined = datetime.combine(first_opened.date(), EPOCH.time())
    data = SandboxData()
    company_count = max(1, customers // 4)
    data.companies[1] = Company(1, "Demo Company", "123 Demo Street")
    for company_id in range(2, company_count + 1):
        name = f"{rng.choice(COMPANY_WORDS[0])} {rng.choice(COMPANY_WORDS[1])} {company_id}"
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
            date_added=joined,
        )
    )
    for record_id in range(2, customers + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = data.companies[rng.randint(1, company_count)]
        city, state, zip_prefix = rng.choice(CITIES)
        data.add_customer(
            RDCustomer(
                record_id=record_id,
                customer_id=f"{first[0]}{last}{record_id}".lower(),
                company_id=company.company_id,
                company_name=company.name,
                contact=f"{first} {last}",
                phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                email=f"{first}.{last}{record_id}@example.com".lower(),
                address=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                city=city,
                state=state,
                zip=f"{zip_prefix}{rng.randint(10, 99)}",
                date_added=joined - timedelta(days=rng.randint(30, 900)),
                support=rng.random() > 0.05,
            )
        )
    _make_weasel_works(data)
    for record_id, (uid, name, group_id) in enumerate(TECHNICIANS, start=1):
        email = f"{uid}@helpdesk.example"
        data.techs[uid] = RDTech(record_id, uid, name, [group_id], email=email, date_added=joined)
    data.techs["guest"].rights = "Admin"
    categories = list(CATEGORIES)
    for group_id, name in GROUPS:
        data.groups[group_id] = RDGroup(group_id, name, list(STATUSES), categories, list(SOURCES))
    customer_list = list(data.customers.values())
    for tid in range(1, tickets + 1):
        slot = first_opened + TICKET_GAP * tid
        ticket = data.add_ticket(_ticket(rng, tid, rng.choice(customer_list), slot, newest))
        data.add_history(
            tid, ticket.date_opened, ticket.opened_by, "CUSTOMER", "Open", "Ticket opened."
        )
        if ticket.status != "Open":
            note = f"Status changed to {ticket.status}."
            data.add_history(
                tid, ticket.last_updated, ticket.updated_by, "TECH", ticket.status, note
            )
    for record_id in range(1, min(tickets, 40) + 1):
        ticket = data.tickets[rng.randint(1, tickets)]
        data.schedules[record_id] = RDSchedule(
            record_id=record_id,
            title=f"On-site visit: {ticket.subject}",
            start_date=ticket.date_opened + timedelta(days=1),
            end_date=ticket.date_opened + timedelta(days=1, hours=2),
            category=ticket.category,
            tids=[ticket.tid],
            cids=[ticket.cid],
            uids=[ticket.assigned_tech or "bob"],
            groups=[ticket.assigned_group_name],
        )
    return data


def _make_weasel_works(data: SandboxData) -> None:
    """The second customer becomes the README's Weasel Works, a company of its own (its random
    draws were made all the same, so the rest of the world is what it would have been)."""
    customer = next((c for c in data.customers.values() if c.record_id == 2), None)
    if customer is None:
        return
    company = Company(max(data.companies) + 1, WEASEL_WORKS["company_name"], "42 Burrow Lane")
    data.companies[company.company_id] = company
    old_id = customer.customer_id
    for name, value in WEASEL_WORKS.items():
        setattr(customer, name, value)
    customer.company_id = company.company_id
    # Same place in the order (Kickserv's customers are made from the first ones).
    data.customers = {
        (customer.customer_id if cid == old_id else cid): c for cid, c in data.customers.items()
    }


def _ticket(
    rng: random.Random, tid: int, customer: RDCustomer, slot: datetime, newest: datetime
) -> RDTicket:
    opened = slot + timedelta(minutes=rng.randint(0, 120))
    status = rng.choices(STATUSES, weights=(4, 3, 2, 1, 4))[0]
    uid, _, group_id = rng.choice(TECHNICIANS)
    category = rng.choice(list(CATEGORIES))
    updated = min(opened + timedelta(hours=rng.randint(1, 72)), newest)  # nothing in the future
    return RDTicket.for_customer(
        customer,
        tid=tid,
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
        subject=rng.choice(SUBJECTS).format(place=rng.choice(PLACES)),
        summary=rng.choice(SUMMARIES),
        date_closed=updated if status == "Closed" else None,
        custom_fields={"Contract_Number": f"C-{rng.randint(1000, 9999)}", "Site": ""},
    )
