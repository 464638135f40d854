"""Digest cards: ticket totals and the oldest (or overdue) tickets, or a day's jobs by employee."""

import json
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, HeaderBlock

from api.digests import JobDigest, TicketDigest
from api.times import day_words, time_of_day
from cards import ids
from cards.common import Card, age, button, button_raw, context, mrkdwn_section, plain
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import TicketQuery
from cards.tickets import describe

BREAKDOWN_QUERY = (
    "Each count by status, priority or group is that `/tickets` search with the value added, "
    "e.g. `status:Open` in place of `status:unresolved`, or `priority:High`; “none of these” "
    "is the rest of the total."
)
TITLES = {
    "unresolved": "Unresolved tickets",
    "overdue": "Overdue tickets",
    "unassigned": "Unassigned tickets",
    "jobs-today": "Jobs today",
    "jobs-tomorrow": "Jobs tomorrow",
}


def digest_card(
    kind: str,
    digest: TicketDigest | JobDigest,
    query: TicketQuery,
    *,
    now: datetime,
    timezone: str,
    previous: str,
    subscription_id: int | None,
) -> Card:
    """A digest read now, with a line saying what changed since the `previous` snapshot."""
    if isinstance(digest, JobDigest):
        ids_now = [j.job_number for j in digest.jobs]
        change = change_line(previous, ids_now, len(ids_now), "jobs")
        return build_job_digest(
            kind, digest, timezone=timezone, change=change, subscription_id=subscription_id
        )
    return build_ticket_digest(
        kind,
        digest,
        query,
        described=describe(query),
        now=now,
        change=change_line(previous, digest.ticket_ids, digest.total, "tickets"),
        subscription_id=subscription_id,
    )


def change_line(previous: str, ids_now: list[int], total: int, noun: str) -> str:
    """What changed since the previous digest of the same subscription."""
    if not previous:
        return ""
    before = json.loads(previous)
    new = len(set(ids_now) - set(before.get("ids", [])))
    gone = len(set(before.get("ids", [])) - set(ids_now))
    delta = total - before.get("total", 0)
    sign = f"{delta:+d}" if delta else "no change"
    return (
        f"Since the last digest: {before.get('total', 0)} → {total} {noun} ({sign}); "
        f"{new} new on this list, {gone} gone."
    )


def _counts(label: str, counts: dict[str, int], total: int) -> str:
    """One breakdown's row; what no value accounts for (a ticket with no group, or a priority
    not on the list) is said as the rest, so the row adds up to the total beside it."""
    shown = [f"{escape_mrkdwn(k)} {n}" for k, n in counts.items() if n]
    rest = total - sum(counts.values())
    if rest > 0:
        shown.append(f"none of these {rest}")
    return f"*{label}:* {' · '.join(shown) or 'none'}"


def build_ticket_digest(
    kind: str,
    digest: TicketDigest,
    query: TicketQuery,
    *,
    described: str,
    now: datetime,
    change: str,
    subscription_id: int | None,
) -> Card:
    """Totals (unresolved) or the overdue list, the change since last time, and buttons.

    The total stands beside the `/tickets` query that lists the same tickets (its Show in
    /tickets button runs it); each breakdown row is that query with its value added."""
    title = TITLES[kind] + (f" · {described}" if described else "")
    counted = counted_query(kind, query)
    word = {"unresolved": "unresolved", "overdue": "overdue"}.get(kind, "unassigned")
    total = f"*{digest.total:,}* {word}"
    if digest.partial:
        total += " (among the newest tickets checked)"
    lines = [f"{total} · `/tickets {describe(counted)}`"]
    if digest.by_status:
        for label, counts in (
            ("By status", digest.by_status),
            ("By priority", digest.by_priority),
            ("By group", digest.by_group),
        ):
            lines.append(_counts(label, counts, digest.total))
    blocks: list[Block] = [HeaderBlock(text=plain(title, 150)), mrkdwn_section("\n".join(lines))]
    if digest.by_status:
        blocks.append(context(BREAKDOWN_QUERY))
    rows = [
        f"• *#{t.ticket_id}* {escape_mrkdwn(truncate(t.subject or '(no subject)', 80))} · "
        f"{escape_mrkdwn(t.status)} · {age(t.due_at if kind == 'overdue' else t.opened_at, now)}"
        for t in digest.tickets
    ]
    if rows:
        heading = "Most overdue" if kind == "overdue" else "Oldest"  # both lists run oldest first
        blocks.append(mrkdwn_section(f"*{heading}:*\n" + "\n".join(rows)))
    return _finish(blocks, title, change, subscription_id, counted)


