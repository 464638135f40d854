"""Customer cards: one business across both systems, and a picker when several match."""

from slack_sdk.models.blocks import ActionsBlock, Block, HeaderBlock, SectionBlock

from api.business import Business
from api.customers import BusinessView, CustomerSearch
from api.kickserv import Job, KickservCustomer
from api.money import job_owed
from api.times import local_time
from cards import ids
from cards.common import (
    FALLBACK_MAX,
    HEADER_MAX,
    Card,
    CardSettings,
    button,
    button_raw,
    context,
    field_text,
    mrkdwn_section,
    note_target,
    plain,
    share_button,
)
from cards.jobs import job_words
from cards.live import job_status
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import CustomerRef

PICKER_MAX = 10
JOB_SERVICE_MAX = 40
JOB_DESCRIPTION_MAX = 80  # ten job lines stay well inside one section's 3,000 characters


def card_for(view: BusinessView, config: CardSettings, *, shareable: bool = True) -> Card:
    """A business read now, as its card."""
    return build_business_card(view, timezone=config.timezone, shareable=shareable)


def search_card(search: CustomerSearch, config: CardSettings) -> Card:
    """What `/customer` found: the one business's card, a picker, or who had no match; a note
    (a system not searched, the directory loading) as a grey line."""
    if search.found is not None:
        card = card_for(search.found, config)
        if search.note:
            card.blocks.insert(len(card.blocks) - 1, context(escape_mrkdwn(search.note)))
        return card
    if search.businesses:
        return build_picker_card(search.text, search.businesses, search.note)
    shown = escape_mrkdwn(truncate(search.text, 80))
    lines = [f"No customer matches `{shown}` in {search.searched}."]
    if search.failed_system:
        lines.append(escape_mrkdwn(search.note))
    elif search.note:
        lines.append(search.note)
    return Card(text=lines[0], blocks=[mrkdwn_section("\n".join(lines))])


def nothing_found(search: CustomerSearch) -> str | None:
    """Plain text for a form's field when every system was searched and none matched (so the
    form can stay open with the words to change); None when there is an answer to show."""
    if search.found is not None or search.businesses or search.failed_system:
        return None
    return f"No customer matches “{truncate(search.text, 80)}” in {search.searched}."


def build_business_card(view: BusinessView, *, timezone: str, shareable: bool = True) -> Card:
    """One business across both systems: contact, tickets, jobs, balance, and how they link."""
    rd, ks = view.readydesk, view.kickserv
    email = (rd.email if rd else "") or (ks.contact_email if ks else "") or "—"
    phone = (rd.phone if rd else "") or (ks and (ks.phone_number or ks.phone)) or "—"
    address = ", ".join(p for p in (rd.address, rd.city, rd.state, rd.zip) if p) if rd else ""
    if not address and ks:
        address = ", ".join(p for p in (ks.service_address, ks.service_city, ks.service_state) if p)
    fields = [
        field_text("Customer ID", rd.customer_id if rd else "—"),
        field_text("Contact", _contact(view) or "—"),
        field_text("Kickserv customer", _kickserv_customer(ks) if ks else "—"),
        field_text("Email", email),
        field_text("Phone", phone),
        field_text("Address", address or "—"),
    ]
    if ks is not None and view.owed is not None:
        fields.append(field_text("Owed", f"{view.owed:,.2f}"))
    blocks: list[Block] = [
        HeaderBlock(text=plain(view.name, HEADER_MAX)),
        SectionBlock(fields=fields),
    ]
    if rd is not None and view.ticket_counts is not None:
        counts = " · ".join(f"{s} {n}" for s, n in view.ticket_counts.items() if n) or "none"
        total = sum(view.ticket_counts.values())
        query = f"`/tickets customer:{escape_mrkdwn(rd.customer_id)}`"
        lines = [f"*ReadyDesk tickets: {total}* · {query} — {escape_mrkdwn(counts)}"]
        if view.open_tickets:
            lines.append("Newest unresolved:")
        lines += [
            f"• #{t.ticket_id} {escape_mrkdwn(truncate(t.subject, 90))} ({escape_mrkdwn(t.status)})"
            for t in view.open_tickets
        ]
        blocks.append(mrkdwn_section("\n".join(lines)))
    if ks is not None and view.jobs is not None:
        lines = [f"*Kickserv jobs not done yet:* {len(view.jobs) or 'none'}"]
        lines += [
            f"• Job {j.job_number} {escape_mrkdwn(_job_words(j, view.services))} · "
            f"{escape_mrkdwn(job_status(j))} · {local_time(j.scheduled_on, timezone)}"
            f"{owed_words(j)}"
            for j in view.jobs[:10]
        ]
        blocks.append(mrkdwn_section("\n".join(lines)))
        if view.owing:
            each = " + ".join(f"job {j.job_number} {job_owed(j):,.2f}" for j in view.owing[:10])
            more = f" + {len(view.owing) - 10} more jobs" if len(view.owing) > 10 else ""
            blocks.append(context(f"Owed {view.owed or 0:,.2f} = {each}{more}"))
    notes = [escape_mrkdwn(m) for m in view.failed]
    if view.linked:
        notes.append(escape_mrkdwn(view.linked))
    if notes:
        blocks.append(context(*notes))
    buttons = []
    if ks is not None:  # customer notes and jobs live in Kickserv
        buttons.append(
            button_raw("Add note", ids.ADD_NOTE, note_target("customer", ks.customer_number))
        )
        buttons.append(
            button("Create job", ids.CREATE_JOB, CustomerRef(kickserv_number=ks.customer_number))
        )
    if shareable:
        ref = CustomerRef(
            readydesk_id=rd.customer_id if rd else None,
            kickserv_number=ks.customer_number if ks else None,
        )
        buttons.append(share_button(ref))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return Card(text=truncate(escape_mrkdwn(f"Customer: {view.name}"), FALLBACK_MAX), blocks=blocks)


