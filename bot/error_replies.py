"""Telling the person about an error on the surface they are looking at.

A command or a button on a message: an ephemeral reply through its `response_url`. A form: the
form becomes the error and everything typed (as the acknowledgement when the listener had not
acknowledged yet, else through `views.update`). A shortcut, or a surface with no `response_url`:
an ephemeral message where the button was, or else a DM. A reaction: an ephemeral message
beside the message reacted to, else a DM. An event nobody answered by hand (a link someone
pasted, the Home tab opening) is only logged: a DM would come out of nowhere.
"""

import json
import logging
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from cards import ids
from cards.errors import failed_form_view
from cards.refs import DamagedValue
from live.delivery import Undelivered

logger = logging.getLogger("deskhand.errors")

DAMAGED_FORM = "This form is out of date or damaged; open it again."
DAMAGED_MESSAGE = "This message is out of date or damaged; run the command again."
SHORTCUTS = ("shortcut", "message_action")
# A message event is any message in a channel Deskhand is in: an error there is not DMed to
# whoever wrote it (a synced reply's unfinished write is told on the reply by the claim sweeper).
UNTOLD_EVENTS = (ids.LINK_SHARED, ids.APP_HOME_OPENED, ids.MESSAGE)
SLACK_BUSY = (
    "Slack did not take that just now (it is busy): nothing was sent. Try again in a minute."
)
SLACK_UNSURE = (
    "Slack answered with an error and may still have taken that: look for it before you try again."
)


def slack_failure(error: Exception) -> str | None:
    """What to say when Slack kept failing a call past the retries, or None for other errors."""
    if isinstance(error, Undelivered):
        return SLACK_UNSURE if error.maybe_posted else SLACK_BUSY
    return None


def damaged_state(error: Exception, body: dict[str, Any]) -> str | None:
    """What to say when the state Slack sent back (a form's `private_metadata`, a button's
    value) could not be read, or None when `error` is something else."""
    view = body.get("view") if isinstance(body.get("view"), dict) else None
    unreadable = isinstance(error, (ValidationError, DamagedValue)) or (
        isinstance(error, (AttributeError, KeyError, TypeError, ValueError))
        and not _json_object((view or {}).get("private_metadata"))
    )
    if view is not None and unreadable:
        return DAMAGED_FORM
    if isinstance(error, (ValidationError, DamagedValue)):
        return DAMAGED_MESSAGE  # the API layer turns bad backend bodies into its own errors
    return None


async def tell_person(
    text: str,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    *,
    acked: bool,
) -> BoltResponse | None:
    """Show `text` (mrkdwn) to whoever caused the request; the
    acknowledgement to use when the listener had not acknowledged yet."""
    kind = body.get("type")
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    if kind == "view_submission":
        failed = failed_form_view(text, typed_values(view))
        if not acked:
            answer = {"response_action": "update", "view": failed.to_dict()}
            return BoltResponse(status=200, body=answer)
        await _quietly(client.views_update(view_id=view.get("id", ""), view=failed))
        return None
    if kind == "block_suggestion":
        return None if acked else BoltResponse(status=200, body={"options": []})
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    if kind == "event_callback" and event.get("type") in UNTOLD_EVENTS:
        logger.info("not told to anyone: the error came of a %s event", event.get("type"))
        return None if acked else BoltResponse(status=200, body="")
    if kind == "event_callback" and event.get("function_execution_id"):
        # A workflow step: the workflow shows the step's error (the client carries its token).
        execution = str(event["function_execution_id"])
        await _quietly(client.functions_completeError(function_execution_id=execution, error=text))
        return None if acked else BoltResponse(status=200, body="")
    user = _user_id(body)
    channel = (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else ""
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    if body.get("response_url") and respond is not None and kind not in SHORTCUTS:
        await _quietly(respond(text=text, response_type="ephemeral", replace_original=False))
    elif kind == "block_actions" and channel and user:
        await _quietly(client.chat_postEphemeral(channel=channel, user=user, text=text))
    elif kind == "event_callback" and isinstance(item.get("channel"), str) and user:
        # a reaction: beside the message reacted to, else (not shown there) in a DM
        shown = await _quietly(
            client.chat_postEphemeral(channel=item["channel"], user=user, text=text)
        )
        if not shown:
            await _quietly(client.chat_postMessage(channel=user, text=text))
    elif user:
        await _quietly(client.chat_postMessage(channel=user, text=text))
    else:
        logger.info("no one to tell about this error (a %s request)", kind or "background")
    return None if acked else BoltResponse(status=200, body="")


def typed_values(view: dict[str, Any]) -> list[tuple[str, str]]:
    """Each input of a submitted form, as (label, what was typed or chosen)."""
    state = ((view.get("state") or {}).get("values")) or {}
    typed = []
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        label = ((block.get("label") or {}).get("text")) or block.get("block_id", "")
        for value in (state.get(block.get("block_id")) or {}).values():
            typed.append((label, _shown(value)))
    return typed


def _shown(value: dict[str, Any]) -> str:
    """One input's state as the person saw it: text, a chosen option's label, a date."""
    chosen = [value.get("selected_option"), *(value.get("selected_options") or [])]
    labels = [((c.get("text") or {}).get("text") or c.get("value", "")) for c in chosen if c]
    if labels:
        return ", ".join(labels)
    for key in ("value", "selected_date", "selected_time", "selected_date_time"):
        if value.get(key):
            return str(value[key])
    return ""


def _user_id(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    return str(body.get("user_id") or event.get("user") or "")


def _json_object(text: Any) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (TypeError, ValueError):
        return False


async def _quietly(call: Any) -> bool:
    """Send (True once sent); a Slack refusal of the error message itself is only logged."""
    try:
        await call
    except SlackApiError as err:
        logger.warning("could not show the error: Slack said %s", err.response.get("error"))
        return False
    return True
