"""`run-step <callback_id> key=value …` in the console: the workflow step run as Slack runs it
(the Slack fake starts an execution with its own token and sends the signed `function_executed`
event to the app, as the console person, its interactor), then what it gave back (its outputs, or
its error) and what it did (the audit log's rows for it)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from playground.slack_requests import JSON, SlackRequests
from playground.step_runs import function_event, parse_run, step_inputs
from sandbox.slack import SlackSandbox
from store import Store


class StepConsole(Protocol):
    """What running a step needs of the console: the app, the Slack fake, the store, its clock."""

    slack: SlackSandbox
    requests: SlackRequests
    store: Store
    clock: Callable[[], datetime]

    @property
    def app(self) -> AsyncApp:
        """The app as served."""
        ...

    async def settle(self) -> None:
        """Wait for the listener work the last request started."""
        ...


async def run_step(console: StepConsole, text: str, user_id: str) -> list[dict[str, Any]]:
    """Run the step `text` names with its inputs; the replies that say how it ended."""
    parsed = parse_run(text)
    if isinstance(parsed, str):
        return [_said(parsed)]
    step, given = parsed
    inputs = step_inputs(step, given, user_id)
    if isinstance(inputs, str):
        return [_said(inputs)]
    run = console.slack.functions.start(step.callback_id, inputs)
    since = console.clock() - timedelta(seconds=1)
    body = console.requests.event(function_event(step, run))
    await console.app.async_dispatch(
        AsyncBoltRequest(body=body, headers=console.requests.headers(body, JSON))
    )
    await console.settle()
    if run.outputs is not None:
        shown = "\n".join(f"• {name}: {value}" for name, value in run.outputs.items())
        said = f"{step.title} completed:\n{shown}"
    elif run.error is not None:
        said = f"{step.title} failed: {run.error}"
    else:
        said = f"{step.title} did not complete (Slack would time it out)."
    rows = [
        r for r in await console.store.audit.recent(since=since) if r.action.startswith("step.")
    ]
    did = "\n".join(f"• {row.as_line()}" for row in reversed(rows)) or "• nothing written"
    return [_said(said), _said(f"What it did:\n{did}")]


def _said(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text, "blocks": [], "via": "console"}