def counted_query(kind: str, query: TicketQuery) -> TicketQuery:
    """The `/tickets` search that lists exactly the tickets a ticket digest counts: its filters
    and the digest's own set (unresolved, overdue), from the first page."""
    if kind == "overdue":
        return query.model_copy(update={"overdue": True, "page": 1})
    unassigned = {"unassigned": True} if kind == "unassigned" else {}
    return query.model_copy(update={"unresolved": not query.status, "page": 1, **unassigned})


def build_job_digest(
    kind: str, digest: JobDigest, *, timezone: str, change: str, subscription_id: int | None
) -> Card:
    """The day's jobs grouped by who is on them, with times in the business's zone."""
    by_person: dict[str, list[str]] = {}
    for job in digest.jobs:
        line = (
            f"{time_of_day(digest.starts_at(job), timezone)} · Job {job.job_number} "
            f"{escape_mrkdwn(truncate(job.name, 60))}"
        )
        for person in digest.crews.get(job.global_id) or ["Nobody assigned"]:
            by_person.setdefault(person, []).append(line)
    title = f"{TITLES[kind]} · {day_words(digest.day)}"
    blocks: list[Block] = [
        HeaderBlock(text=plain(title, 150)),
        mrkdwn_section(f"*{len(digest.jobs)}* jobs"),
    ]
    for person, lines in list(by_person.items())[:20]:
        blocks.append(mrkdwn_section(f"*{escape_mrkdwn(person)}*\n" + "\n".join(lines[:30])))
    return _finish(blocks, title, change, subscription_id, None)


def _finish(
    blocks: list[Block],
    title: str,
    change: str,
    subscription_id: int | None,
    query: TicketQuery | None,
) -> Card:
    if change:
        blocks.append(context(escape_mrkdwn(change)))
    buttons = []
    if query is not None:
        buttons.append(button("Show in /tickets", ids.DIGEST_SHOW_TICKETS, query))
    if subscription_id is not None:
        buttons.append(button_raw("Pause", ids.DIGEST_PAUSE, str(subscription_id)))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return Card(text=escape_mrkdwn(title), blocks=blocks)


PAUSED_BY = "Paused by"


def paused_message(message: dict[str, Any], subscription_id: int, user_id: str) -> dict[str, Any]:
    """A posted digest once its Pause was pressed: the same, without Pause, saying who paused
    it and how to resume (for everyone in the channel, not only the presser)."""
    blocks = []
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            kept = [e for e in block.get("elements", []) if e.get("action_id") != ids.DIGEST_PAUSE]
            block = {**block, "elements": kept} if kept else None
        if block:
            blocks.append(block)
    said = f"{PAUSED_BY} <@{user_id}>: `/digest resume {subscription_id}` starts it again."
    blocks.append(context(said).to_dict())
    return {"text": message.get("text") or "Digest", "blocks": blocks}


def resumed_message(message: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A digest `paused_message` drew, once the digest is resumed: its last line says who paused
    it and who resumed it, no longer how to resume it."""
    blocks = list(message.get("blocks") or [])
    for n, block in enumerate(blocks):
        said = (block.get("elements") or [{}])[0].get("text", "")
        if block.get("type") == "context" and said.startswith(PAUSED_BY):
            who = said.split(":", 1)[0]
            blocks[n] = context(f"{who}, resumed by <@{user_id}>.").to_dict()
    return {"text": message.get("text") or "Digest", "blocks": blocks}
