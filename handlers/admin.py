"""`/deskhand audit`: the last writes from Slack, for admins."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.times import local_time
from cards.common import context, mrkdwn_section
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn, truncate
from handlers.subcommands import Subcommands
from store import Store

SHOWN = 20


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add `audit` (for admins) to `/deskhand`."""
    subcommands.add("audit", show_audit, admin=True, bare="audit")


async def show_audit(
    ack: AsyncAck, respond: AsyncRespond, store: Store, config: HandlerConfig
) -> None:
    """The last 20 write attempts: when (the business's time, as cards say it), who, what,
    and how each ended."""
    await ack()
    rows = await store.audit.recent(limit=SHOWN)
    if not rows:
        await respond(response_type="ephemeral", text="No writes from Slack yet.")
        return
    lines = []
    for row in rows:
        reference = f" → {escape_mrkdwn(row.reference)}" if row.reference else ""
        what = f" ({escape_mrkdwn(truncate(row.summary, 60))})" if row.summary else ""
        lines.append(
            f"`{local_time(row.at, config.timezone)}` <@{row.user_id}> {escape_mrkdwn(row.action)} "
            f"{escape_mrkdwn(truncate(row.target, 60))}{what}: *{row.outcome}*{reference}"
        )
    blocks: list[Any] = [
        mrkdwn_section("\n".join(lines)),
        context("All of it, with details: `deskhand audit --since 7d --json` on the bot's server."),
    ]
    await respond(
        response_type="ephemeral",
        text=f"The last {len(rows)} writes from Slack",
        blocks=[b.to_dict() for b in blocks],
    )
