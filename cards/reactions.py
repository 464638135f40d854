"""What Deskhand answers a reaction with, shown only to the person who reacted: a ticket offered
from a message, a close to confirm, and how to let Deskhand read a message it cannot."""

import re

from slack_sdk.models.blocks import ActionsBlock

from cards import ids
from cards.common import Card, button, button_raw, fit_metadata, mrkdwn_section
from cards.mrkdwn import escape_mrkdwn
from cards.refs import BUTTON_VALUE_MAX, TicketRef
from cards.ticket_form import TicketForm

CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,20}")


def ticket_offer(form: TicketForm) -> Card:
    """Create ticket from this message: the button opens the form `form` prefills (a reaction
    brings no trigger to open it with)."""
    value = fit_metadata(form, "description", BUTTON_VALUE_MAX)
    create = button_raw("Create ticket from this message", ids.CREATE_TICKET_FROM_REACTION, value)
    return Card(
        text="Create a ReadyDesk ticket from this message?",
        blocks=[
            mrkdwn_section("Create a ReadyDesk ticket from this message?"),
            ActionsBlock(block_id="reaction_ticket", elements=[create]),
        ],
    )


def close_question(ticket_id: int) -> Card:
    """Close ticket #N?, with the card's own Close button (a reaction is too easy to add by
    accident to close on its own)."""
    close = button("Close", ids.TICKET_CLOSE, TicketRef(ticket_id=ticket_id), style="danger")
    return Card(
        text=f"Close ticket #{ticket_id}?",
        blocks=[
            mrkdwn_section(f"*Close ticket #{ticket_id}?*"),
            ActionsBlock(block_id=f"ticket_{ticket_id}", elements=[close]),
        ],
    )


def assigned_text(ticket_id: int, technician: str) -> str:
    """What the person who took a ticket with a reaction is told."""
    return f"Ticket #{ticket_id} is assigned to you ({escape_mrkdwn(technician)})."


def unreadable_text(error: str, channel: str, needed: str = "") -> str:
    """How to let Deskhand read a message in `channel` Slack would not show it (`error`:
    Slack's; `needed`: the scope Slack named as missing). It may be read in a DM: it names the
    channel."""
    where = f"<#{channel}>" if CHANNEL_ID.fullmatch(channel) else "this channel"
    if error in ("not_in_channel", "channel_not_found"):
        return (
            f"Deskhand cannot read messages in {where}, so it cannot act on your reaction there. "
            "Invite it with `/invite @deskhand`, then react again."
        )
    if error == "missing_scope":
        scope = f" (`{escape_mrkdwn(needed)}`)" if needed else ""
        return (
            f"Deskhand is not allowed to read messages in {where}{scope}, so it cannot act on "
            "your reaction there. An admin can reinstall the app from the manifest "
            "(`deskhand manifest`) to grant it, then react again."
        )
    return (
        f"Deskhand could not read that message (Slack said `{escape_mrkdwn(error)}`), so it did "
        "nothing with that reaction. Try again in a minute."
    )
