"""Submitting a form that writes: inside Slack's 3-second window when the backend is quick
(field errors keep the modal open with everything typed), a "Saving…" view when it is not."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.errors import InvalidRequest
from api.writes import WriteResult, keep_running
from cards.modals import still_saving_view
from store import Store
from store.claims import DONE, UNKNOWN

ACK_BUDGET = 2.0  # seconds to finish a write inside Slack's 3-second window for the modal


async def finish_submission(
    ack: AsyncAck,
    client: AsyncWebClient,
    view_id: str,
    write: Awaitable[WriteResult],
    *,
    saving: View,
    outcome: Callable[[WriteResult], View],
    field_errors: Callable[[InvalidRequest], dict[str, str]],
    pending: "Pending | None" = None,
) -> None:
    """Ack the submission with the outcome, or with `saving` and then update to the outcome.

    A refusal the backend explains field by field becomes `response_action: errors`, so the
    modal stays open with what was typed (`field_errors` maps it to block ids). A second submit
    while the first is still saving says so, then shows the first one's outcome.
    """
    keep_running()
    task = asyncio.ensure_future(write)
    done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET)
    if not done:  # a slow backend: say so now, tell the outcome when it comes
        await ack(response_action="update", view=saving)
        await client.views_update(view_id=view_id, view=outcome(await task))
        return
    result = task.result()
    if result.outcome == "duplicate" and pending is not None and not result.reference:
        await ack(response_action="update", view=still_saving_view())
        await client.views_update(view_id=view_id, view=outcome(await pending.settled()))
        return
    if result.outcome == "failed" and isinstance(result.error, InvalidRequest):
        errors = field_errors(result.error)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
    await ack(response_action="update", view=outcome(result))


@dataclass(frozen=True)
class Pending:
    """A form's claim, to wait on when the same form was submitted again while it saves."""

    store: Store
    intent_key: str
    poll: float = 0.5
    patience: float = 60.0

    async def settled(self) -> WriteResult:
        """The first submit's outcome, once its claim is finished (or given up on)."""
        deadline = asyncio.get_running_loop().time() + self.patience
        while asyncio.get_running_loop().time() < deadline:
            claim = await self.store.claims.get(self.intent_key)
            if claim is None:  # released: the first try was not written and says why
                return WriteResult("failed")
            if claim.state == DONE:
                return WriteResult("duplicate", claim.reference, earlier=claim)
            if claim.state == UNKNOWN:
                return WriteResult("unknown")
            await asyncio.sleep(self.poll)
        return WriteResult("unknown")


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The submitted values by block id (selects give their chosen value)."""
    out: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for value in actions.values():
            chosen = (value.get("selected_option") or {}).get("value")
            picked = chosen or value.get("selected_date") or value.get("selected_time")
            out[block_id] = (picked or value.get("value") or "").strip()
    return out
