"""Any card from the view `desk.read(ref)` returned: what every button value and live card
stands for, drawn by its area's pure `card_for`."""

from typing import Any

from slack_sdk.models.views import View

from api.customers import BusinessView
from api.jobs import JobView
from api.tickets import TicketListView, TicketView
from cards import customers, ids, jobs, tickets
from cards.common import Card, CardSettings, block_dict, mrkdwn_section
from cards.mrkdwn import escape_mrkdwn, truncate

MODAL_TITLE_MAX = 24
MODAL_BLOCKS_MAX = 100
NOT_IN_A_MODAL = {ids.SHARE_CARD}  # a modal is in no channel: nothing to share it in


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


def card_modal(text: str, blocks: list[Any], title: str = "Deskhand") -> View:
    """A card as a modal (where a Home button answers): its blocks, or its text when it has
    none, without the buttons that need a channel."""
    shown = [_for_modal(block_dict(b)) for b in blocks] or [block_dict(mrkdwn_section(text))]
    return View(
        type="modal",
        callback_id=ids.CARD_MODAL,
        title=truncate(title, MODAL_TITLE_MAX),
        close="Dismiss",  # not "Close" (a ticket's closes it) nor "Done" (a job's step)
        notify_on_close=True,  # Home is published again: what was done in here shows there
        blocks=[b for b in shown if b][:MODAL_BLOCKS_MAX],
    )


def looking_up_modal(what: str, title: str) -> View:
    """The card modal while the card is read (a trigger lasts three seconds, a read may not)."""
    return card_modal(f"Looking up {escape_mrkdwn(what)} …", [], title)


def _for_modal(block: dict[str, Any]) -> dict[str, Any] | None:
    """A block as a modal can show it: actions lose what needs a channel (None when empty)."""
    if block.get("type") != "actions":
        return block
    kept = [e for e in block.get("elements") or [] if e.get("action_id") not in NOT_IN_A_MODAL]
    return {**block, "elements": kept} if kept else None
