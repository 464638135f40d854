"""Listener middleware for Workflow Builder steps: each execution runs at most once, and a write
step acts for the person Slack vouches for (the `interactivity` input's interactor), under the
rules for who may write; a `user` input is only recorded.

Slack retries a `function_executed` event, Socket Mode redelivers it and every replica receives
it: the step's `function_execution_id` is claimed in the database (the events table's unique
key) before anything runs, so only the first delivery acts.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from api.http import redact
from cards.config import HandlerConfig
from cards.mrkdwn import truncate
from cards.steps import NO_INTERACTOR, NOT_A_WRITER, STEPS
from handlers.middleware import WritePermission
from telemetry.metrics import WRITES

logger = logging.getLogger("deskhand.steps")
WORKFLOW = "workflow"  # who an unattended write step is audited as


@dataclass(frozen=True)
class StepActor:
    """Who a step acts for: the interactor (or, unattended, the workflow), and the person the
    workflow named it is for (recorded only)."""

    user_id: str  # the interactor's Slack user id, or WORKFLOW
    on_behalf: str  # the `user` input: recorded in what is written and the audit log
    execution_id: str

    @property
    def said(self) -> str:
        """Who is told later, as a workflow author reads it ("": an unattended run's workflow,
        which no one is told of; its audit row says how it ended)."""
        return f"<@{self.user_id}>" if self.user_id != WORKFLOW else ""


def execution_of(body: dict[str, Any]) -> dict[str, Any]:
    """The `function_executed` event of a step's request."""
    event = body.get("event")
    return event if isinstance(event, dict) else {}


def inputs_kept(event: dict[str, Any]) -> str:
    """A step's inputs as the audit log keeps them (secrets redacted, the interactivity's
    one-time pointer left out)."""
    inputs = {k: v for k, v in (event.get("inputs") or {}).items() if k != "interactivity"}
    return redact(truncate(json.dumps(inputs, ensure_ascii=False, sort_keys=True), 300))


async def once_per_execution(body: dict[str, Any], context: dict[str, Any], next: Any) -> Any:
    """Run the step only for the first delivery of its execution, whichever process gets it."""
    execution = str(execution_of(body).get("function_execution_id") or "")
    if execution and not await context["store"].claim_event(f"step:{execution}"[:64]):
        logger.info("step execution %s was already handled; skipping", execution)
        return BoltResponse(status=200, body="")
    return await next()


async def acting_person(
    body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient, fail: Any, next: Any
) -> Any:
    """A write step's actor: its interactor if a writer, the workflow when unattended writes
    are allowed; otherwise the step fails saying why, and the refusal is audited."""
    event = execution_of(body)
    inputs = event.get("inputs") or {}
    callback_id = (event.get("function") or {}).get("callback_id", "")
    interactor = ((inputs.get("interactivity") or {}).get("interactor") or {}).get("id", "")
    on_behalf = str(inputs.get("user") or "")
    execution = str(event.get("function_execution_id") or "")
    config: HandlerConfig = context["config"]
    title = STEPS[callback_id].title if callback_id in STEPS else "This step"
    if interactor:
        permission: WritePermission = context["permission"]
        why = await permission.refusal(config, client, interactor, None)
        if why is None:
            context["step_actor"] = StepActor(interactor, on_behalf, execution)
            return await next()
        why = NOT_A_WRITER.format(who=f"<@{interactor}>", step=title)
    elif config.unattended_steps:
        context["step_actor"] = StepActor(WORKFLOW, on_behalf, execution)
        return await next()
    else:
        why = NO_INTERACTOR.format(step=title)
    await write_step_failed(body, context, fail, why, outcome="refused", user_id=interactor)
    return BoltResponse(status=200, body="")


async def write_step_failed(
    body: dict[str, Any],
    context: dict[str, Any],
    fail: Any,
    why: str,
    *,
    outcome: str = "failed",
    user_id: str = "",
) -> None:
    """A write step that cannot run as given (refused, or its inputs wrong): audited with its
    inputs and why, then failed saying why."""
    event = execution_of(body)
    callback_id = (event.get("function") or {}).get("callback_id", "")
    actor = context.get("step_actor")
    who = user_id or (actor.user_id if isinstance(actor, StepActor) else "") or WORKFLOW
    WRITES.labels(f"step.{callback_id}", outcome).inc()
    await context["store"].audit.record(
        user_id=who,
        channel_id="",
        action=f"step.{callback_id}",
        target=f"workflow step {event.get('function_execution_id', '')}",
        summary=inputs_kept(event),
        outcome=outcome,
        detail=redact(why),
    )
    await fail(why)
