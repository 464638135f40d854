"""The claim sweeper: finishes the story of writes whose process stopped mid-write.

A pending claim whose lease ran out belonged to a process that was killed (or hung) between
claiming and recording the outcome; an unknown claim is one whose read-back failed. Whichever
process sweeps first takes the claim over, reads the target back, records the outcome in the
claim and the audit row, and tells the person: in place of their reply when Slack's
response_url still works (30 minutes), else in a DM.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from api.desk import Desk
from api.http import redact
from api.writes import OWNER, Intent, WritePlan, WriteResult, WriteSettings, reconcile
from handlers.cards.common import mrkdwn_section, typed_back
from handlers.mrkdwn import escape_mrkdwn
from store import Store
from store.claims import UNKNOWN, Claim

logger = logging.getLogger("deskhand.claims")

RESPONSE_URL_LIFE = timedelta(minutes=30)  # Slack's limit on a response_url
GIVE_UP_AFTER = timedelta(days=1)  # an outcome still unknown then is left for a person to check


async def sweep_claims(desk: Desk, store: Store, slack: AsyncWebClient, now: datetime) -> list[str]:
    """Reconcile every claim whose owner is gone or whose outcome is unknown; what became of
    each."""
    taken = await asyncio.to_thread(
        store.claims.take_stale, OWNER, now=now, lease=WriteSettings.lease
    )
    done = []
    for claim in taken:
        outcome = await _finish(claim, desk, store, slack, now)
        done.append(f"{claim.action} {claim.intent_key}: {outcome}")
    return done


async def _finish(
    claim: Claim, desk: Desk, store: Store, slack: AsyncWebClient, now: datetime
) -> str:
    plan = WritePlan.model_validate_json(claim.plan) if claim.plan else None
    label = plan.label if plan else claim.action
    intent = Intent(claim.intent_key, claim.action, claim.user_id, "", label, "", plan)
    was_unknown = claim.state == UNKNOWN
    result = await reconcile(store, claim.intent_key, intent, claim.audit_id, None, desk.find_write)
    if result.outcome == "unknown":
        if now - claim.claimed_at < GIVE_UP_AFTER:
            return "still unknown; read back again later"
        await asyncio.to_thread(store.claims.finish, claim.intent_key, state=UNKNOWN)
    if result.outcome == "unknown" and was_unknown:
        return "given up"  # they were already told it could not be confirmed
    await _tell(slack, claim, plan, result, now)
    return result.outcome


def _message(label: str, result: WriteResult) -> str:
    what = escape_mrkdwn(label[:1].upper() + label[1:])
    if result.outcome == "confirmed":
        return f"Update: {what} was written (Deskhand confirmed it afterwards: {result.reference})."
    if result.outcome == "failed":
        return (
            f"Update: {what} was *not written* — Deskhand stopped before it went through. "
            "Nothing was lost: here is what you wrote, to send again."
        )
    return f"Update: Deskhand *could not confirm* whether {label} was written. Please check it."


async def _tell(
    slack: AsyncWebClient,
    claim: Claim,
    plan: WritePlan | None,
    result: WriteResult,
    now: datetime,
) -> None:
    """The final outcome to the person: where they were waiting, or in a DM."""
    # Nothing here came from a backend's error text, but this path passes no outbound choke
    # point (bot/outbound.py), so it scrubs for itself.
    text = redact(_message(plan.label if plan else claim.action, result))
    blocks = [mrkdwn_section(text)]
    if plan and result.outcome != "confirmed":
        blocks += typed_back(redact(plan.typed))
    payload = [b.to_dict() for b in blocks]
    if plan and plan.response_url and now - claim.claimed_at < RESPONSE_URL_LIFE:
        webhook = AsyncWebhookClient(plan.response_url)
        reply = await webhook.send(
            text=text, blocks=payload, response_type="ephemeral", replace_original=False
        )
        if reply.status_code == 200:
            return
    try:
        await slack.chat_postMessage(channel=claim.user_id, text=text, blocks=payload)
    except SlackApiError as err:
        logger.warning(
            "could not tell %s how %s ended: %s",
            claim.user_id,
            claim.action,
            err.response.get("error"),
        )
