"""The web sandbox's Workflows view: Deskhand's Workflow Builder steps (cards/steps.py), each
with a form of its inputs; a run is what Slack does when a workflow reaches the step (the Slack
fake starts an execution with its own token and the signed `function_executed` event goes to the
app, playground/step_runs.py), with the person at the page as its interactor. The page shows its
outputs or its error, what the audit log says it did, and what it posted in Slack."""

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from cards.steps import INTERACTIVITY, STEP_LIST, STEPS, TIMESTAMP, USER_ID, Parameter
from playground.step_runs import NO_ONE, NOT_COMPLETED, execute, step_inputs
from playground.web.render import names_of, render_template
from sandbox.workspace import DM, ME

if TYPE_CHECKING:
    from playground.web.app import WebSandbox

WORKFLOWS = "workflows"  # the view's name where a channel's id goes (`/?c=workflows`)
LONG_TEXT = {"description", "text"}  # inputs a person writes sentences in
MAX_VALUE = 4_000  # more than any step's input needs


def unknown_step(callback_id: str) -> str:
    """What the page says for a step Deskhand does not have."""
    titles = ", ".join(step.title for step in STEP_LIST)
    return f"Deskhand has no step “{callback_id[:60]}”. Its steps: {titles}."


def render_workflows(sandbox: "WebSandbox", callback_id: str) -> Markup:
    """The view: the steps to pick from, and the chosen one's form (the first step's if none)."""
    chosen = STEPS.get(callback_id or STEP_LIST[0].callback_id)
    people = sorted(
        ((uid, str(u.get("real_name") or u.get("name") or uid)) for uid, u in _users(sandbox)),
        key=lambda p: p[0] != ME,
    )
    html = render_template(
        "workflows.html",
        steps=STEP_LIST,
        step=chosen,
        problem="" if chosen else unknown_step(callback_id),
        fields=[_field(p, people) for p in chosen.inputs] if chosen else [],
        me=dict(people).get(ME, ME),
    )
    return Markup(html)  # noqa: S704 - the template escapes


async def run_workflow_step(
    sandbox: "WebSandbox", callback_id: str, typed: dict[str, Any]
) -> dict[str, Any]:
    """Run the step with what was typed in its form, as its interactor (unless the form says
    no one). The page's answer: `error` (why it was not run: nothing was sent) or the run's
    `ok` and `html` (its outputs or its error, what it did, what it posted)."""
    step = STEPS.get(callback_id)
    if step is None:
        return {"error": unknown_step(callback_id)}
    given = {str(k): str(v or "").strip()[:MAX_VALUE] for k, v in typed.items()}
    missing = [p.title for p in step.inputs if p.required and not given.get(p.name)]
    if missing:
        them = "it" if len(missing) == 1 else "them"
        return {"error": f"Fill in {_listed(missing)}: {step.title} needs {them} to run."}
    for p in step.inputs:
        if p.type == TIMESTAMP and given.get(p.name):
            when = _timestamp(given[p.name], sandbox.settings.timezone)
            if when is None:
                return {"error": f"{p.title} must be a date and time such as 2026-12-08T09:30."}
            given[p.name] = when
    inputs = step_inputs(step, {k: v for k, v in given.items() if v}, ME)
    if isinstance(inputs, str):
        return {"error": inputs}
    before = set(sandbox.workspace.messages)
    ran = await execute(
        step,
        inputs,
        sandbox.slack.functions,
        sandbox.deliver_event,
        sandbox.store,
        sandbox.clock.now,
    )
    posted = [m for key, m in sandbox.workspace.messages.items() if key not in before]
    names = names_of(sandbox.workspace)
    run = ran.execution
    html = render_template(
        "workflow_run.html",
        step=step,
        outputs=[(p, (run.outputs or {}).get(p.name, "")) for p in step.outputs if run.outputs],
        error=run.error,
        not_completed=NOT_COMPLETED if run.outputs is None and run.error is None else "",
        did=ran.did,
        posted=[(m, _where(m.channel, names.channels)) for m in posted],
    )
    return {"ok": run.outputs is not None, "html": html}


def _field(parameter: Parameter, people: list[tuple[str, str]]) -> dict[str, Any]:
    """How the form asks for one input."""
    kind = {USER_ID: "person", INTERACTIVITY: "interactor", TIMESTAMP: "datetime"}.get(
        parameter.type, "long" if parameter.name in LONG_TEXT else "text"
    )
    return {
        "p": parameter,
        "kind": kind,
        "people": people,
        "no_one": NO_ONE,
        "numeric": parameter.type == "integer",
    }


def _users(sandbox: "WebSandbox") -> list[tuple[str, dict[str, Any]]]:
    return [(uid, u) for uid, u in sandbox.slack.users.items() if not u.get("is_bot")]


def _timestamp(typed: str, timezone: str) -> str | None:
    """A datetime-local value ("2026-12-08T09:30") as Slack's timestamp type (Unix seconds), in
    Deskhand's time zone."""
    try:
        when = datetime.fromisoformat(typed)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return str(int(when.timestamp()))


def _where(channel: str, names: dict[str, str]) -> str:
    return "your messages with Deskhand" if channel == DM else "#" + names.get(channel, channel)


def _listed(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
