"""Notes: `/note ticket 34 <text>`, the Add note buttons, the Add as note message shortcut and
the note form; each note is written once, through the desk.

A ticket note goes to ReadyDesk's ticket history (as the user's linked technician); customer and
job notes go to Kickserv. Every note ends with "— <name> via Slack".
"""

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV, READYDESK
from api.desk import Desk
from api.note_writes import NotedRecord
from api.writes import Intent, WriteResult
from cards import ids
from cards.common import Card, button_raw
from cards.config import HandlerConfig
from cards.modals import (
    NOTE_BLOCK,
    PICK_CUSTOMER,
    note_modal,
    note_outcome_message,
    note_outcome_view,
    saving_view,
)
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import BUTTON_VALUE_MAX, NoteTarget, read_value
from handlers.args import UsageError, kept_reply, parse_number, typed_line, usage_text, wants_help
from handlers.form_values import parse_customer_value, picked_record, typed_note
from handlers.forms import finish_submission, message_text
from handlers.middleware import writers_only
from handlers.replies import reply_with
from handlers.subcommands import Subcommands
from live.profiles import Profiles

_NOTE = re.compile(r"(?s)\s*(\S*)\s*(\S*)(.*)")
_CUSTOMER = re.compile(r"#?(\w[\w.-]*)")  # a Kickserv number or a ReadyDesk customer ID
NOTE_KINDS = ("ticket", "customer", "job")
# views.open's answers when the trigger can no longer open anything (3 seconds, used once).
TRIGGER_GONE = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}
NO_TRIGGER = (
    "Slack sent this command without its trigger ID, by which Deskhand writes each note once. "
    "Nothing was written; send it again."
)
logger = logging.getLogger("deskhand.notes")


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Attach the note listeners; writing ones behind the writers check."""
    app.command(ids.NOTE_COMMAND, middleware=[writers_only])(note_command)
    app.action(ids.ADD_NOTE)(open_note_form)
    app.action(ids.NOTE_TRY_AGAIN)(reopen_note_form)
    app.view(ids.NOTE_MODAL, middleware=[writers_only])(submit_note)
    app.shortcut(ids.ADD_AS_NOTE)(add_as_note)
    subcommands.add("note", note_command, writes=True)


async def note_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """`/note ticket 34 text` writes at once; without text the form opens."""
    desk.in_flight.keep_running()  # a stop waits for this listener to tell the person
    parsed = _parsed(command)
    if isinstance(parsed, Card):  # help, or why it cannot be written: said at once
        await ack(response_type="ephemeral", **parsed.message())
        return
    await ack()
    try:
        target = await _kickserv_customer(parsed, desk)
    except UsageError as err:
        said = _given_back(str(err), command.get("text", ""), command)
        await respond(response_type="ephemeral", **said.message())
        return
    if not target.text:
        await _ask_in_form(client, respond, command, target)
        return
    key, reply_to = f"cmd:{_trigger(command)}", command.get("response_url", "")
    intent = _intent(key, target, command["user_id"], reply_to)

    async def write_and_say() -> Card:
        result = await _add_note(intent, target, client, desk, profiles)
        return note_outcome_message(target, result, config.readydesk_web_url)

    waiting = f"Adding the note to {target.label} …"
    await reply_with(respond, write_and_say(), waiting=waiting, patience=config.looking_up_after)


def _parsed(command: dict[str, Any]) -> NoteTarget | Card:
    """Where the note goes and what it says; or the reply that says it will not be written
    (the usage asked for, a line that names no record, no trigger to claim it by)."""
    typed = command.get("text", "")
    if wants_help(typed):
        return Card(usage_text("note"))
    try:
        parsed = parse_note(typed, command.get("channel_id", ""))
    except UsageError as err:
        return _given_back(str(err), typed, command)
    if parsed.text and not _trigger(command):  # each note is written once by its trigger
        return kept_reply(NO_TRIGGER, typed_line(command))
    return parsed


async def _ask_in_form(
    client: AsyncWebClient, respond: AsyncRespond, command: dict[str, Any], target: NoteTarget
) -> None:
    """No note in the command: the form, for that record; if Slack will not open it, why."""
    why = await _open_form(client, _trigger(command), target)
    if why:
        typed = escape_mrkdwn(command.get("text", "").strip())
        how = f"{why} Write the note in the command: `/note {typed} …`"
        said = kept_reply(how, typed_line(command))
        await respond(response_type="ephemeral", **said.message())


def _given_back(why: str, typed: str, command: dict[str, Any]) -> Card:
    """A /note that names no record it can write to: why, what was typed, and the note form
    with the note in it (the form asks where it goes)."""
    note = salvaged_note(typed)
    form = NoteTarget(kind="pick", channel_id=command.get("channel_id", ""), text=note)
    value = form.model_dump_json()
    if not note or len(value) > BUTTON_VALUE_MAX:  # the text above still keeps it all
        return kept_reply(why, typed_line(command))
    button = button_raw("Open the note form", ids.NOTE_TRY_AGAIN, value)
    return kept_reply(why, typed_line(command), ActionsBlock(elements=[button]))


def _trigger(request: dict[str, Any]) -> str:
    """The request's trigger ID ("" when Slack sent none)."""
    trigger_id = request.get("trigger_id")
    return trigger_id if isinstance(trigger_id, str) else ""


