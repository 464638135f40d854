"""Notes: `/note ticket 34 <text>`, the Add note buttons, the Add as note message shortcut and
the note form; each note is written once, through the desk.

A ticket note goes to ReadyDesk's ticket history (as the user's linked technician); customer and
job notes go to Kickserv. Every note ends with "— <name> via Slack".
"""

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV, READYDESK
from api.desk import Desk
from api.note_writes import NotedRecord
from api.writes import Intent, WriteResult, keep_running
from cards import ids
from cards.common import Card
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
from cards.refs import NoteTarget
from handlers.args import UsageError, usage_text
from handlers.form_values import parse_customer_value, picked_record, typed_note
from handlers.forms import finish_submission, message_text
from handlers.middleware import writers_only
from handlers.profiles import Profiles
from handlers.replies import reply_with
from handlers.subcommands import table_of

_NOTE = re.compile(r"(?is)\s*(ticket|customer|job)\s+#?(\w[\w.-]*)\s*(.*)")


def register(app: AsyncApp) -> None:
    """Attach the note listeners; writing ones behind the writers check."""
    app.command(ids.NOTE_COMMAND, middleware=[writers_only])(note_command)
    app.action(ids.ADD_NOTE)(open_note_form)
    app.action(ids.NOTE_TRY_AGAIN)(reopen_note_form)
    app.view(ids.NOTE_MODAL, middleware=[writers_only])(submit_note)
    app.shortcut(ids.ADD_AS_NOTE)(add_as_note)
    table_of(app).add("note", note_command, writes=True)


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
    keep_running()  # a stop waits for this listener to tell the person
    try:
        parsed = parse_note(command.get("text", ""), command.get("channel_id", ""))
    except UsageError as err:
        await ack(response_type="ephemeral", text=str(err))
        return
    await ack()
    try:
        target = await _kickserv_customer(parsed, desk)
    except UsageError as err:
        await respond(response_type="ephemeral", text=str(err))
        return
    if not target.text:
        await client.views_open(trigger_id=command["trigger_id"], view=note_modal(target))
        return
    key, reply_to = f"cmd:{command['trigger_id']}", command.get("response_url", "")
    intent = _intent(key, target, command["user_id"], reply_to)

    async def write_and_say() -> Card:
        result = await _add_note(intent, target, client, desk, profiles)
        return note_outcome_message(target, result, config.readydesk_web_url)

    await reply_with(
        respond,
        write_and_say(),
        waiting=f"Adding the note to {target.label} …",
        patience=config.looking_up_after,
    )


async def open_note_form(
    ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
) -> None:
    """A card's Add note button: the form, at once (inside the trigger's 3 seconds)."""
    await ack()
    target = NoteTarget.model_validate_json(action["value"])
    target = target.model_copy(update={"channel_id": (body.get("channel") or {}).get("id", "")})
    await client.views_open(trigger_id=body["trigger_id"], view=note_modal(target))


async def add_as_note(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
    """Add as note: the note form with the message and its link; the form asks where it goes."""
    await ack()
    text, channel = await message_text(client, shortcut)
    target = NoteTarget(kind="pick", channel_id=channel, text=text)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=note_modal(target))


async def reopen_note_form(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
) -> None:
    """Try again: the form again, with the text that was not written."""
    await ack()
    view = body.get("view")
    if view:  # pressed inside the "not added" view: turn it back into the form
        target = NoteTarget.model_validate_json(view["private_metadata"])
        await client.views_update(view_id=view["id"], view=note_modal(target))
    else:  # pressed under an ephemeral reply to /note
        target = NoteTarget.model_validate_json(action["value"])
        await client.views_open(trigger_id=body["trigger_id"], view=note_modal(target))


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
    keep_running()
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
    match = _NOTE.fullmatch(text)
    if match is None:
        raise UsageError(f"Where should the note go? {usage_text('note')}")
    kind, number, rest = match.group(1).lower(), match.group(2), match.group(3).strip()
    if kind != "customer" and not number.isdigit():
        raise UsageError(
            f"`{escape_mrkdwn(truncate(number, 40))}` is not a {kind} number. {usage_text('note')}"
        )
    return NoteTarget(kind=kind, number=number, channel_id=channel_id, text=rest)


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
