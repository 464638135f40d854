"""Possible callbacks: the line a ticket card shows, and `/deskhand callbacks` (per technician)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, SectionBlock

from api.callbacks import CallbackList, PossibleCallback, Visit
from api.times import short_day
from cards import ids
from cards.common import FALLBACK_MAX, Card, button, context, mrkdwn_section
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import JobRef, TicketRef

SHOWN_MAX = 40  # callbacks listed (Slack's 50 blocks a message); the rest are counted
SUBJECT_MAX = 80
NO_CREW = "no technician on its calendar"


def day_of(when: datetime, timezone: str) -> str:
    """`Nov 15` in the business's time zone."""
    return short_day(when.astimezone(ZoneInfo(timezone)))


def crew_words(visit: Visit) -> str:
    """Who did the visit, as the flag and the list's headings say it."""
    names = visit.technicians
    if names is None:
        return "technician unknown"
    if not names:
        return NO_CREW
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def callback_text(visit: Visit, timezone: str) -> str:
    """`Possible callback: Repair on 15 Nov by Sam Ortiz (job 618)`, escaped for mrkdwn."""
    said = f"Possible callback: {visit.service} on {day_of(visit.completed_at, timezone)}"
    if visit.technicians:
        said += f" by {crew_words(visit)} (job {visit.job_number})"
    elif visit.technicians is None:
        said += f" (job {visit.job_number})"  # who did it could not be read: not guessed
    else:
        said += f" (job {visit.job_number}; {NO_CREW})"
    return escape_mrkdwn(said)


def callback_block(visit: Visit, timezone: str) -> SectionBlock:
    """The flag on a ticket card, with the visit's job one click away."""
    return SectionBlock(
        block_id="callback",
        text=mrkdwn_section(f":repeat: {callback_text(visit, timezone)}").text,
        accessory=button("Open job", ids.TICKETS_OPEN, JobRef(job_number=visit.job_number)),
    )


def build_callbacks_card(found: CallbackList, timezone: str) -> Card:
    """`/deskhand callbacks`: each possible callback under who did the visit, the count each
    heading shows being the lines under it."""
    if not found.callbacks:
        text = f"No possible callbacks in the last {found.days} days"
        blocks: list[Block] = [mrkdwn_section(text)]
        blocks += _footnotes(found)
        return Card(text=text, blocks=blocks)
    count = len(found.callbacks)
    title = (
        f"{count} possible callback{'s' if count != 1 else ''} in the last {found.days} days "
        f"(tickets opened within {found.days} days after a completed Kickserv visit)"
    )
    blocks = [mrkdwn_section(f"*{escape_mrkdwn(title)}*")]
    shown = 0
    for crew, group in _by_crew(found.callbacks):
        if shown >= SHOWN_MAX:
            break
        blocks.append(mrkdwn_section(f"*{escape_mrkdwn(crew)}* · {len(group)}"))
        for callback in group[: SHOWN_MAX - shown]:
            blocks.append(_row(callback, timezone))
            shown += 1
    if shown < count:
        blocks.append(context(f"{count - shown} more not shown: Slack shows {SHOWN_MAX} here."))
    blocks += _footnotes(found)
    return Card(text=truncate(title, FALLBACK_MAX), blocks=blocks)


def _by_crew(callbacks: list[PossibleCallback]) -> list[tuple[str, list[PossibleCallback]]]:
    """Callbacks grouped by who did the visit (each once), the busiest first."""
    groups: dict[str, list[PossibleCallback]] = {}
    for callback in callbacks:
        groups.setdefault(crew_words(callback.visit), []).append(callback)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def _row(callback: PossibleCallback, timezone: str) -> SectionBlock:
    ticket, visit = callback.ticket, callback.visit
    subject = escape_mrkdwn(truncate(ticket.subject or "(no subject)", SUBJECT_MAX))
    opened = ticket.opened_at
    opened_on = short_day(opened) if opened else "—"
    done = day_of(visit.completed_at, timezone)
    text = (
        f"*#{ticket.ticket_id}* {subject}\n"
        f"opened {opened_on} · {escape_mrkdwn(visit.service)} job {visit.job_number} "
        f"completed {done}"
    )
    return SectionBlock(
        block_id=f"callback_{ticket.ticket_id}",
        text=mrkdwn_section(text).text,
        accessory=button("Open", ids.TICKETS_OPEN, TicketRef(ticket_id=ticket.ticket_id)),
    )


def _footnotes(found: CallbackList) -> list[Block]:
    notes = []
    if found.limited:
        notes.append(f"Only the newest {found.checked:,} tickets were checked.")
    if found.unread:
        names = ", ".join(found.unread[:10]) + (" …" if len(found.unread) > 10 else "")
        notes.append(f"Kickserv could not be read for {len(found.unread)} ticket(s): {names}.")
    return [context(escape_mrkdwn(" ".join(notes)))] if notes else []