async def _open_form(client: AsyncWebClient, trigger_id: str, target: NoteTarget) -> str | None:
    """Open the note form; why it could not open (for the person), or None."""
    if not trigger_id:
        return "The note form could not open: Slack sent nothing to open it with."
    try:
        await client.views_open(trigger_id=trigger_id, view=note_modal(target))
    except SlackApiError as err:
        if err.response.get("error") not in TRIGGER_GONE:
            raise
        logger.info("the note form did not open: %s", err.response.get("error"))
        return "The note form could not open: Slack's 3 seconds to open it had passed."
    return None


async def open_note_form(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """A card's Add note button: the form, at once (inside the trigger's 3 seconds)."""
    await ack()
    target = read_value(NoteTarget, action.get("value"))
    target = target.model_copy(update={"channel_id": (body.get("channel") or {}).get("id", "")})
    if why := await _open_form(client, _trigger(body), target):
        await respond(response_type="ephemeral", replace_original=False, text=f"{why} Try again.")


async def add_as_note(
    ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, profiles: Profiles
) -> None:
    """Add as note: the note form with the message and its link; the form asks where it goes."""
    await ack()
    text, channel = await message_text(client, shortcut, profiles)
    target = NoteTarget(kind="pick", channel_id=channel, text=text)
    if why := await _open_form(client, _trigger(shortcut), target):
        user = (shortcut.get("user") or {}).get("id", "")
        await client.chat_postEphemeral(channel=channel, user=user, text=f"{why} Try again.")


async def reopen_note_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """Try again: the form again, with the text that was not written."""
    await ack()
    view = body.get("view")
    if view:  # pressed inside the "not added" view: turn it back into the form
        target = NoteTarget.model_validate_json(view["private_metadata"])
        await client.views_update(view_id=view["id"], view=note_modal(target))
        return
    # pressed under an ephemeral reply to /note
    target = read_value(NoteTarget, action.get("value"))
    if why := await _open_form(client, _trigger(body), target):
        said = kept_reply(f"{why} Press the button again.", target.text)
        await respond(response_type="ephemeral", replace_original=False, **said.message())


async def submit_note(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """The form's submit: write once (the view id is the intent); errors keep the form open."""
    desk.in_flight.keep_running()
    text = typed_note(view)
    if not text:
        await ack(response_action="errors", errors={NOTE_BLOCK: "Write something to add."})
        return
    target = NoteTarget.model_validate_json(view["private_metadata"]).model_copy(
        update={"text": text}
    )
    if target.kind == "pick":
        try:
            target = await _picked_target(target, view, desk)
        except ValueError as err:
            block, message = err.args
            await ack(response_action="errors", errors={block: message})
            return
    intent = _intent(f"view:{view['id']}", target, body["user"]["id"])
    await finish_submission(
        ack,
        client,
        view["id"],
        _add_note(intent, target, client, desk, profiles),
        saving=saving_view(target),
        outcome_view=lambda result: note_outcome_view(target, result, config.readydesk_web_url),
        field_errors=lambda err: {NOTE_BLOCK: err.message[:2000]} if err.field_errors else {},
        user_id=body["user"]["id"],
    )


async def _add_note(
    intent: Intent,
    target: NoteTarget,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
) -> WriteResult:
    """The note, signed with the user's Slack name, written through the desk."""
    assert target.kind != "pick"  # the form has said where it goes by now
    author = await profiles.get(client, intent.user_id)
    record = NotedRecord(target.kind, target.number)
    return await desk.add_note(intent, record, target.text, author)


async def _picked_target(target: NoteTarget, view: dict[str, Any], desk: Desk) -> NoteTarget:
    """The one record chosen in a note-from-message form."""
    kind, value = picked_record(view)
    if kind != "customer":
        return target.model_copy(update={"kind": kind, "number": value})
    system, key = parse_customer_value(value)
    customer = await desk.customer_in(KICKSERV, system, key)
    if customer is None:
        raise ValueError(
            PICK_CUSTOMER,
            "Customer notes are kept in Kickserv; this customer has no Kickserv record.",
        )
    return target.model_copy(update={"kind": "customer", "number": customer.record_key})


async def _kickserv_customer(target: NoteTarget, desk: Desk) -> NoteTarget:
    """Customer notes live in Kickserv: a ReadyDesk customer ID becomes its linked Kickserv
    customer's number (from the directory)."""
    if target.kind != "customer" or target.number.isdigit():
        return target
    customer = await desk.customer_in(KICKSERV, READYDESK, target.number)
    if customer is None:
        shown = escape_mrkdwn(truncate(target.number, 40))
        raise UsageError(
            f"Customer notes are kept in Kickserv, and `{shown}` has no Kickserv customer linked "
            "to it. Use its Kickserv customer number."
        )
    return target.model_copy(update={"number": customer.record_key})


def parse_note(text: str, channel_id: str) -> NoteTarget:
    """`ticket 34 Called back` -> where the note goes and its text."""
    kind, number, rest = _words(text)
    if kind not in NOTE_KINDS:
        raise UsageError(f"Where should the note go? {usage_text('note')}")
    if kind == "customer":
        customer = _CUSTOMER.fullmatch(number)
        if customer is None:
            shown = escape_mrkdwn(truncate(number, 40))
            problem = f"`{shown}` is not a customer number or ID." if shown else "Which customer?"
            raise UsageError(f"{problem} {usage_text('note')}")
        number = customer.group(1)
    else:
        number = str(parse_number(number, "note", kind))
    return NoteTarget(kind=kind, number=number, channel_id=channel_id, text=rest)


def salvaged_note(text: str) -> str:
    """The note in a /note that named no record it can write to: what follows `<kind> <what>`,
    or the whole text when it does not start with a kind."""
    kind, _, rest = _words(text)
    return rest if kind in NOTE_KINDS else text.strip()


def _words(text: str) -> tuple[str, str, str]:
    """(the first word lowercased, the second, the rest) of a /note's text."""
    match = _NOTE.fullmatch(text)
    assert match is not None  # the pattern matches any text
    kind, number, rest = match.groups()
    return kind.lower(), number, rest.strip()


def _intent(key: str, target: NoteTarget, user_id: str, response_url: str = "") -> Intent:
    return Intent(
        key=key,
        action=f"note.{target.kind}",
        user_id=user_id,
        channel_id=target.channel_id,
        target=target.label,
        summary=truncate(target.text, 300),
        response_url=response_url,
    )
