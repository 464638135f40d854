"""Notes: `/note ticket 34 <text>`, the Add note buttons and the note form, written once each.

A ticket note goes to ReadyDesk's ticket history (as the user's linked technician); customer and
job notes go to Kickserv. Every note ends with "— <name> via Slack".
"""

import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.models.blocks import ActionsBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import READYDESK
from api.desk import Desk
from api.errors import BackendError
from api.writes import Intent, WritePlan, WriteResult, keep_running, new_marker, write_once
from cards.common import Card, button_raw, mrkdwn_section, typed_back
from cards.modals import (
    NOTE_BLOCK,
    PICK_CUSTOMER,
    PICK_JOB,
    PICK_TICKET,
    failed_view,
    note_modal,
    result_view,
    saving_view,
    typed_note,
)
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import BUTTON_VALUE_MAX, NoteTarget
from handlers import ids
from handlers.args import UsageError, usage_text
from handlers.config import HandlerConfig
from handlers.forms import finish_submission, submitted_values
from handlers.identity import Identities
from handlers.middleware import writers_only
from handlers.replies import reply_with
from handlers.typeahead import parse_customer_value
from store import Store

_NOTE = re.compile(r"(?is)\s*(ticket|customer|job)\s+#?(\w[\w.-]*)\s*(.*)")


def register(app: AsyncApp) -> None:
    """Attach the note listeners; writing ones behind the writers check."""
    app.command(ids.NOTE_COMMAND, middleware=[writers_only])(note_command)
    app.action(ids.ADD_NOTE)(open_note_form)
    app.action(ids.NOTE_TRY_AGAIN)(reopen_note_form)
    app.view(ids.NOTE_MODAL, middleware=[writers_only])(submit_note)


async def note_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    identities: Identities,
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
    intent = _intent(f"cmd:{command['trigger_id']}", target, command["user_id"])
    reply_to = command.get("response_url", "")

    async def write_and_say() -> Card:
        result = await write_note(intent, target, client, desk, store, identities, reply_to)
        return _outcome_message(target, result, config)

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
    store: Store,
    identities: Identities,
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
            target = await _picked_target(target, submitted_values(view), desk)
        except ValueError as err:
            block, message = err.args
            await ack(response_action="errors", errors={block: message})
            return
    user_id = body["user"]["id"]
    intent = _intent(f"view:{view['id']}", target, user_id)
    await finish_submission(
        ack,
        client,
        view["id"],
        write_note(intent, target, client, desk, store, identities),
        saving=saving_view(target),
        outcome=lambda result: _outcome_view(target, result, config),
        field_errors=lambda err: {NOTE_BLOCK: err.message[:2000]} if err.field_errors else {},
    )


async def _picked_target(target: NoteTarget, values: dict[str, str], desk: Desk) -> NoteTarget:
    """The one record chosen in a note-from-message form."""
    chosen = {b: v for b, v in values.items() if b in (PICK_TICKET, PICK_CUSTOMER, PICK_JOB) and v}
    if len(chosen) != 1:
        raise ValueError(PICK_TICKET, "Choose one: a ticket number, a customer or a job number.")
    [(block, value)] = chosen.items()
    if block == PICK_CUSTOMER:
        system, key = parse_customer_value(value)
        business = await desk.directory.business(system, key) if desk.directory else None
        if business is None or business.kickserv is None:
            raise ValueError(
                block, "Customer notes are kept in Kickserv; this customer has no Kickserv record."
            )
        return target.model_copy(
            update={"kind": "customer", "number": business.kickserv.record_key}
        )
    number = value.lstrip("#")
    if not number.isdigit():
        raise ValueError(block, f"`{truncate(value, 40)}` is not a number.")
    kind = "ticket" if block == PICK_TICKET else "job"
    return target.model_copy(update={"kind": kind, "number": number})


async def _kickserv_customer(target: NoteTarget, desk: Desk) -> NoteTarget:
    """Customer notes live in Kickserv: a ReadyDesk customer ID becomes its linked Kickserv
    customer's number (from the directory)."""
    if target.kind != "customer" or target.number.isdigit():
        return target
    business = await desk.directory.business(READYDESK, target.number) if desk.directory else None
    if business is None or business.kickserv is None:
        shown = escape_mrkdwn(truncate(target.number, 40))
        raise UsageError(
            f"Customer notes are kept in Kickserv, and `{shown}` has no Kickserv customer linked "
            "to it. Use its Kickserv customer number."
        )
    return target.model_copy(update={"number": business.kickserv.record_key})


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


