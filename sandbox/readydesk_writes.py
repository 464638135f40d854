"""The ReadyDesk fake's add_ and update_ actions, validated as the docs describe."""

from sandbox import readydesk_wire as wire
from sandbox.data import SandboxData
from sandbox.readydesk_query import Query, ReadyDeskError, Reply
from sandbox.readydesk_records import Company, RDCustomer, RDTicket
from sandbox.readydesk_wire import UndocumentedNames

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
        customer_id=cid,
        company_id=company.company_id,
        company_name=company.name,
        contact="",
        phone="",
        email="",
        address="",
        city="",
        state="",
        zip="",
        country="",
        date_added=data.now(),
    )
    _apply_customer(customer, query)
    data.add_customer(customer)
    return {wire.ADDED_CUSTOMER: cid}


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
    return {wire.UPDATED_CUSTOMER: cid}


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
    "email2": "additional_email",
    "phone2": "additional_phone",
    "contracts": "support_contracts",
    "sc_start_dates": "sc_start_dates",
    "selectable_categories": "selectable_categories",
}


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


def add_ticket(data: SandboxData, query: Query, names: UndocumentedNames) -> Reply:
    """add_ticket: `cid` required and must exist; lists checked against the configuration."""
    cid = query.text("cid", required=True)
    customer = data.customers.get(cid or "")
    if customer is None:
        raise ReadyDeskError(f"Invalid cid: customer {cid} does not exist")
    now = data.now()
    opened = query.date("open_date") or now
    ticket = RDTicket.for_customer(
        customer,
        tid=data.next_ticket_id(),
        date_opened=opened,
        source="Web Ticketing System",
        category="Other",
        sub_category="",
        status="Open",
        priority="Normal",
        escalation_level="",
        due_date=None,
        opened_by="API",
        last_updated=opened,
        updated_by="API",
        updater_type="TECH",
        assigned_tech="",
        assigned_group_id=0,
        assigned_group_name="",
        subject="",
        summary="",
    )
    _apply_ticket(data, ticket, query, names)
    data.add_ticket(ticket)
    data.add_history(ticket.tid, opened, "API", "TECH", ticket.status, "Ticket opened.")
    return {wire.ADDED_TICKET: ticket.tid}


def update_ticket(data: SandboxData, query: Query, names: UndocumentedNames) -> Reply:
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
    ticket.last_updated = data.now()
    if ticket.status != before:
        data.add_history(
            tid,
            ticket.last_updated,
            "API",
            "TECH",
            ticket.status,
            f"Status changed to {ticket.status}.",
        )
    return {wire.UPDATED_TICKET: tid}


def _apply_ticket(
    data: SandboxData, ticket: RDTicket, query: Query, names: UndocumentedNames
) -> None:
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
        ("contact", "contact"),
        ("phone", "phone"),
        ("email", "email"),
        ("sub_category", "sub_category"),
        ("escalation_level", "escalation_level"),
        ("subject", "subject"),
        (names.ticket_priority, "priority"),
    ):
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
        ticket.date_closed = close_date or data.now()
    elif query.has("status"):
        ticket.date_closed = None


def add_history(data: SandboxData, query: Query, names: UndocumentedNames) -> Reply:
    """The history-note action (name configurable): `tid` and the note are required."""
    tid = query.number("tid")
    if tid is None:
        raise ReadyDeskError("Missing required variable: tid")
    note = query.text(names.history_note, required=True, limit=None)
    ticket = data.tickets.get(tid)
    if ticket is None:
        raise ReadyDeskError(f"Ticket not found: {tid}")
    uid = query.text("uid") or "API"
    ticket.last_updated = data.now()
    entry = data.add_history(tid, ticket.last_updated, uid, "TECH", ticket.status, note or "")
    return {wire.ADDED_HISTORY: entry.record_id}
