"""`run-step <callback_id> key=value …` in the console: the workflow step run as Slack runs it
(the Slack fake starts an execution with its own token and sends the signed `function_executed`
event to the app, as the console person, its interactor), then what it gave back (its outputs, or
its error) and what it did (the audit log's rows for it)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from playground.slack_requests import JSON, SlackRequests
from playground.step_runs import NOT_COMPLETED, execute, parse_run, step_inputs
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

    async def deliver(event: dict[str, Any]) -> None:
        body = console.requests.event(event)
        await console.app.async_dispatch(
            AsyncBoltRequest(body=body, headers=console.requests.headers(body, JSON))
        )
        await console.settle()

    ran = await execute(
        step, inputs, console.slack.functions, deliver, console.store, console.clock
    )
    run = ran.execution
    if run.outputs is not None:
        shown = "\n".join(f"• {name}: {value}" for name, value in run.outputs.items())
        said = f"{step.title} completed:\n{shown}"
    elif run.error is not None:
        said = f"{step.title} failed: {run.error}"
    else:
        said = f"{step.title} {NOT_COMPLETED}"
    did = "\n".join(f"• {line}" for line in ran.did) or "• nothing written"
    return [_said(said), _said(f"What it did:\n{did}")]


def _said(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text, "blocks": [], "via": "console"}
