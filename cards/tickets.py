"""Ticket cards: one ticket, and a page of `/tickets` results."""

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    SectionBlock,
    StaticSelectElement,
)

from api.callbacks import Visit
from api.readydesk import Ticket
from api.readydesk.search import TicketPage
from api.tickets import TicketListView, TicketView
from api.times import local_time
from api.visits import VisitView
from cards import ids
from cards.callbacks import callback_block
from cards.common import (
    FALLBACK_MAX,
    HEADER_MAX,
    Card,
    CardSettings,
    MenuOption,
    age,
    button,
    button_raw,
    context,
    field_text,
    link_button,
    mrkdwn_section,
    note_target,
    plain,
    share_button,
)
from cards.live import ticket_key, ticket_state
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import CustomerRef, TicketQuery, TicketRef, ref_value
from cards.visits import visit_rows

ROW_SUBJECT_MAX = 120


def ticket_text(ticket: Ticket) -> str:
    """The notification / screen-reader fallback for a ticket card."""
    return truncate(
        escape_mrkdwn(f"Ticket #{ticket.ticket_id}: {ticket.subject or '(no subject)'}"),
        FALLBACK_MAX,
    )


def build_ticket_card(
    ticket: Ticket,
    *,
    web_url: str | None = None,
    shareable: bool = True,
    statuses: list[str] | None = None,
    timezone: str = "UTC",
    visits: list[VisitView] | None = None,
) -> list[Block]:
    """A ticket: header, status facts, summary, provenance and the buttons that act on it; its
    times in the business's time zone (`timezone`), which they name."""
    subject = ticket.subject or "(no subject)"
    assigned = " · ".join(p for p in (ticket.assigned_tech, ticket.assigned_group_name) if p)
    customer = ticket.contact or ticket.customer_id or "—"
    if ticket.customer_id and ticket.contact:
        customer += f" ({ticket.customer_id})"
    if ticket.company_name:
        customer += f"\n{ticket.company_name}"
    category = " / ".join(p for p in (ticket.category, ticket.sub_category) if p) or "—"
    fields = [
        field_text("Status", ticket.status or "—"),
        field_text("Priority", ticket.priority or "—"),
        field_text("Customer", customer),
        field_text("Assigned to", assigned or "Unassigned"),
        field_text("Opened", local_time(ticket.opened_at, timezone, none="—")),
        field_text("Last updated", local_time(ticket.updated_at, timezone, none="—")),
        field_text("Due", local_time(ticket.due_at, timezone, none="—")),
        field_text("Category", category),
    ]
    if ticket.closed_at:
        fields.append(field_text("Closed", local_time(ticket.closed_at, timezone, none="—")))
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"#{ticket.ticket_id} {subject}", HEADER_MAX)),
        SectionBlock(fields=fields[:10]),
    ]
    if ticket.summary.strip():
        blocks.append(SectionBlock(text=plain(ticket.summary)))
    provenance = [f"Source: {ticket.source or '—'}", f"Opened by {ticket.opened_by or '—'}"]
    if ticket.escalation_level:
        provenance.append(f"Escalation: {ticket.escalation_level}")
    blocks.append(context(escape_mrkdwn(" · ".join(provenance))))
    blocks += visit_rows(visits or [], timezone)
    ref = ref_value(TicketRef(ticket_id=ticket.ticket_id))  # what each button remembers
    buttons: list[Any] = [
        button("Refresh", ids.TICKET_REFRESH, ref),
        button_raw("Add note", ids.ADD_NOTE, note_target("ticket", ticket.ticket_id)),
        button("Assign to me", ids.TICKET_ASSIGN_ME, ref),
    ]
    if statuses:
        buttons.append(_status_select(ticket, statuses))
    if not ticket.is_closed:
        buttons.append(button("Book a visit", ids.BOOK_VISIT, ref))
        buttons.append(button("Close", ids.TICKET_CLOSE, ref, style="danger"))
    if ticket.customer_id:
        customer = CustomerRef(readydesk_id=ticket.customer_id)
        buttons.append(button("Customer", ids.TICKET_SHOW_CUSTOMER, customer))
    if web_url:
        url = web_url.replace("{tid}", str(ticket.ticket_id))
        buttons.append(link_button("Open in ReadyDesk", ids.TICKET_OPEN_WEB, url))
    if shareable:
        buttons.append(share_button(ref))
    blocks.append(ActionsBlock(block_id=f"ticket_{ticket.ticket_id}", elements=buttons))
    return blocks


def _status_select(ticket: Ticket, statuses: list[str]) -> StaticSelectElement:
    """Status: the help desk's statuses, the ticket's own preselected."""
    options = [MenuOption(s, s[:150]) for s in statuses[:100]]
    current = next((o for o in options if o.value == ticket.status), None)
    return StaticSelectElement(
        action_id=ids.TICKET_SET_STATUS,
        placeholder="Status",
        options=options,
        initial_option=current,
    )