def owed_words(job: Job) -> str:
    """` · 140.00 owed` after a job line (api/money.py's owed); nothing when it owes nothing."""
    owed = job_owed(job)
    return f" · {owed:,.2f} owed" if owed else ""


def _contact(view: BusinessView) -> str:
    """The person to talk to: ReadyDesk's contact, else the Kickserv customer's own name."""
    if view.readydesk and view.readydesk.contact.strip():
        return view.readydesk.contact.strip()
    ks = view.kickserv
    if ks is None:
        return ""
    return " ".join(p.strip() for p in (ks.first_name or "", ks.last_name or "") if p.strip())


def _kickserv_customer(customer: KickservCustomer) -> str:
    """`Weasel Works LLC (#380)`: the name Kickserv shows, beside the number its URLs use."""
    name = customer.name.strip()
    return f"{name} (#{customer.customer_number})" if name else f"#{customer.customer_number}"


def _job_words(job: Job, services: dict[int, str]) -> str:
    """`Repair — Fix leaking sink`: the service, then the job's description on one line."""
    service = (services.get(job.job_type_id) if job.job_type_id is not None else None) or job.name
    service = truncate(" ".join(service.split()) or "Job", JOB_SERVICE_MAX)
    return job_words(service, job.description, JOB_DESCRIPTION_MAX)


def _person(business: Business) -> str:
    """The contact a business's records name, when that is not the business's name itself."""
    names = (e.name.strip() for e in (business.readydesk, business.kickserv) if e)
    return next((n for n in names if n and n.casefold() != business.name.casefold()), "")


def build_picker_card(typed: str, businesses: list[Business], note: str = "") -> Card:
    """Several businesses match: one row and one button each."""
    blocks: list[Block] = [
        mrkdwn_section(
            f"*{len(businesses)} customers match* `{escape_mrkdwn(truncate(typed, 80))}`"
        )
    ]
    for business in businesses[:PICKER_MAX]:
        systems = []
        if business.readydesk:
            systems.append(f"ReadyDesk {business.readydesk.record_key}")
        if business.kickserv:
            systems.append(f"Kickserv #{business.kickserv.record_key}")
        entry = business.readydesk or business.kickserv
        detail = " · ".join([*systems, *(v for v in (entry.email, entry.phone) if v)])
        ref = CustomerRef(
            readydesk_id=business.readydesk.record_key if business.readydesk else None,
            kickserv_number=int(business.kickserv.record_key) if business.kickserv else None,
        )
        title = f"*{escape_mrkdwn(truncate(business.name, 100))}*"
        if person := _person(business):  # businesses of one company differ by who they are
            title += f" — {escape_mrkdwn(truncate(person, 80))}"
        blocks.append(
            SectionBlock(
                text=mrkdwn_section(f"{title}\n{escape_mrkdwn(detail)}").text,
                accessory=button("Open", ids.CUSTOMER_PICK, ref),
            )
        )
    if len(businesses) > PICKER_MAX:
        blocks.append(context(f"and {len(businesses) - PICKER_MAX} more: add a word to narrow it"))
    if note:
        blocks.append(context(escape_mrkdwn(note)))
    return Card(text=f"{len(businesses)} customers match", blocks=blocks)
