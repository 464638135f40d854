"""How a write that may still land is worded, and how its settling is told: one wording for
every write path and surface."""

from datetime import timedelta

from slack_sdk.models.blocks import ActionsBlock, Block

from api.readydesk import Ticket
from api.writes import STOPPED, WritePlan, WriteResult
from cards import ids
from cards.common import button_raw, typed_back
from cards.mrkdwn import escape_mrkdwn
from cards.refs import BUTTON_VALUE_MAX, NoteTarget

_NOTE_KINDS = {"ticket_note": "ticket", "customer_note": "customer", "job_note": "job"}


def unconfirmed_text(what: str, result: WriteResult, *, by_dm: bool = False) -> str:
    """Not confirmed yet, and when the person will hear (mrkdwn; `what` is escaped already and
    says what may have happened: "the note was added to ticket #34"). `by_dm`: said in a modal,
    which the later word does not update (the sweeper sends it as a DM).

    Said for a write whose reply was lost, and for a retry of it (nothing is sent again)."""
    why = result.reason or (result.error.message if result.error else "")
    if why:
        reason = f" ({escape_mrkdwn(plain_reason(why))})"
    elif result.earlier is not None:
        reason = " (this was sent once already, and its reply was lost)"
    else:
        reason = ""
    when = f"within {_span(result.wait)}" if result.wait else "as soon as it can check"
    return (
        f"*Could not confirm yet* whether {what}{reason}. It may still go through: Deskhand "
        f"keeps checking and will tell you{' in a direct message' if by_dm else ''} how it "
        f"ended {when}. "
        "Please do not send it again before then."
    )


def already_so(
    ticket: Ticket | None, *, close: bool = False, technician: str | None = None
) -> str | None:
    """What a press asks for that the ticket is already (its card was drawn before someone
    changed it), or that a closed ticket does not take (an assignment): the notice, or None
    when there is a change to make or no ticket was read."""
    if ticket is None:
        return None
    where = f"Ticket #{ticket.ticket_id}"
    if close and ticket.is_closed:
        return f"{where} is already closed."
    if technician and (ticket.assigned_tech or "").lower() == technician.lower():
        return f"{where} is already assigned to you ({escape_mrkdwn(technician)})."
    if technician and ticket.is_closed:
        return f"{where} is closed; reopen it in ReadyDesk to assign it."
    return None


NO_TECHNICIAN = (
    "Deskhand does not know which ReadyDesk technician you are. An admin can link you: "
    f"`{ids.DESKHAND_COMMAND} link @you tech:<technician ID>`."
)


def change_notice(result: WriteResult, ticket_id: int, summary: str) -> str | None:
    """What a change to a ticket from a card (its buttons, a reaction on it) tells the person,
    or None when it was simply made (the card shows it)."""
    where = f"ticket #{ticket_id}"
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    checked = " Deskhand checked: the ticket is unchanged." if result.checked else ""
    return {
        "failed": f"*Not changed* on {where}. {reason}{checked}",
        "unknown": unconfirmed_text(f"the change to {where} was made", result),
        "duplicate": f"Already done on {where} ({escape_mrkdwn(summary)}).",
        "confirmed": f"Done on {where}, confirmed after a slow reply.",
    }.get(result.outcome)


def settled_text(label: str, result: WriteResult, rest: str = "", undone: str = "") -> str:
    """What the sweeper tells the person once a write's outcome is known (or, for a write whose
    process died, that it is not known yet), as mrkdwn; `label` is plain text, `rest` the text
    of a long note's parts after this one (never sent), `undone` what was asked with it and is
    not done after a late confirmation ("assigned to Sam Ortiz")."""
    what = escape_mrkdwn(label[:1].upper() + label[1:])
    if result.outcome == "confirmed" and undone:
        return (
            f"Update: {what} was written (Deskhand confirmed it afterwards: {result.reference}), "
            f"but it was not {escape_mrkdwn(undone)}: Deskhand does that only when it knows at "
            "once that it was written. Please do it in the system itself."
        )
    if result.outcome == "confirmed" and rest:
        return (
            f"Update: {what} was written (Deskhand confirmed it afterwards: {result.reference}). "
            "The parts after it were *not sent*: here is the rest of what you wrote, to send."
        )
    if result.outcome == "confirmed":
        return f"Update: {what} was written (Deskhand confirmed it afterwards: {result.reference})."
    if result.outcome == "failed":
        why = (
            "Deskhand stopped before it went through, and it is not there"
            if result.reason == STOPPED
            else f"{escape_mrkdwn(plain_reason(result.reason))}, and Deskhand checked until the "
            "system could no longer apply it: it is not there"
        )
        return (
            f"Update: {what} was *not written* — {why}. "
            "Nothing was lost: here is what you wrote, to send again."
        )
    if result.given_up:
        return (
            f"Update: Deskhand could not check for a day whether {escape_mrkdwn(label)} was "
            f"written ({escape_mrkdwn(plain_reason(result.reason))}), and no longer tries. "
            "Look at it before you send it again: here is what you wrote."
        )
    return "Update: " + unconfirmed_text(f"{escape_mrkdwn(label)} was written", result)


def given_back(plan: WritePlan, result: WriteResult) -> str:
    """What the sweeper's message gives back: what was typed, unless it was written; and a long
    note's parts after this one, which were never sent."""
    return plan.rest if result.outcome == "confirmed" else plan.typed + plan.rest


def typed_back_again(plan: WritePlan, typed: str, try_again: bool) -> list[Block]:
    """What was typed, given back under the sweeper's message; for a note not written, Try
    again (which opens the note form with it)."""
    blocks = typed_back(typed)
    kind = _NOTE_KINDS.get(plan.check)
    if try_again and kind and typed.strip():
        value = NoteTarget(kind=kind, number=plan.target, text=typed).model_dump_json()
        if len(value) <= BUTTON_VALUE_MAX:
            button = button_raw("Try again", ids.NOTE_TRY_AGAIN, value)
            blocks.append(ActionsBlock(elements=[button]))
    return blocks


def _span(wait: timedelta) -> str:
    seconds = wait.total_seconds()
    if seconds <= 90:
        return "about a minute" if seconds > 45 else f"{max(1, round(seconds))} seconds"
    return f"about {round(seconds / 60)} minutes"


def plain_reason(message: str) -> str:
    """A backend error's message as a reason in a sentence: "try again" is not the advice for a
    write that may still land (it is sent again only once it is known not to have)."""
    return message.removesuffix(".").removesuffix("; try again shortly")


def visit_pending_text(ticket_id: int, job_number: int, pending: list[str]) -> str:
    """A visit booked from a ticket: linked, and which of its two notes is not written yet
    (`pending`: "ticket", "job"), which Deskhand keeps trying (mrkdwn)."""
    line = f"Linked to *ticket #{ticket_id}*: its card lists the visit."
    names = {"ticket": f"the note on ticket #{ticket_id}", "job": f"the note on job {job_number}"}
    waiting = [names[kind] for kind in ("ticket", "job") if kind in pending]
    if waiting:
        line += (
            f" *Pending:* {' and '.join(waiting)} could not be written yet; Deskhand keeps "
            "trying and writes it once."
        )
    return line
