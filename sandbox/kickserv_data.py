"""Seeded data for the Kickserv fake, describing the same businesses as the ReadyDesk sandbox.

Each Kickserv customer is made from a ReadyDesk sandbox customer and shares its email address,
so Deskhand can match the two systems' records by email.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sandbox.clock import real_now
from sandbox.data import SandboxData, seeded

ACCOUNT_TZ = timezone(timedelta(hours=-5), "EST")
ACCOUNT_ID = 999
JOB_TYPES = {
    24551: "Gutter Cleaning",
    24552: "On-site Support",
    24553: "Network Install",
    24554: "Printer Repair",
    24555: "Cabling",
}
JOB_PRICES = {24551: "180.00", 24552: "95.00", 24553: "1250.00", 24554: "140.00", 24555: "460.50"}
JOB_STATUSES = ("unscheduled", "scheduled", "in_progress", "on_hold", "completed", "canceled")


@dataclass
class KSEmployee:
    """A Kickserv user, including the credential fields the real API leaks."""

    id: int
    employee_number: int
    name: str
    email_address: str
    username: str
    admin: bool = False
    active: bool = True
    password_salt: str = "sandbox-salt-not-secret"  # noqa: S105 - dummy
    encrypted_password: str = "sandbox-hash-not-secret"  # noqa: S105 - dummy
    remember_token: str = "sandbox-token-not-secret"  # noqa: S105 - dummy


@dataclass
class KSCustomer:
    """A Kickserv customer."""

    id: int
    customer_number: int
    name: str
    first_name: str
    last_name: str
    company_name: str
    company: bool
    email: str
    phone_number: str
    service_address: str
    service_city: str
    service_state: str
    service_zip_code: str
    customer_source_id: int | None
    created_at: datetime
    updated_at: datetime
    balance: Decimal = Decimal("0.00")
    special_instructions: str = ""


@dataclass
class KSNote:
    """A note on a customer or a job."""

    id: int
    note: str
    noteable_type: str
    noteable_id: int
    creator_id: int
    created_at: datetime
    updated_at: datetime
    public: bool = False


@dataclass
class KSJob:
    """A job."""

    id: int
    job_number: int
    customer_id: int  # the customer's global id
    name: str
    description: str
    job_type_id: int
    status: str
    scheduled_on: datetime | None
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    balance_remaining: Decimal
    invoice_status: str
    created_at: datetime
    updated_at: datetime
    completed_on: datetime | None = None
    account_id: int = ACCOUNT_ID
    self_service: bool = False


@dataclass
class KSPayment:
    """A payment."""

    id: int
    date: date
    payment_type: str
    amount: Decimal
    customer_id: int
    created_at: datetime
    notes: str = ""
    ref_number: str = ""
    payment_application_ids: list[int] | None = None


@dataclass
class KSInvoice:
    """An invoice for one job."""

    id: int
    invoice_number: int
    customer_id: int
    job_id: int
    invoice_status: str
    total: Decimal
    balance_remaining: Decimal
    due_on: date
    created_at: datetime


@dataclass
class KSTask:
    """A calendar entry on a job, with the employees assigned to it."""

    id: int
    job_id: int  # the job's global id
    customer_id: int
    starts_at: datetime
    ends_at: datetime
    employee_ids: list[int]
    description: str = ""
    task_type_id: int = 1


@dataclass
class KickservData:
    """The fake Kickserv account, in memory."""

    today: date
    customers: dict[int, KSCustomer] = field(default_factory=dict)  # by customer_number
    jobs: dict[int, KSJob] = field(default_factory=dict)  # by job_number
    notes: dict[int, KSNote] = field(default_factory=dict)  # by id
    payments: dict[int, KSPayment] = field(default_factory=dict)
    invoices: dict[int, KSInvoice] = field(default_factory=dict)
    employees: dict[int, KSEmployee] = field(default_factory=dict)
    tasks: dict[int, KSTask] = field(default_factory=dict)
    job_types: dict[int, str] = field(default_factory=lambda: dict(JOB_TYPES))
    _ids: dict[str, int] = field(default_factory=dict)
    clock: Callable[[], datetime] = real_now  # aware; the sandbox's clock when it has one

    def next_id(self, kind: str, start: int) -> int:
        """A fresh id of one kind of record."""
        self._ids[kind] = self._ids.get(kind, start) + 1
        return self._ids[kind]

    def customer_by_global_id(self, global_id: int) -> KSCustomer | None:
        """The customer with this global id."""
        return next((c for c in self.customers.values() if c.id == global_id), None)

    def now(self) -> datetime:
        """The fake's clock in the account's time zone, to the second."""
        return self.clock().astimezone(ACCOUNT_TZ).replace(microsecond=0)


def seeded_kickserv(
    readydesk: SandboxData | None = None,
    *,
    customers: int = 60,
    today: date | None = None,
    seed: int = 86,
) -> KickservData:
    """Customers (from ReadyDesk's, same emails), jobs from three weeks before `today` (the
    account's day now when omitted) to ten days after, notes, payments, invoices."""
    rng = random.Random(seed)
    source = readydesk if readydesk is not None else seeded(today=today)
    data = KickservData(today=today or real_now().astimezone(ACCOUNT_TZ).date())
    data.employees[846787] = KSEmployee(
        846787, 17, "Pat Lee", "pat@fieldcrew.example", "plee", admin=True
    )
    data.employees[846788] = KSEmployee(846788, 18, "Sam Ortiz", "sam@fieldcrew.example", "sortiz")
    created = datetime.combine(data.today - timedelta(days=640), time(9, 12), ACCOUNT_TZ)
    for number, rd in enumerate(list(source.customers.values())[:customers], start=1):
        first, _, last = rd.contact.partition(" ")
        customer = KSCustomer(
            id=5_100_000 + number,
            customer_number=number,
            name=rd.company_name or rd.contact,
            first_name=first,
            last_name=last,
            company_name=rd.company_name,
            company=bool(rd.company_name),
            email=rd.email,
            phone_number=rd.phone,
            service_address=rd.address,
            service_city=rd.city,
            service_state=rd.state,
            service_zip_code=rd.zip,
            customer_source_id=rng.choice((None, 12345, 12346)),
            created_at=created + timedelta(days=number),
            updated_at=created + timedelta(days=number),
        )
        data.customers[number] = customer
        for _ in range(rng.randint(0, 3)):
            _seed_job(data, rng, customer)
    _todays_round(data)
    _sandbox_persons_round(data)
    _recent_callback(data, source)
    for customer in list(data.customers.values())[::3]:
        note_id = data.next_id("note", 24_600)
        when = customer.created_at + timedelta(days=2)
        data.notes[note_id] = KSNote(
            note_id, "All sales NET-30", "Customer", customer.id, 846787, when, when
        )
    _gate_codes(data)
    return data


# Where the sandbox person's jobs go (book_sandbox_person), what a technician needs at the door:
# Kickserv customer notes, which the run-sheet shows (added last, so other ids stay as they were).
GATE_CODES = {3: "Gate code 4417, side gate. Dog in the yard.", 4: "Ring the bell at dock 2."}


def _gate_codes(data: KickservData) -> None:
    for number, text in GATE_CODES.items():
        customer = data.customers.get(number)
        if customer is not None:
            note_id = data.next_id("note", 24_600)
            when = customer.created_at + timedelta(days=3)
            data.notes[note_id] = KSNote(note_id, text, "Customer", customer.id, 846787, when, when)


def _seed_job(data: KickservData, rng: random.Random, customer: KSCustomer) -> None:
    job_number = data.next_id("job_number", 86_000)
    job_type_id = rng.choice(list(JOB_TYPES))
    status = rng.choices(JOB_STATUSES, weights=(2, 5, 1, 1, 4, 1))[0]
    day = data.today + timedelta(days=rng.randint(-20, 10))
    scheduled = datetime.combine(day, time(rng.randint(8, 16)), ACCOUNT_TZ)
    if day > data.today and status in ("in_progress", "completed"):
        status = "scheduled"  # a job in the days to come has not started yet
    paid = status == "completed" and rng.random() < 0.6
    _add_job(data, rng, customer, job_number, job_type_id, status, scheduled, paid=paid)


def _todays_round(data: KickservData) -> None:
    """Two jobs booked for today whatever the seed gives, for the README's first customers (and
    the world's ticker, sandbox/world.py, to move along while the sandbox runs)."""
    for number, job_type_id, hour in ((2, 24551, 10), (1, 24554, 14)):
        customer = data.customers.get(number)
        if customer is None:
            continue
        at = datetime.combine(data.today, time(hour), ACCOUNT_TZ)
        job_number = data.next_id("job_number", 86_000)
        _add_job(
            data, random.Random(job_number), customer, job_number, job_type_id, "scheduled", at
        )


# The person at the web sandbox and the console (Slack's Alice Moreno): a technician in
# ReadyDesk and, by the same email, an employee here, so her Home tab shows her day.
SANDBOX_PERSON = KSEmployee(846789, 19, "Alice Moreno", "alice@helpdesk.example", "amoreno")
SANDBOX_PERSON_DAYS = (0, 1, 2)  # from the account's today


def _sandbox_persons_round(data: KickservData) -> None:
    """Alice's jobs today and tomorrow, and the day after (whose "today" is the account's
    tomorrow when Deskhand's time zone is ahead of the account's); added after every other job
    was drawn, so the rest of the account is what it would have been."""
    data.employees[SANDBOX_PERSON.id] = SANDBOX_PERSON
    for days in SANDBOX_PERSON_DAYS:
        book_sandbox_person(data, data.today + timedelta(days=days))


def book_sandbox_person(data: KickservData, day: date) -> KSJob | None:
    """A job for Alice on `day` (the account's), unless she has one that day: the new job, if
    one was booked. Days alternate between an afternoon and a morning job."""
    if SANDBOX_PERSON.id not in data.employees:
        return None
    hers = {t.job_id for t in data.tasks.values() if SANDBOX_PERSON.id in t.employee_ids}
    for job in data.jobs.values():
        if job.id in hers and job.scheduled_on and job.scheduled_on.date() == day:
            return None
    number, job_type_id, hour = ((3, 24552, 16), (4, 24553, 9))[day.toordinal() % 2]
    customer = data.customers.get(number)
    if customer is None:
        return None
    at = datetime.combine(day, time(hour), ACCOUNT_TZ)
    job_number = data.next_id("job_number", 86_000)
    _add_job(data, random.Random(job_number), customer, job_number, job_type_id, "scheduled", at)
    job = data.jobs[job_number]
    for task in data.tasks.values():
        if task.job_id == job.id:
            task.employee_ids = [SANDBOX_PERSON.id]
    return job


def _recent_callback(data: KickservData, source: SandboxData) -> None:
    """A Printer Repair by Sam Ortiz completed two days before the newest seeded ticket of a
    Kickserv customer was opened: that ticket is a possible callback (api/callbacks.py)."""
    by_email = {c.email.lower(): c for c in data.customers.values()}
    for tid in reversed(source.ticket_ids):
        ticket = source.tickets[tid]
        rd = source.customers.get(ticket.cid)
        customer = by_email.get(rd.email.lower()) if rd else None
        if customer is None or 846788 not in data.employees:
            continue
        opened = ticket.date_opened.replace(tzinfo=ZoneInfo(source.timezone))
        day = (opened - timedelta(days=2)).astimezone(ACCOUNT_TZ).date()
        at = datetime.combine(day, time(9), ACCOUNT_TZ)
        number = data.next_id("job_number", 86_000)
        _add_job(data, random.Random(number), customer, number, 24554, "completed", at, paid=True)
        for task in data.tasks.values():
            if task.job_id == data.jobs[number].id:
                task.employee_ids = [846788]  # Sam Ortiz
        return


def _add_job(
    data: KickservData,
    rng: random.Random,
    customer: KSCustomer,
    job_number: int,
    job_type_id: int,
    status: str,
    scheduled: datetime,
    *,
    paid: bool = False,
) -> None:
    day = scheduled.date()
    total = Decimal(JOB_PRICES[job_type_id])
    job = KSJob(
        id=40_000_000 + job_number,
        job_number=job_number,
        customer_id=customer.id,
        name=JOB_TYPES[job_type_id],
        description=f"{JOB_TYPES[job_type_id]} at {customer.service_address}",
        job_type_id=job_type_id,
        status=status,
        scheduled_on=None if status == "unscheduled" else scheduled,
        subtotal=total,
        tax=Decimal("0.00"),
        total=total,
        balance_remaining=Decimal("0.00") if paid else total,
        invoice_status="paid" if paid else "unpaid",
        created_at=scheduled - timedelta(days=4),
        updated_at=scheduled - timedelta(days=4),
        completed_on=scheduled + timedelta(hours=2) if status == "completed" else None,
    )
    data.jobs[job_number] = job
    if job.scheduled_on is not None:
        crew_rng = random.Random(job_number)  # its own generator: the other seeded data stays put
        crew = crew_rng.sample(sorted(data.employees), k=crew_rng.choice((1, 1, 2)))
        task_id = data.next_id("task", 3_300_000)
        data.tasks[task_id] = KSTask(
            task_id,
            job.id,
            customer.id,
            scheduled,
            scheduled + timedelta(hours=2),
            crew,
            description=job.name,
        )
    if status == "completed":
        invoice_id = data.next_id("invoice", 7_000_000)
        data.invoices[invoice_id] = KSInvoice(
            id=invoice_id,
            invoice_number=invoice_id - 7_000_000,
            customer_id=customer.id,
            job_id=job.id,
            invoice_status=job.invoice_status,
            total=total,
            balance_remaining=job.balance_remaining,
            due_on=day + timedelta(days=30),
            created_at=scheduled + timedelta(hours=3),
        )
    if paid:
        payment_id = data.next_id("payment", 555_000_000)
        data.payments[payment_id] = KSPayment(
            id=payment_id,
            date=day,
            payment_type=rng.choice(("Check", "Credit Card")),
            amount=total,
            customer_id=customer.id,
            created_at=scheduled + timedelta(hours=5),
            ref_number=str(rng.randint(1000, 9999)),
            payment_application_ids=[job.id],
        )
    customer.balance += job.balance_remaining if status == "completed" else Decimal("0")