async def write_note(
    intent: Intent,
    target: NoteTarget,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    identities: Identities,
    response_url: str = "",
) -> WriteResult:
    """Write the note once for this intent, signed with the user's name (and technician) and a
    reference that lets a read-back recognise it."""
    profile = await identities.profile(client, intent.user_id)
    marker = new_marker()
    signed = f"{target.text}\n— {profile.name} via Slack · {marker}"
    check = {"ticket": "ticket_note", "customer": "customer_note", "job": "job_note"}[target.kind]
    plan = WritePlan(
        check=check,
        target=target.number,
        marker=marker,
        typed=target.text,
        response_url=response_url,
        label=f"the note on {target.label}",
    )

    technician = None
    if target.kind == "ticket":  # who writes it, found before anything is sent
        try:
            technician = (await identities.identify(client, intent.user_id, desk, store)).technician
        except BackendError as err:
            return WriteResult("failed", error=err)

    async def write() -> str:
        if target.kind == "ticket":
            entry = await desk.readydesk.add_history_note(
                int(target.number), signed, uid=technician
            )
            return str(entry)
        owner = "customers" if target.kind == "customer" else "jobs"
        note = await desk.kickserv.add_note(owner, int(target.number), signed)
        return str(note.global_id)

    planned = replace(intent, plan=plan)
    return await write_once(store, planned, write, read_back=desk.find_write)


def _intent(key: str, target: NoteTarget, user_id: str) -> Intent:
    return Intent(
        key=key,
        action=f"note.{target.kind}",
        user_id=user_id,
        channel_id=target.channel_id,
        target=target.label,
        summary=truncate(target.text, 300),
    )


def _outcome_text(target: NoteTarget, result: WriteResult, config: HandlerConfig) -> str:
    where = escape_mrkdwn(target.label)
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    if result.outcome == "written":
        return f"Added the note to {where} (note {result.reference})."
    if result.outcome == "confirmed":
        return f"Added the note to {where} (note {result.reference}), confirmed after a slow reply."
    if result.outcome == "duplicate":
        done = result.earlier and result.earlier.state == "done"
        return (
            f"Already done: that note was added to {where} (note {result.reference})."
            if done
            else f"That note to {where} is already being written."
        )
    if result.outcome == "unknown":
        return (
            f"*Could not confirm* whether the note was added to {where}: {reason} Check "
            f"{record_link(target, config)} before adding it again."
        )
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return f"*Not added* to {where}. {reason}{checked}"


def record_link(target: NoteTarget, config: HandlerConfig) -> str:
    """Where a person can look at the record a note was for (a link when one is known)."""
    if target.kind == "ticket" and config.readydesk_web_url:
        url = config.readydesk_web_url.replace("{tid}", target.number)
        return f"<{url}|{escape_mrkdwn(target.label)}>"
    system = "ReadyDesk" if target.kind == "ticket" else "Kickserv"
    return f"{escape_mrkdwn(target.label)} in {system}"


def _outcome_message(target: NoteTarget, result: WriteResult, config: HandlerConfig) -> Card:
    text = _outcome_text(target, result, config)
    card = Card(text=text, blocks=[mrkdwn_section(text)])
    if result.outcome in ("failed", "unknown"):
        card.blocks += typed_back(target.text)
    value = target.model_dump_json()
    if result.outcome == "failed" and len(value) <= BUTTON_VALUE_MAX:
        card.blocks.append(
            ActionsBlock(elements=[button_raw("Try again", ids.NOTE_TRY_AGAIN, value)])
        )
    return card


def _outcome_view(target: NoteTarget, result: WriteResult, config: HandlerConfig) -> View:
    text = _outcome_text(target, result, config)
    if result.outcome in ("failed", "unknown"):
        return failed_view(target, text, try_again=result.outcome == "failed")
    title = "Already done" if result.outcome == "duplicate" else "Note added"
    return result_view(title, text)
