"""Kickserv job cards."""

from slack_sdk.models.blocks import ActionsBlock, Block, ContextBlock, HeaderBlock, SectionBlock

from api.job_status import Step, steps_left
from api.jobs import JobView
from api.kickserv import Job, Note
from api.money import job_owed
from api.signatures import read_signature
from api.times import local_time
from api.visits import Visit
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
    note_target,
    plain,
    share_button,
)
from cards.live import job_key, job_state, job_status
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import CustomerRef, JobRef
from cards.visits import ticket_rows

NOTE_MAX = 1500
STEP_LABELS: dict[Step, str] = {"on_my_way": "On my way", "started": "Started", "done": "Done"}
STEP_ACTIONS: dict[Step, str] = {
    "on_my_way": ids.JOB_ON_MY_WAY,
    "started": ids.JOB_STARTED,
    "done": ids.JOB_DONE,
}


def job_words(service: str, description: str | None, limit: int) -> str:
    """A job on one line, each thing said once: `Repair — Fix leaking sink`; the description
    alone when it starts with the service (`Printer Repair at 12 Main St`); Deskhand's signature
    is not the job's words."""
    service = " ".join(service.split())
    described = " ".join(read_signature(description or "").text.split())
    if not described or described.casefold() == service.casefold():
        return service
    if described.casefold().startswith(service.casefold()):
        return truncate(described, limit)
    return f"{service} — {truncate(described, limit)}"


def card_for(view: JobView, config: CardSettings, *, shareable: bool = True) -> Card:
    """A job read now, as its card."""
    customer = view.customer
    return build_job_card(
        view.job,
        service=view.service,
        latest_note=view.latest_note,
        assigned=view.assigned,
        timezone=config.timezone,
        shareable=shareable,
        customer_name=(customer.company or customer.name) if customer else None,
        customer_number=int(customer.record_key) if customer else None,
        unread=view.unread,
        tickets=view.tickets,
    )


def build_job_card(
    job: Job,
    *,
    customer_name: str | None,
    customer_number: int | None,
    service: str | None,
    latest_note: Note | None,
    assigned: list[str] | None,
    timezone: str,
    shareable: bool = True,
    unread: str = "",
    tickets: list[Visit] | None = None,
) -> Card:
    """A job: customer, service, status, schedule, who is assigned, description, latest note,
    and its buttons. `assigned` is None when the calendar could not be read; `unread` is the
    line naming what could not be read."""
    status = job_status(job)
    customer = customer_name or "—"
    if customer_number:
        customer += f" (#{customer_number})"
    fields = [
        field_text("Customer", customer),
        field_text("Service", service or job.name or "—"),
        field_text("Status", status),
        field_text("When", local_time(job.scheduled_on, timezone)),  # beside Status: Scheduled
        field_text("Assigned to", _assigned(assigned)),
    ]
    if job.total is not None:
        owed = f" · {job_owed(job):,.2f} owed" if job_owed(job) else ""  # api/money.py
        fields.append(field_text("Total", f"{job.total:,.2f}{owed}"))
    if job.completed_on:
        fields.append(field_text("Completed", local_time(job.completed_on, timezone)))
    title = f"Job {job.job_number} · {job.name or service or 'Kickserv job'}"
    blocks: list[Block] = [
        HeaderBlock(text=plain(title, HEADER_MAX)),
        SectionBlock(fields=fields),
    ]
    # As people wrote it: a job booked from Slack carries Deskhand's signature (its read-back
    # finds it by that), which says nothing to the reader; one-line rows leave it out too.
    if described := read_signature(job.description or "").text.strip():
        blocks.append(SectionBlock(text=plain(described)))
    if latest_note is not None:
        author, written = note_author(latest_note)
        # Plain text, as the notes list shows it: a note's characters are never mrkdwn.
        line = f"Latest note, by {author}: {truncate(written, NOTE_MAX)}"
        blocks.append(ContextBlock(elements=[plain(line)]))
    if unread:
        blocks.append(context(escape_mrkdwn(unread)))
    blocks += ticket_rows(tickets or [])
    ref = JobRef(job_number=job.job_number)
    buttons = [
        button("Refresh", ids.JOB_REFRESH, ref),
        button("Notes", ids.JOB_SHOW_NOTES, ref),
        button_raw("Add note", ids.ADD_NOTE, note_target("job", job.job_number)),
    ]
    if customer_number:
        customer = CustomerRef(kickserv_number=customer_number)
        buttons.insert(1, button("Customer", ids.JOB_SHOW_CUSTOMER, customer))
    if shareable:
        buttons.append(share_button(ref))
    steps = [button(STEP_LABELS[s], STEP_ACTIONS[s], ref) for s in steps_left(job.status)]
    if steps:  # the technician's day, above the card's other buttons
        blocks.append(ActionsBlock(block_id=f"job_steps_{job.job_number}", elements=steps))
    blocks.append(ActionsBlock(block_id=f"job_{job.job_number}", elements=buttons))
    text = truncate(escape_mrkdwn(f"Job {job.job_number}: {job.name} ({status})"), FALLBACK_MAX)
    if assigned is None:  # a live copy must not take "not read" for a change
        return Card(text=text, blocks=blocks)
    state = job_state(job, assigned, local_time(job.scheduled_on, timezone))
    return Card(text=text, blocks=blocks, live=(job_key(job.job_number), state))


def _assigned(names: list[str] | None) -> str:
    if names is None:
        return "Not read (see below)"
    return ", ".join(names) or "Nobody yet"


def note_author(note: Note) -> tuple[str, str]:
    """Who wrote a note, and its text: the Slack person for a note Deskhand signed (`… via
    Slack`, the signature taken off the text), else the Kickserv employee, "someone" when
    Kickserv did not say."""
    signed = read_signature(note.text)
    if signed.slack_author:
        return f"{signed.slack_author} via Slack", signed.text
    return (note.creator.name.strip() if note.creator else "") or "someone", note.text


def build_notes_card(job_number: int, notes: list[Note], timezone: str) -> Card:
    """A job's notes, newest first (as many as fit one message)."""
    blocks: list[Block] = [HeaderBlock(text=plain(f"Notes on job {job_number}", HEADER_MAX))]
    for note in notes[:20]:
        author, written = note_author(note)
        blocks.append(SectionBlock(text=plain(truncate(written, NOTE_MAX))))
        blocks.append(context(escape_mrkdwn(f"{author} · {local_time(note.created_at, timezone)}")))
    if not notes:
        blocks.append(SectionBlock(text=plain("This job has no notes yet.")))
    return Card(text=f"Notes on job {job_number}", blocks=blocks)
