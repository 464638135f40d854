"""The claim sweeper: finishes the story of writes whose outcome is not known yet.

A pending claim whose lease ran out belonged to a process that was killed (or hung) between
claiming and recording the outcome; an unknown claim is one whose reply was lost and whose
read-back has not found it (yet). Whichever process sweeps first takes the claim over and reads
the target back: found, it is written; not there after the apply window (api/writes.py), it is
not written. It records the outcome in the claim and the audit row (whose first reason stays),
and tells the person: in place of their reply when Slack's response_url still works (30
minutes), else in a DM.
"""

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.http import redact
from api.visits import VISIT_NOTES
from api.writes import (
    OWNER,
    STOPPED,
    Intent,
    Settling,
    WritePlan,
    WriteResult,
    outcome_label,
    reconcile,
)
from cards.common import mrkdwn_section
from cards.config import HandlerConfig
from cards.outcomes import given_back, settled_text, typed_back_again
from live.delivery import Delivery, Undelivered
from live.dispatch import dispatch_confirmed_step
from live.thread_sync import tell_settled
from store import Store
from store.claims import PENDING, UNKNOWN, Claim
from telemetry.metrics import CLAIMS_TAKEN_OVER, RECONCILED, timed_run

logger = logging.getLogger("deskhand.claims")

RESPONSE_URL_LIFE = timedelta(minutes=30)  # Slack's limit on a response_url
GIVE_UP_AFTER = timedelta(days=1)  # an outcome still unknown then is left for a person to check
TELL_ROUNDS, TELL_PAUSE = 3, 2.0  # an outcome's DM refused past its call's retries: again later


@timed_run("claim_sweep")
async def sweep_claims(
    desk: Desk,
    store: Store,
    slack: AsyncWebClient,
    now: datetime,
    *,
    config: HandlerConfig | None = None,
) -> list[str]:
    """Reconcile every claim whose owner is gone or whose outcome is unknown; what became of
    each. A job step found written is said in the dispatch channel too (`config`'s), as its
    button says it."""
    dispatch_channel = config.dispatch_channel if config else ""
    taken = await store.claims.take_stale(OWNER, now=now, lease=desk.writes.lease)
    CLAIMS_TAKEN_OVER.inc(sum(claim.state == PENDING for claim in taken))
    done = []
    for claim in taken:
        try:
            outcome = await _finish(claim, desk, store, slack, now, dispatch_channel)
        except Exception:  # one claim's trouble must not stop the others being finished
            logger.exception("could not finish the claim %s", claim.intent_key)
            outcome = "error (see log)"
        done.append(f"{claim.action} {claim.intent_key}: {outcome}")
    return done


async def _finish(
    claim: Claim, desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, dispatch: str
) -> str:
    if not claim.plan:  # claimed before writes carried a plan: there is nothing to read back
        await store.claims.finish(claim.intent_key, state=UNKNOWN)
        await store.audit.record(
            user_id=claim.user_id,
            channel_id="",
            action=claim.action,
            target=claim.intent_key,
            summary="",
            outcome="unknown",
            detail="left unfinished by a Deskhand that kept no way to read it back",
        )
        await _tell(slack, claim, None, WriteResult("unknown"), now)
        return "unknown for good: no plan to read it back"
    plan = WritePlan.model_validate_json(claim.plan)
    intent = Intent(claim.intent_key, claim.action, claim.user_id, "", plan.label, "", plan)
    # Only a pending claim's process died; an unknown one keeps the reason its reply was lost.
    stopped = claim.state == PENDING
    reason = STOPPED if stopped else await _first_reason(store, claim)
    settling = Settling(claim.finished_at or claim.claimed_at, now, reason)
    result = await reconcile(
        store, intent, claim.audit_id, None, desk.find_write, settling, settings=desk.writes
    )
    RECONCILED.labels(outcome_label(result.outcome)).inc()
    if result.outcome != "unknown":
        await _tell(slack, claim, plan, result, now)
        if result.outcome in ("written", "confirmed") and plan.target.isdigit():
            target = int(plan.target)
            await dispatch_confirmed_step(
                slack, desk, dispatch, claim.action, claim.user_id, target, claim.intent_key, now
            )
        return result.outcome
    if now - claim.claimed_at >= GIVE_UP_AFTER:  # stop reading it back, and say so
        await store.claims.finish(claim.intent_key, state=UNKNOWN)
        await _tell(slack, claim, plan, replace(result, given_up=True), now)
        return "still unknown after a day; told, no longer read back"
    if not stopped:
        return "still unknown; read back again later"  # they were told it could not be confirmed
    await _tell(slack, claim, plan, result, now)  # a killed write: say it is not known yet
    return "unknown; told, read back again later"


async def _first_reason(store: Store, claim: Claim) -> str:
    """Why the write's reply was lost, as its audit row first said."""
    reason = await store.audit.reason(claim.audit_id) if claim.audit_id is not None else ""
    return reason or "its reply was lost"


async def _tell(
    slack: AsyncWebClient,
    claim: Claim,
    plan: WritePlan | None,
    result: WriteResult,
    now: datetime,
) -> None:
    """The final outcome to the person: where they were waiting, or in a DM (both delivered
    by the outbound choke point's rules: retried within Slack's, the DM when the reply fails)."""
    if claim.action.startswith(VISIT_NOTES):
        return  # not final: the visit's own sweep (workers/visits.py) writes it, and says so
    if plan and plan.posted_in:  # a thread reply: told on the reply itself
        await tell_settled(slack, plan, result)
        return
    # Nothing here came from a backend's error text, but a response_url post passes no
    # scrubbing client, so it scrubs for itself.
    label, rest, undone = (plan.label, plan.rest, plan.undone) if plan else (claim.action, "", "")
    text = redact(settled_text(label, result, rest, undone))
    blocks = [mrkdwn_section(text)]
    if plan and (back := given_back(plan, result)):  # Try again: for what was never written
        try_again = result.outcome in ("failed", "confirmed")
        blocks += typed_back_again(plan, redact(back), try_again)
    payload = [b.to_dict() for b in blocks]
    waiting = plan and plan.response_url and now - claim.claimed_at < RESPONSE_URL_LIFE
    if waiting and await _respond(slack, plan.response_url, text, payload):
        return
    for round_ in range(1, TELL_ROUNDS + 1):
        try:
            await slack.chat_postMessage(channel=claim.user_id, text=text, blocks=payload)
            return
        except Undelivered as err:
            # Refused past one call's retries (a ratelimit spell), never posted: nothing else
            # will tell them once the claim is settled, so it is tried again, a while later.
            if err.maybe_posted or round_ == TELL_ROUNDS:
                _not_told(claim, err)
                return
            await asyncio.sleep(TELL_PAUSE * round_)
        except SlackApiError as err:
            _not_told(claim, err)
            return


def _not_told(claim: Claim, err: SlackApiError) -> None:
    why = err.response.get("error")
    logger.warning("could not tell %s how %s ended: %s", claim.user_id, claim.action, why)


async def _respond(
    slack: AsyncWebClient, response_url: str, text: str, blocks: list[dict[str, Any]]
) -> bool:
    """Post to where the person was waiting, retried within Slack's rules; False when that
    did not work (then a DM)."""
    delivery = getattr(slack, "delivery", None) or Delivery()
    message = {
        "text": text,
        "blocks": blocks,
        "response_type": "ephemeral",
        "replace_original": False,
    }
    return await delivery.reply(response_url, message)
