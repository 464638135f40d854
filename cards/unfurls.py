"""Compact cards under a pasted link: status, priority, customer, assignee, schedule — never
notes, descriptions, balances or contact details (a channel may hold people who should not see
them). Ticket and job unfurls know what their live copies watch, as posted cards do.

A customer is named by its company, else by its one person's name; never by an ID or name that
is an email address or a phone number (ReadyDesk's customer IDs are free text, and many sites
use the email)."""

import re
from datetime import datetime

from slack_sdk.models.blocks import Block, SectionBlock

from api.errors import BackendError
from api.times import local, local_time
from api.unfurls import CustomerUnfurl, JobUnfurl, Missing, TicketUnfurl, Unfurl
from cards.common import FALLBACK_MAX, Card, CardSettings, context, field_text
from cards.live import job_key, job_state, job_status, ticket_key, ticket_state
from cards.mrkdwn import escape_mrkdwn, truncate

TITLE_MAX = 200
_PHONE = re.compile(r"\+?[\d\s().\-/]{7,}")  # digits and a phone's punctuation, nothing else


def unfurl_card(view: Unfurl, config: CardSettings) -> Card:
    """The unfurl of one linked record."""
    if isinstance(view, TicketUnfurl):
        return _ticket(view, config.timezone)
    if isinstance(view, JobUnfurl):
        return _job(view, config.timezone)
    if isinstance(view, CustomerUnfurl):
        return _customer(view, config.timezone, config.instant())
    return _missing(view)


def unfurl_cards(
    links: list[str], read: list[Unfurl | BackendError], config: CardSettings
) -> dict[str, Card]:
    """The cards of the links whose record could be read (`read`: each link's, in order), by
    link; a link whose system failed gets none and stays a bare link."""
    return {
        link: unfurl_card(view, config)
        for link, view in zip(links, read, strict=True)
        if not isinstance(view, BackendError)
    }


def unfurl_blocks(card: Card) -> dict:
    """A card as one entry of chat.unfurl's `unfurls` map."""
    return {"blocks": card.message()["blocks"]}


def unfurls_of(cards: dict[str, Card]) -> dict[str, dict]:
    """chat.unfurl's `unfurls` map: each link's card."""
    return {link: unfurl_blocks(card) for link, card in cards.items()}


def _ticket(view: TicketUnfurl, timezone: str) -> Card:
    ticket = view.ticket
    subject = truncate(ticket.subject or "(no subject)", TITLE_MAX)
    state = ticket_state(ticket)
    customer = shown_name("ReadyDesk", ticket.company_name, ticket.contact, ticket.customer_id)
    blocks: list[Block] = [
        SectionBlock(
            text=f"*Ticket #{ticket.ticket_id}* · {escape_mrkdwn(subject)}",
            fields=[
                field_text("Status", state["Status"]),
                field_text("Priority", state["Priority"]),
                field_text("Customer", customer),
                field_text("Assigned to", state["Assigned to"]),
                field_text("Due", local_time(ticket.due_at, timezone, none="—")),
            ],
        ),
        context(
            escape_mrkdwn(f"ReadyDesk · opened {local_time(ticket.opened_at, timezone, none='—')}")
        ),
    ]
    text = truncate(escape_mrkdwn(f"Ticket #{ticket.ticket_id}: {subject}"), FALLBACK_MAX)
    return Card(text, blocks, live=(ticket_key(ticket.ticket_id), state))


def _job(view: JobUnfurl, timezone: str) -> Card:
    job = view.job
    scheduled = local_time(job.scheduled_on, timezone)
    state = job_state(job, view.assigned or [], scheduled)
    if view.assigned is None:  # a first look: the calendar is still being read
        state["Assigned to"] = "checking…"
    customer = shown_name("Kickserv", view.customer)
    if view.customer_number:
        customer += f" (#{view.customer_number})"
    title = truncate(view.service or job.name or "Kickserv job", TITLE_MAX)
    blocks: list[Block] = [
        SectionBlock(
            text=f"*Job {job.job_number}* · {escape_mrkdwn(title)}",
            fields=[
                field_text("Status", state["Status"]),
                field_text("Customer", customer),
                field_text("When", scheduled),
                field_text("Assigned to", state["Assigned to"]),
            ],
        ),
        context("Kickserv"),
    ]
    text = truncate(
        escape_mrkdwn(f"Job {job.job_number}: {title} ({state['Status']})"), FALLBACK_MAX
    )
    return Card(text, blocks, live=(job_key(job.job_number), state))


def _customer(view: CustomerUnfurl, timezone: str, now: datetime) -> Card:
    name = truncate(shown_name("Kickserv", view.name), TITLE_MAX)
    fields = [field_text("Jobs not done yet", f"{len(view.jobs):,}")]
    if view.jobs:  # soonest first: "next" is the first from now on, not one already past
        ahead = [j for j in view.jobs if j.scheduled_on and local(j.scheduled_on, timezone) >= now]
        job = ahead[0] if ahead else view.jobs[0]
        label = "Next" if ahead else "Past due" if job.scheduled_on else "Not scheduled yet"
        service = view.services.get(job.job_type_id or 0) or job.name or "Job"
        status = job_status(job)
        fields.append(
            field_text(
                label,
                f"Job {job.job_number} · {service} · {local_time(job.scheduled_on, timezone)}"
                f" ({status})",
            )
        )
    twin = view.readydesk
    linked = shown_name("ReadyDesk", twin.company, twin.name, twin.record_key) if twin else ""
    fields.append(field_text("ReadyDesk", linked or "Not linked"))
    blocks: list[Block] = [
        SectionBlock(
            text=f"*{escape_mrkdwn(name)}* · Kickserv customer #{view.customer_number}",
            fields=fields,
        ),
        context("Kickserv"),
    ]
    return Card(escape_mrkdwn(f"{name} (Kickserv customer #{view.customer_number})"), blocks)


def shown_name(system: str, *names: str | None) -> str:
    """The first of `names` (company, person, ID, in that order) a channel may read: none that
    is blank, an email address or a phone number; else "a <system> customer"."""
    for name in names:
        name = (name or "").strip()
        if name and "@" not in name and not _PHONE.fullmatch(name):
            return name
    return f"a {system} customer"


def _missing(view: Missing) -> Card:
    return Card(escape_mrkdwn(view.message), [context(escape_mrkdwn(view.message))])
