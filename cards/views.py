"""Any card from the view `desk.read(ref)` returned: what every button value and live card
stands for, drawn by its area's pure `card_for`."""

from api.customers import BusinessView
from api.jobs import JobView
from api.tickets import TicketListView, TicketView
from cards import customers, jobs, tickets
from cards.common import Card, CardSettings


def card_for(
    view: TicketView | TicketListView | BusinessView | JobView,
    config: CardSettings,
    *,
    shareable: bool = True,
) -> Card:
    """The card of a view read now (`shareable`: with its Share in channel button)."""
    if isinstance(view, TicketView):
        return tickets.card_for(view, config, shareable=shareable)
    if isinstance(view, TicketListView):
        return tickets.list_card_for(view, shareable=shareable)
    if isinstance(view, JobView):
        return jobs.card_for(view, config, shareable=shareable)
    return customers.card_for(view, config, shareable=shareable)
