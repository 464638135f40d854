"""Reading a workflow step's inputs: the one business its customer words find, numbers, the
Kickserv service and employee named, and the intent its write is claimed and audited under.
Each returns the value, or the words that say why it cannot (the step fails with them)."""

from datetime import UTC, datetime
from typing import Any

from api.business import KICKSERV, READYDESK, Business, Entry
from api.customers import CustomerSearch
from api.desk import Desk
from api.writes import Intent
from cards.mrkdwn import truncate
from cards.refs import typed_number
from cards.step_words import none_found, several_found
from handlers.form_values import record_name
from handlers.step_middleware import StepActor, execution_of, inputs_kept

_SYSTEM_NAMES = {READYDESK: "ReadyDesk", KICKSERV: "Kickserv"}


async def one_customer(desk: Desk, text: str, wanted: str) -> str | Business:
    """The customer record key in `wanted` (READYDESK or KICKSERV) of the one business `text`
    finds (an exact ID or number first), or why there is not exactly one."""
    text = text.strip()
    if not text:
        return "Give the customer: an ID, or words that find exactly one customer."
    search = await desk.find_customer(text, read_one=False)
    found = [b for b in search.businesses if _record(b, wanted) == text] or search.businesses
    if len(found) != 1:
        return search_problem(search)
    if _record(found[0], wanted) is None:
        other = _SYSTEM_NAMES[KICKSERV if wanted == READYDESK else READYDESK]
        return f"{found[0].name} is only in {other}; this step needs a {_SYSTEM_NAMES[wanted]} one."
    return found[0]


def search_problem(search: CustomerSearch) -> str:
    """Why a customer search did not find exactly one business."""
    if not search.businesses:
        note = f"; {search.note}" if search.note else ""
        return none_found(search.text, f"ReadyDesk or Kickserv{note}")
    # Each with its key, so two businesses of one name can be told apart (and given).
    labels = [f"{record_name(e)} ({_key(e)})" for b in search.businesses if (e := _first(b))]
    return several_found(labels, search.text)


def _key(entry: Entry) -> str:
    return f"#{entry.record_key}" if entry.system == KICKSERV else entry.record_key


def _first(business: Business) -> Entry | None:
    return business.readydesk or business.kickserv


def record_key(business: Business, wanted: str) -> str:
    """The business's customer record key in `wanted`."""
    return _record(business, wanted) or ""


def _record(business: Business, wanted: str) -> str | None:
    entry = business.readydesk if wanted == READYDESK else business.kickserv
    return entry.record_key if entry else None


def number(inputs: dict[str, Any], name: str, title: str) -> int | str | None:
    """A whole-number input: the number, None when not given, or why it is not one."""
    value = inputs.get(name)
    if value in (None, ""):
        return None
    found = typed_number(str(value))
    if found is None:
        return f"{title} must be a number such as 34 (got “{truncate(str(value), 40)}”)."
    return found


def priority_named(inputs: dict[str, Any], priorities: list[str]) -> tuple[str, str]:
    """The priority input as ReadyDesk names it (any case; "" when not given), and why it is
    not one of them ("" when it is)."""
    given = str(inputs.get("priority") or "").strip()
    named = next((p for p in priorities if p.casefold() == given.casefold()), None)
    if not given or named is not None:
        return named or "", ""
    return given, f"Priority must be one of {', '.join(priorities)} (got “{truncate(given, 40)}”)."


def note_problem(ticket: int | str | None, job: int | str | None, text: str) -> str:
    """Why Add note's inputs do not name one record and a text ("" when they do)."""
    problem = next((v for v in (ticket, job) if isinstance(v, str)), "")
    if problem:
        return problem
    if (ticket is None) == (job is None):
        return "Give a ticket number or a job number (one of them)."
    return "" if text else "Give the note's text."


def when(inputs: dict[str, Any], name: str) -> datetime | str | None:
    """A `slack#/types/timestamp` input (seconds since 1970) as a time, or why it is not one."""
    value = inputs.get(name)
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return f"The date and time must be a Slack timestamp (got “{truncate(str(value), 40)}”)."


def step_intent(body: dict[str, Any], actor: StepActor, target: str, summary: str) -> Intent:
    """A write step's intent: claimed by its execution, audited with its inputs and for whom."""
    event = execution_of(body)
    callback_id = (event.get("function") or {}).get("callback_id", "step")
    behalf = f" for <@{actor.on_behalf}>" if actor.on_behalf else ""
    return Intent(
        key=f"step:{actor.execution_id}",
        action=f"step.{callback_id}",
        user_id=actor.user_id,
        channel_id="",
        target=target,
        summary=truncate(f"{summary}{behalf} · inputs {inputs_kept(event)}", 500),
    )
