"""Any card from its reference, read now: what every button value and live card stands for."""

from api.desk import Desk
from cards.common import Card
from cards.refs import CustomerRef, JobRef, TicketQuery, TicketRef
from handlers import customers, jobs, tickets
from handlers.config import HandlerConfig

AnyRef = TicketRef | TicketQuery | CustomerRef | JobRef


async def render_card(
    ref: AnyRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True
) -> Card:
    """The card a reference stands for, read now."""
    if isinstance(ref, TicketRef):
        return await tickets.render_ticket(ref, desk, config, shareable=shareable)
    if isinstance(ref, TicketQuery):
        return await tickets.render_ticket_list(ref, desk, config, shareable=shareable)
    if isinstance(ref, JobRef):
        return await jobs.render_job(ref, desk, config, shareable=shareable)
    return await customers.render_customer(ref, desk, config, shareable=shareable)
