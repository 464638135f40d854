"""Running Deskhand's workflow steps without Slack: the `function_executed` event Slack sends when
a workflow reaches a custom step, built from the step's definition (cards/steps.py) and an
execution the Slack fake started (its own `bot_access_token`), with typed input values; and
`run-step <callback_id> key=value …` as the console reads it."""

import re
import secrets
import shlex
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cards.steps import INTERACTIVITY, STEPS, TIMESTAMP, Parameter, Step
from sandbox.slack_functions import Execution, FunctionExecutions
from store import Store

APP_ID = "A0DESKHAND"
NO_ONE = "none"  # interactivity=none: a run with no interactor (a scheduled workflow's)
NOT_COMPLETED = "did not complete (Slack would time it out)."


@dataclass(frozen=True)
class StepRun:
    """One run of a step as the console and the web page show it: how it ended (the
    execution's outputs or error) and the audit log's lines for what it did."""

    step: Step
    execution: Execution
    did: list[str]


async def execute(
    step: Step,
    inputs: dict[str, Any],
    functions: FunctionExecutions,
    deliver: Callable[[dict[str, Any]], Awaitable[object]],
    store: Store,
    now: Callable[[], datetime],
) -> StepRun:
    """Run `step` as Slack does: the fake starts an execution with its own token, `deliver`
    takes its `function_executed` event to the app (and returns once the work it started is
    done); then how it ended, and what the audit log says it did."""
    run = functions.start(step.callback_id, inputs)
    since = now() - timedelta(seconds=1)
    before = await store.audit.recent(since=since, limit=1)  # a run just before: not this one's
    last = before[0].id if before else 0
    await deliver(function_event(step, run))
    rows = [
        r
        for r in await store.audit.recent(since=since)
        if r.action.startswith("step.") and r.id > last
    ]
    return StepRun(step, run, [row.as_line() for row in reversed(rows)])


def function_event(step: Step, run: Execution) -> dict[str, Any]:
    """The `function_executed` event for `run` of `step`, as Slack sends it."""
    return {
        "type": "function_executed",
        "function": {
            "id": "Fn" + step.callback_id.upper().replace("_", "")[:9],
            "callback_id": step.callback_id,
            "title": step.title,
            "description": step.description,
            "type": "app",
            "input_parameters": _described(step.inputs),
            "output_parameters": _described(step.outputs),
            "app_id": APP_ID,
            "date_updated": int(time.time()),
        },
        "inputs": run.inputs,
        "function_execution_id": run.execution_id,
        "workflow_execution_id": "Wx" + run.execution_id[2:],
        "event_ts": f"{time.time():.6f}",
        "bot_access_token": run.token,
    }


def _described(parameters: tuple[Parameter, ...]) -> list[dict[str, Any]]:
    return [
        {
            "type": p.type,
            "name": p.name,
            "title": p.title,
            "description": p.description,
            "is_required": p.required,
        }
        for p in parameters
    ]


def interactivity(user_id: str) -> dict[str, Any]:
    """An interactivity input value: who pressed the button or sent the form that ran it."""
    return {
        "interactivity_pointer": f"{int(time.time())}.{secrets.token_hex(6)}",
        "interactor": {"id": user_id, "secret": secrets.token_hex(8)},
    }


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")  # what a typed integer input is sent as a number


def step_inputs(step: Step, given: dict[str, str], user_id: str) -> dict[str, Any] | str:
    """Typed inputs from `key=value` words (numbers as numbers; the interactivity input is
    `user_id`'s unless given as `none`), or why they are not the step's."""
    known = {p.name: p for p in step.inputs}
    unknown = [k for k in given if k not in known]
    if unknown:
        names = ", ".join(known)
        return f"{step.title} has no input {', '.join(unknown)}; its inputs are {names}."
    inputs: dict[str, Any] = {}
    for name, value in given.items():
        kind = known[name].type
        if kind in ("integer", TIMESTAMP) and WHOLE_NUMBER.fullmatch(value):
            inputs[name] = int(value)
        elif kind != INTERACTIVITY:
            inputs[name] = value
    wants = any(p.type == INTERACTIVITY for p in step.inputs)
    if wants and given.get("interactivity", "").lower() != NO_ONE:
        inputs["interactivity"] = interactivity(user_id)
    return inputs


def parse_run(text: str) -> tuple[Step, dict[str, str]] | str:
    """`<callback_id> key=value …` (values quoted when they hold spaces), or its usage."""
    try:
        words = shlex.split(text)
    except ValueError as err:
        return f"Could not read that: {err}."
    usage = "Usage: run-step <step> key=value …; steps: " + ", ".join(STEPS)
    if not words or words[0] not in STEPS:
        return usage
    pairs = [w.partition("=") for w in words[1:]]
    if any(not sep or not key for key, sep, _ in pairs):
        return usage
    return STEPS[words[0]], {key: value for key, _, value in pairs}
