"""What the workflow step tests share: an execution run through the app as Slack runs it, and
what the step told Slack at its end."""

from typing import Any

from cards.steps import STEPS
from playground.step_runs import function_event, step_inputs
from sandbox.slack import SlackSandbox
from sandbox.slack_functions import Execution
from tests.bot.served import Served

ALICE = "U0CONSOLE"  # Alice Moreno in the Slack fake


async def run(
    app: Served, slack: SlackSandbox, callback_id: str, *, times: int = 1, **given: str
) -> Execution:
    """Start an execution in the Slack fake and deliver its function_executed event `times`
    times (as a retry or a second replica would get it), run as Alice unless
    `interactivity="none"`."""
    step = STEPS[callback_id]
    inputs = step_inputs(step, given, ALICE)
    assert isinstance(inputs, dict), inputs
    execution = slack.functions.start(callback_id, inputs)
    for _ in range(times):
        await app.event(function_event(step, execution))
    return execution


def completions(slack: SlackSandbox, execution: Execution) -> list[Any]:
    """The completeSuccess / completeError calls made for `execution`, with the token used."""
    return [
        c
        for c in slack.calls
        if c.name.startswith("functions.complete")
        and c.payload.get("function_execution_id") == execution.execution_id
    ]


def tickets(app: Served) -> int:
    """How many tickets the ReadyDesk fake holds."""
    return len(app.readydesk.state.data.tickets)