def build_ticket_list_card(
    result: TicketPage,
    query: TicketQuery,
    *,
    described: str,
    now: datetime,
    hint: str | None = None,
    shareable: bool = True,
) -> Card:
    """A page of tickets: the total, one row each with an Open button, and paging buttons.

    `described` is the search in the user's own words (already escaped); `hint` an optional
    grey line such as the grammar.
    """
    shown = f"{result.total:,} ticket{'s' if result.total != 1 else ''}"
    if result.scan_limit:
        shown += f" among the newest {result.scan_limit:,} checked"
    title = f"*{shown}* · {described}" if described else f"*{shown}* · newest first"
    blocks: list[Block] = [mrkdwn_section(title)]
    if hint:
        blocks.append(context(hint))
    for ticket in result.tickets:
        blocks.append(_ticket_row(ticket, now))
    if not result.tickets:
        blocks.append(mrkdwn_section("_Nothing matches._"))
    blocks.append(context(f"Page {result.page} of {result.pages:,}"))
    buttons = []
    if result.page > 1:
        buttons.append(button("Previous", ids.TICKETS_PAGE_PREVIOUS, _page(query, -1)))
    if result.page < result.pages:
        buttons.append(button("Next", ids.TICKETS_PAGE_NEXT, _page(query, +1)))
    if shareable:
        buttons.append(share_button(query))
    if buttons:
        blocks.append(ActionsBlock(block_id="tickets_paging", elements=buttons))
    return Card(text=truncate(f"{shown} · {described}", FALLBACK_MAX), blocks=blocks)


def _page(query: TicketQuery, step: int) -> TicketQuery:
    return query.model_copy(update={"page": max(1, query.page + step)})


def row_customer(ticket: Ticket) -> str:
    """Who a ticket is for, as every ticket row says it: the contact, then the business."""
    names = [n for n in (ticket.contact, ticket.company_name) if n]
    if len(names) == 2 and names[0] == names[1]:
        names.pop()
    return ", ".join(names) or ticket.customer_id or "no customer"


def _ticket_row(ticket: Ticket, now: datetime) -> SectionBlock:
    subject = truncate(ticket.subject or "(no subject)", ROW_SUBJECT_MAX)
    facts = [
        ticket.status or "—",
        ticket.priority or "—",
        row_customer(ticket),
        ticket.assigned_tech or "unassigned",
        age(ticket.opened_at, now),
    ]
    text = f"*#{ticket.ticket_id}* {escape_mrkdwn(subject)}\n" + escape_mrkdwn(" · ".join(facts))
    ref = TicketRef(ticket_id=ticket.ticket_id)
    return SectionBlock(
        block_id=f"row_{ticket.ticket_id}",
        text=mrkdwn_section(text).text,
        accessory=button("Open", ids.TICKETS_OPEN, ref),
    )


def card_for(view: TicketView, config: CardSettings, *, shareable: bool = True) -> Card:
    """A ticket read now, as its card."""
    return ticket_card(
        view.ticket,
        config,
        view.statuses,
        shareable=shareable,
        unread=view.unread,
        callback=view.callback,
        visits=view.visits,
    )


def ticket_card(
    ticket: Ticket,
    config: CardSettings,
    statuses: list[str],
    *,
    shareable: bool = True,
    unread: str = "",
    callback: Visit | None = None,
    visits: list[VisitView] | None = None,
) -> Card:
    """A ticket already read, as a card that knows what a live copy of it watches; `unread`
    is a line naming what could not be read, `callback` the visit it may be a callback about."""
    blocks = build_ticket_card(
        ticket,
        web_url=config.readydesk_web_url,
        shareable=shareable,
        statuses=statuses,
        timezone=config.timezone,
        visits=visits,
    )
    if callback is not None:  # under the facts, where the eye goes first
        blocks.insert(2, callback_block(callback, config.timezone))
    if unread:
        blocks.insert(len(blocks) - 1, context(escape_mrkdwn(unread)))
    return Card(
        text=ticket_text(ticket),
        blocks=blocks,
        live=(ticket_key(ticket.ticket_id), ticket_state(ticket)),
    )


def list_card_for(view: TicketListView, *, hint: str | None = None, shareable: bool = True) -> Card:
    """A page of a ticket search as its card; `hint` is an optional grey line (the grammar)."""
    return build_ticket_list_card(
        view.page,
        view.query,
        described=describe(view.query),
        now=view.now,
        hint=hint,
        shareable=shareable,
    )


def describe(query: TicketQuery) -> str:
    """The query back in the `/tickets` grammar's own words, escaped for mrkdwn."""
    return escape_mrkdwn(search_text(query))


def search_text(query: TicketQuery) -> str:
    """The query back in the `/tickets` grammar's own words, as plain text."""
    parts = [
        f"{key}:{_quoted(value)}"
        for key in ("status", "priority", "tech", "group", "customer", "category", "source")
        if (value := getattr(query, key))
    ]
    if query.unresolved:
        parts.insert(0, "status:unresolved")
    if query.unassigned:
        parts.append("tech:none")
    if query.overdue:
        parts.append("due:overdue")
    elif query.due:
        parts.append(f"due:{query.due.isoformat()}")
    if query.opened_from or query.opened_to:
        start = query.opened_from.date().isoformat() if query.opened_from else ""
        end = query.opened_to.date().isoformat() if query.opened_to else ""
        parts.append(f"opened:{start}..{end}")
    if query.words:
        parts.append(f'"{query.words}"')
    return truncate(" ".join(parts), 500)


def _quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value
