"""Visits on cards: a ticket's booked jobs, a job's tickets, and the thread reply that offers to
close a ticket whose visit is done."""

from slack_sdk.models.blocks import ActionsBlock, Block, SectionBlock

from api.times import local_time
from api.visits import Visit, VisitView
from cards import ids
from cards.common import Card, button, context, mrkdwn_section
from cards.live import job_status_text
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import JobRef, TicketRef

ROWS = 5  # visits or tickets listed on a card; the rest are counted


def visit_rows(visits: list[VisitView], timezone: str) -> list[Block]:
    """A ticket's visits, newest first: job number, service, when, who, status and Open."""
    if not visits:
        return []
    blocks: list[Block] = [mrkdwn_section(f"*Visits* ({len(visits)})")]
    for visit in visits[:ROWS]:
        when = local_time(visit.when, timezone)  # as the job card says it
        facts = [
            visit.service or "—",
            *([] if visit.when is None and visit.status == "unscheduled" else [when]),
            ", ".join(visit.crew) or "nobody assigned",
            job_status_text(visit.status),  # "Unscheduled" says "Not scheduled" already
        ]
        if visit.unread:
            facts = [
                local_time(visit.when, timezone),
                job_status_text(visit.status) + " (as last seen)",
            ]
        text = f"*Job {visit.job_number}* · " + escape_mrkdwn(truncate(" · ".join(facts), 300))
        blocks.append(
            SectionBlock(
                block_id=f"visit_{visit.job_number}",
                text=mrkdwn_section(text).text,
                accessory=button("Open", ids.TICKETS_OPEN, JobRef(job_number=visit.job_number)),
            )
        )
    if len(visits) > ROWS:
        blocks.append(context(f"and {len(visits) - ROWS} more"))
    return blocks


def ticket_rows(tickets: list[Visit]) -> list[Block]:
    """The tickets a job is a visit for, each with Open."""
    blocks: list[Block] = []
    for visit in tickets[:ROWS]:
        subject = escape_mrkdwn(truncate(visit.subject or "(no subject)", 150))
        blocks.append(
            SectionBlock(
                block_id=f"for_ticket_{visit.ticket_id}",
                text=mrkdwn_section(f"Visit for *ticket #{visit.ticket_id}*: {subject}").text,
                accessory=button("Open", ids.TICKETS_OPEN, TicketRef(ticket_id=visit.ticket_id)),
            )
        )
    if len(tickets) > ROWS:
        blocks.append(context(f"and {len(tickets) - ROWS} more tickets"))
    return blocks


VISIT_DONE = "visit_done_"  # the block id of the visit-done reply's Close ticket, then the ticket


def visit_done_reply(ticket_id: int, note: str) -> tuple[str, list[Block]]:
    """The thread reply under a ticket's live card when its visit is done: the note, and
    Close ticket."""
    text = truncate(note, 2900)
    ref = TicketRef(ticket_id=ticket_id)
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn_section(escape_mrkdwn(text)).text),
        ActionsBlock(
            block_id=f"{VISIT_DONE}{ticket_id}",
            elements=[button("Close ticket", ids.TICKET_CLOSE, ref, style="danger")],
        ),
    ]
    return escape_mrkdwn(text), blocks


def visit_closed_reply(shown: str, ticket_id: int, user_id: str | None) -> Card:
    """The visit-done reply once its Close ticket closed the ticket: its note as it was shown
    (`shown`, mrkdwn this app wrote), and who closed the ticket (its card is the one above;
    None: it was closed already, elsewhere)."""
    said = (
        f"Ticket #{ticket_id} closed by <@{user_id}>"
        if user_id
        else f"Ticket #{ticket_id} is closed"
    )
    blocks: list[Block] = [mrkdwn_section(truncate(shown, 2900)), context(said)]
    return Card(text=said, blocks=blocks)
