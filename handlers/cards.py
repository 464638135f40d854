"""Pure Block Kit builders: models in, slack_sdk blocks out, always within Slack's limits.

Text from users and backends is escaped before it goes into mrkdwn (so `<!channel>` stays text),
and free text (subjects, summaries) goes into plain_text objects, which Slack shows literally.
"""

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from api.readydesk import Customer, Ticket
from handlers import ids
from handlers.args import CommandHelp
from handlers.mrkdwn import escape_mrkdwn, truncate

HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_MAX = 2000
BUTTON_VALUE_MAX = 2000
FALLBACK_MAX = 3000


def _field(label: str, value: str) -> MarkdownTextObject:
    body = truncate(escape_mrkdwn(value), FIELD_MAX - len(label) - 10)
    return MarkdownTextObject(text=f"*{label}*\n{body}")


def _when(value: datetime | None) -> str:
    """`Apr 24, 2014 10:42 AM`, or a dash when there is no date."""
    if value is None:
        return "—"
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M %p}"


class TicketRef(BaseModel):
    """What a ticket card's buttons remember: serialized into the button value."""

    ticket_id: int
    customer_id: str = ""


def _button(text: str, action_id: str, ref: BaseModel, style: str | None = None) -> ButtonElement:
    value = ref.model_dump_json()
    if len(value) > BUTTON_VALUE_MAX:
        raise ValueError(f"button value for {action_id} is over Slack's limit")
    return ButtonElement(text=text, action_id=action_id, value=value, style=style)


def ticket_text(ticket: Ticket) -> str:
    """The notification / screen-reader fallback for a ticket card."""
    return truncate(
        escape_mrkdwn(f"Ticket #{ticket.ticket_id}: {ticket.subject or '(no subject)'}"),
        FALLBACK_MAX,
    )


def build_ticket_card(ticket: Ticket) -> list[Block]:
    """A ticket: header, status facts, summary, provenance and the buttons that act on it."""
    subject = ticket.subject or "(no subject)"
    assigned = " · ".join(p for p in (ticket.assigned_tech, ticket.assigned_group_name) if p)
    customer = ticket.contact or ticket.customer_id or "—"
    if ticket.customer_id and ticket.contact:
        customer += f" ({ticket.customer_id})"
    if ticket.company_name:
        customer += f"\n{ticket.company_name}"
    category = " / ".join(p for p in (ticket.category, ticket.sub_category) if p) or "—"
    fields = [
        _field("Status", ticket.status or "—"),
        _field("Priority", ticket.priority or "—"),
        _field("Customer", customer),
        _field("Assigned to", assigned or "Unassigned"),
        _field("Opened", _when(ticket.opened_at)),
        _field("Last updated", _when(ticket.updated_at)),
        _field("Due", _when(ticket.due_at)),
        _field("Category", category),
    ]
    if ticket.closed_at:
        fields.append(_field("Closed", _when(ticket.closed_at)))
    blocks: list[Block] = [
        HeaderBlock(
            text=PlainTextObject(text=truncate(f"#{ticket.ticket_id} {subject}", HEADER_MAX))
        ),
        SectionBlock(fields=fields[:10]),
    ]
    if ticket.summary.strip():
        blocks.append(
            SectionBlock(text=PlainTextObject(text=truncate(ticket.summary, SECTION_TEXT_MAX)))
        )
    provenance = [f"Source: {ticket.source or '—'}", f"Opened by {ticket.opened_by or '—'}"]
    if ticket.escalation_level:
        provenance.append(f"Escalation: {ticket.escalation_level}")
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=escape_mrkdwn(" · ".join(provenance)))])
    )
    ref = TicketRef(ticket_id=ticket.ticket_id, customer_id=ticket.customer_id)
    buttons = [_button("Refresh", ids.TICKET_REFRESH, ref)]
    if ticket.customer_id:
        buttons.append(_button("Customer", ids.TICKET_SHOW_CUSTOMER, ref))
    blocks.append(ActionsBlock(block_id=f"ticket_{ticket.ticket_id}", elements=buttons))
    return blocks


def customer_text(customer: Customer) -> str:
    """The fallback text for a customer card."""
    return escape_mrkdwn(
        f"Customer {customer.customer_id}: {customer.contact or customer.company_name}"
    )


def build_customer_card(customer: Customer) -> list[Block]:
    """A ReadyDesk customer: who, how to reach them, where, and their support status."""
    title = customer.contact or customer.customer_id
    if customer.company_name:
        title += f" · {customer.company_name}"
    address = ", ".join(
        p for p in (customer.address, customer.city, customer.state, customer.zip) if p
    )
    support = {True: "Yes", False: "No (blocked)", None: "—"}[customer.support]
    fields = [
        _field("Customer ID", customer.customer_id),
        _field("Email", customer.email or "—"),
        _field("Phone", customer.phone or "—"),
        _field("Address", address or "—"),
        _field("Support", support),
        _field("Customer since", _when(customer.added_at)),
    ]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(title, HEADER_MAX))),
        SectionBlock(fields=fields),
    ]
    if customer.notes.strip():
        blocks.append(
            SectionBlock(text=PlainTextObject(text=truncate(customer.notes, SECTION_TEXT_MAX)))
        )
    return blocks


def build_help_card(commands: Iterable[CommandHelp], notice: str | None = None) -> list[Block]:
    """`/deskhand help`: every command with its usage, after an optional notice (already mrkdwn)."""
    lines = [f"`{escape_mrkdwn(c.usage)}`  {escape_mrkdwn(c.description)}" for c in commands]
    intro: list[Block] = [SectionBlock(text=MarkdownTextObject(text=notice))] if notice else []
    return [
        *intro,
        HeaderBlock(text=PlainTextObject(text="Deskhand commands")),
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), SECTION_TEXT_MAX))),
        DividerBlock(),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Tickets come from ReadyDesk; replies are visible only to you."
                )
            ]
        ),
    ]
