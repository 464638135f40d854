"""Modals: the note form, and the views that say how a write ended."""

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers import ids
from handlers.cards.common import button_raw, context, mrkdwn_section, plain
from handlers.mrkdwn import escape_mrkdwn, truncate
from handlers.refs import NoteTarget

NOTE_BLOCK, NOTE_INPUT = "note", "text"
NOTE_MAX = 2000  # ReadyDesk takes notes in the URL, which its server caps near 2000 characters


def note_modal(target: NoteTarget) -> View:
    """The note form, prefilled with `target.text` (a message's text, or what a failed try had)."""
    field = PlainTextInputElement(
        action_id=NOTE_INPUT, multiline=True, max_length=NOTE_MAX,
        initial_value=target.text[:NOTE_MAX] or None,
        placeholder="What happened, what was agreed, what is next…",
    )  # fmt: skip
    blocks: list[Block] = list(_target_pickers()) if target.kind == "pick" else []
    blocks += [
        InputBlock(block_id=NOTE_BLOCK, label=f"Note on {target.label}", element=field),
        context("Signed “— your name via Slack”; on ReadyDesk tickets, as your technician."),
    ]
    metadata = target.model_copy(update={"text": ""}).model_dump_json()
    return View(
        type="modal", callback_id=ids.NOTE_MODAL, title="Add note", submit="Add note",
        close="Cancel", private_metadata=metadata, blocks=blocks,
    )  # fmt: skip


PICK_TICKET, PICK_CUSTOMER, PICK_JOB = "pick_ticket", "pick_customer", "pick_job"


def _target_pickers() -> list[Block]:
    """Where a note from a message goes: one of a ticket, a Kickserv customer or a job."""
    customer = ExternalDataSelectElement(
        action_id=ids.CUSTOMER_PICKER, placeholder="Type a name", min_query_length=2
    )
    return [
        InputBlock(block_id=PICK_TICKET, label="Ticket number", optional=True,
                   element=PlainTextInputElement(action_id=PICK_TICKET, placeholder="34")),
        InputBlock(block_id=PICK_CUSTOMER, label="or a customer", optional=True, element=customer),
        InputBlock(block_id=PICK_JOB, label="or a job number", optional=True,
                   element=PlainTextInputElement(action_id=PICK_JOB, placeholder="86001")),
    ]  # fmt: skip


def typed_note(view: dict[str, Any]) -> str:
    """The text in a submitted note form."""
    values = view.get("state", {}).get("values", {})
    return (values.get(NOTE_BLOCK, {}).get(NOTE_INPUT, {}).get("value") or "").strip()


def result_view(title: str, text: str) -> View:
    """A closing view that says how the write ended (text is mrkdwn, already escaped)."""
    return View(type="modal", title=title, close="Done", blocks=[mrkdwn_section(text)])


def saving_view(target: NoteTarget) -> View:
    """Shown while a slow backend is still writing."""
    return result_view("Saving…", f"Adding the note to {escape_mrkdwn(target.label)} …")


def failed_view(target: NoteTarget, message: str) -> View:
    """How the write failed (mrkdwn), the text kept, and Try again (which reopens the form)."""
    blocks: list[Block] = [
        mrkdwn_section(message),
        SectionBlock(text=plain(truncate(target.text, 2900) or " ")),
        ActionsBlock(elements=[button_raw("Try again", ids.NOTE_TRY_AGAIN, "again")]),
    ]
    return View(
        type="modal", title="Note not added", close="Close", blocks=blocks,
        private_metadata=fit_metadata(target),
    )  # fmt: skip


def fit_metadata(target: NoteTarget) -> str:
    """The target with its text as private_metadata, the text shortened only if over 3000
    characters of JSON (the full text is shown in the view, so it can still be copied)."""
    text = target.text
    while True:
        metadata = target.model_copy(update={"text": text}).model_dump_json()
        if len(metadata) <= 3000:
            return metadata
        text = text[: len(text) - (len(metadata) - 3000) - 10]
