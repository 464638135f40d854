"""Re-reading the records live cards show: batched and bounded per poll.

Tickets are read in ranges of ticket numbers (ReadyDesk's `start_tid`/`end_tid`): the records due
are grouped into spans of at most SPAN numbers and at most TICKET_READS spans are read a poll,
least recently checked first. Jobs have no batch read, so at most JOB_READS jobs are read a poll
(the job and its calendar entries: two calls each); jobs in a watched window come from the
window's own list and cost nothing more. The cost follows the number of distinct records, never
the number of channels showing them.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from api.desk import Desk
from api.errors import BackendError, NotFound
from api.readydesk import Ticket
from api.times import local_time
from cards.common import Card
from cards.config import HandlerConfig
from cards.live import State, job_state, ticket_key, ticket_state
from cards.tickets import card_for

logger = logging.getLogger("deskhand.live")

TICKET_READS = 20  # range reads of tickets per poll
SPAN = 500  # ticket numbers per range read (and the page size asked for)
GAP = 20  # a gap wider than this between two due tickets starts a new range (less read in vain)
JOB_READS = 10  # jobs re-read one by one per poll


@dataclass
class Fresh:
    """A record as read now: its state and, when already built, its card (or how to draw it);
    no state: deleted."""

    state: State | None
    card: Card | None = None
    draw: Callable[[], Awaitable[Card]] | None = None  # draws the card when no card is given


@dataclass
class Reads:
    """What one poll read."""

    fresh: dict[str, Fresh] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # record key -> why
    calls: int = 0


def plan_spans(due: list[int], reads: int = TICKET_READS, span: int = SPAN) -> list[list[int]]:
    """Group ticket numbers (most overdue first) into at most `reads` spans of `span` numbers
    without gaps wider than GAP, the spans holding the most overdue numbers first."""
    rank = {number: n for n, number in enumerate(due)}
    spans: list[list[int]] = []
    for number in sorted(rank):
        if spans and number - spans[-1][0] < span and number - spans[-1][-1] <= GAP:
            spans[-1].append(number)
        else:
            spans.append([number])
    spans.sort(key=lambda members: min(rank[m] for m in members))
    return spans[:reads]


async def read_tickets(due: list[int], desk: Desk, config: HandlerConfig, reads: Reads) -> None:
    """Read the most overdue tickets by range; a number missing from its range was deleted."""
    spans = plan_spans(due)
    if not spans:
        return
    results = await asyncio.gather(*(_read_span(s, desk) for s in spans), return_exceptions=True)
    reads.calls += len(spans)
    for members, result in zip(spans, results, strict=True):
        if isinstance(result, BaseException):
            why = result.message if isinstance(result, BackendError) else repr(result)
            logger.warning("tickets %s to %s unreadable: %s", members[0], members[-1], why)
            reads.unreadable.update({ticket_key(n): why for n in members})
            continue
        found = {t.ticket_id: t for t in result}
        for number in members:
            ticket = found.get(number)
            if ticket is None:
                reads.fresh[ticket_key(number)] = Fresh(state=None)
            else:
                draw = partial(_ticket_card, ticket, desk, config)  # drawn if it changed
                reads.fresh[ticket_key(number)] = Fresh(state=ticket_state(ticket), draw=draw)


async def _ticket_card(ticket: Ticket, desk: Desk, config: HandlerConfig) -> Card:
    """A ticket read in a range, drawn as `/ticket N` draws it (the statuses and its possible
    callback from cached reads)."""
    return card_for(await desk.ticket_read(ticket, config.callbacks), config, shareable=False)


async def _read_span(members: list[int], desk: Desk) -> list[Ticket]:
    return await desk.tickets_between(members[0], members[-1], SPAN)


async def read_jobs(due: list[int], desk: Desk, config: HandlerConfig, reads: Reads) -> None:
    """Read the most overdue jobs one by one (at most JOB_READS)."""
    chosen = due[:JOB_READS]
    results = await asyncio.gather(
        *(job_state_now(n, desk, config) for n in chosen), return_exceptions=True
    )
    reads.calls += 2 * len(chosen)
    for number, result in zip(chosen, results, strict=True):
        key = f"job:{number}"
        if isinstance(result, NotFound):
            reads.fresh[key] = Fresh(state=None)
        elif isinstance(result, BaseException):
            why = result.message if isinstance(result, BackendError) else repr(result)
            logger.warning("job %s unreadable: %s", number, why)
            reads.unreadable[key] = why
        else:
            reads.fresh[key] = Fresh(state=result)


async def job_state_now(number: int, desk: Desk, config: HandlerConfig) -> State:
    """A job's live-card state, read now (the job, then its calendar entries)."""
    job, assigned = await desk.job_crew(number)
    return job_state(job, assigned, local_time(job.scheduled_on, config.timezone))
