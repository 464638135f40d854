"""The note form, and the views and replies that say how a write ended."""

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from api.errors import NotFound
from api.writes import WriteResult
from cards import ids
from cards.common import Card, button_raw, context, fit_metadata, mrkdwn_section, typed_back
from cards.mrkdwn import escape_mrkdwn
from cards.outcomes import unconfirmed_text
from cards.refs import BUTTON_VALUE_MAX, NoteTarget

NOTE_BLOCK, NOTE_INPUT = "note", "text"
# The most a Slack input holds. Kickserv takes a JSON body; a ticket note one ReadyDesk URL
# cannot hold is written in numbered parts (api/note_parts.py), so nothing typed is cut.
NOTE_MAX = 3000


def note_modal(target: NoteTarget) -> View:
    """The note form, prefilled with `target.text` (a message's text, or what a failed try had)."""
    longest = NOTE_MAX
    field = PlainTextInputElement(
        action_id=NOTE_INPUT,
        multiline=True,
        max_length=longest,
        initial_value=target.text[:longest] or None,
        placeholder="What happened, what was agreed, what is next…",
    )
    blocks: list[Block] = list(_target_pickers()) if target.kind == "pick" else []
    blocks += [
        InputBlock(block_id=NOTE_BLOCK, label=f"Note on {target.label}", element=field),
        context("Signed “— your name via Slack”; on ReadyDesk tickets, as your technician."),
    ]
    metadata = target.model_copy(update={"text": ""}).model_dump_json()
    return View(
        type="modal",
        callback_id=ids.NOTE_MODAL,
        title="Add note",
        submit="Add note",
        close="Cancel",
        private_metadata=metadata,
        blocks=blocks,
    )


VIEW_BLOCKS_MAX = 100
PICK_TICKET, PICK_CUSTOMER, PICK_JOB = "pick_ticket", "pick_customer", "pick_job"


def _target_pickers() -> list[Block]:
    """Where a note from a message goes: one of a ticket, a Kickserv customer or a job."""
    customer = ExternalDataSelectElement(
        action_id=ids.CUSTOMER_PICKER, placeholder="Type a name", min_query_length=2
    )
    return [
        InputBlock(
            block_id=PICK_TICKET,
            label="Ticket number",
            optional=True,
            element=PlainTextInputElement(action_id=PICK_TICKET, placeholder="34"),
        ),
        InputBlock(block_id=PICK_CUSTOMER, label="or a customer", optional=True, element=customer),
        InputBlock(
            block_id=PICK_JOB,
            label="or a job number",
            optional=True,
            element=PlainTextInputElement(action_id=PICK_JOB, placeholder="86001"),
        ),
    ]


def result_view(title: str, text: str) -> View:
    """A closing view that says how the write ended (text is mrkdwn, already escaped)."""
    return View(type="modal", title=title, close="Done", blocks=[mrkdwn_section(text)])


def saving_view(target: NoteTarget) -> View:
    """Shown while a slow backend is still writing."""
    return result_view("Saving…", f"Adding the note to {escape_mrkdwn(target.label)} …")


def failed_view(target: NoteTarget, message: str, result: WriteResult) -> View:
    """How the write ended (mrkdwn), every character of the text kept, and Try again (which
    reopens the form) when it was surely not written and another try could go in."""
    blocks: list[Block] = [mrkdwn_section(message)]
    if _worth_another_try(result):  # before the text, however long: visible without scrolling
        blocks.append(ActionsBlock(elements=[button_raw("Try again", ids.NOTE_TRY_AGAIN, "again")]))
    blocks += typed_back(target.text)
    title = "Note not added" if result.outcome == "failed" else "Not confirmed"
    return View(
        type="modal",
        title=title,
        close="Close",
        blocks=blocks[:VIEW_BLOCKS_MAX],
        private_metadata=fit_metadata(target, "text"),
    )


def still_saving_view() -> View:
    """The answer to a second submit of a form whose first is still being saved."""
    return result_view(
        "Saving…", "This is already being saved; the outcome will show here when it is known."
    )


def note_outcome_text(
    target: NoteTarget, result: WriteResult, web_url: str | None, *, by_dm: bool = False
) -> str:
    """How writing the note ended, as mrkdwn (`web_url`, ReadyDesk's ticket link, is unused;
    `by_dm`: shown in a modal, so a later outcome comes by DM)."""
    where = escape_mrkdwn(target.label)
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    noted = _noted(result.reference or "")
    if result.outcome == "written":
        return f"Added the note to {where} ({noted})."
    if result.outcome == "confirmed":
        return f"Added the note to {where} ({noted}), confirmed after a slow reply."
    if result.outcome == "duplicate":
        done = result.earlier and result.earlier.state == "done"
        return (
            f"Already done: that note was added to {where} ({noted})."
            if done
            else f"That note to {where} is already being written."
        )
    if result.outcome == "unknown":
        return unconfirmed_text(f"the note was added to {where}", result, by_dm=by_dm)
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return f"*Not added* to {where}. {reason}{checked}"


def _noted(reference: str) -> str:
    """`note 24621`, or for a note written in parts `3 parts: notes 11, 12, 13`."""
    references = reference.split(", ")
    if len(references) == 1:
        return f"note {escape_mrkdwn(reference)}"
    return f"{len(references)} parts: notes {escape_mrkdwn(reference)}"


def _worth_another_try(result: WriteResult) -> bool:
    """Surely not written, and not because the ticket, job or customer does not exist (the
    form reopens on the same one: the text stays given back instead)."""
    return result.outcome == "failed" and not isinstance(result.error, NotFound)


def note_outcome_message(target: NoteTarget, result: WriteResult, web_url: str | None) -> Card:
    """The reply to `/note …`: the outcome, what was typed when it did not go in, Try again."""
    text = note_outcome_text(target, result, web_url)
    card = Card(text=text, blocks=[mrkdwn_section(text)])
    value = target.model_dump_json()
    if _worth_another_try(result) and len(value) <= BUTTON_VALUE_MAX:  # above the text
        card.blocks.append(
            ActionsBlock(elements=[button_raw("Try again", ids.NOTE_TRY_AGAIN, value)])
        )
    if result.outcome in ("failed", "unknown"):
        card.blocks += typed_back(target.text)
    return card


def note_outcome_view(target: NoteTarget, result: WriteResult, web_url: str | None) -> View:
    """The note form's closing view: how the write ended."""
    text = note_outcome_text(target, result, web_url, by_dm=True)
    if result.outcome in ("failed", "unknown"):
        return failed_view(target, text, result)
    title = "Already done" if result.outcome == "duplicate" else "Note added"
    return result_view(title, text)
