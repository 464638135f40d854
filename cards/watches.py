"""A channel watch in words, as `/deskhand watches`, Home and the audit log all say it."""

import json

from cards.mrkdwn import escape_mrkdwn
from cards.refs import TicketQuery
from cards.tickets import search_text
from store.alerts import Watch


def describe_watch(watch: Watch) -> str:
    """What a watch looks for, escaped for mrkdwn: `priority:Urgent`, `every new ticket`,
    `jobs today with status scheduled`."""
    return escape_mrkdwn(watch_text(watch))


def watch_text(watch: Watch) -> str:
    """What a watch looks for, as plain text (the audit log's)."""
    if watch.kind == "jobs":
        saved = json.loads(watch.filters or "{}")
        status = f" with status {saved['status']}" if saved.get("status") else ""
        return f"jobs {saved.get('window', 'today')}{status}"
    return search_text(TicketQuery.model_validate_json(watch.filters or "{}")) or "every new ticket"


def watch_line(watch: Watch) -> str:
    """`#1` tickets: priority:Urgent (mrkdwn), the line that names a watch in a list."""
    return f"`#{watch.id}` {watch.kind}: {describe_watch(watch)}"
