"""What Slack sends an app, built and signed the way Slack builds and signs it: slash commands,
block actions, view submissions, options requests, message shortcuts and Events API events.

The console and the web sandbox both deliver these to the real Bolt app, so neither can reach a
listener any way Slack could not.
"""

import json
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.slack import TEAM_ID

APP_ID = "A0DESKHAND"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class SlackRequests:
    """Request bodies as Slack sends them, and the signed headers that go with them."""

    def __init__(self, signing_secret: str, team_id: str = TEAM_ID) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.team_id = team_id
        self._counter = 0

    def trigger_id(self) -> str:
        """A fresh trigger id (Slack's are `<number>.<number>.<hex>`)."""
        self._counter += 1
        return f"{self._counter}.{int(time.time())}.{secrets.token_hex(6)}"

    def event_id(self) -> str:
        """A fresh Events API event id."""
        self._counter += 1
        return f"Ev{self._counter:06d}{secrets.token_hex(3).upper()}"

    def headers(self, body: str, content_type: str = FORM) -> dict[str, str]:
        """The headers Slack sends with `body`, signed now."""
        timestamp = str(int(time.time()))
        return {
            "content-type": content_type,
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": self._verifier.generate_signature(timestamp=timestamp, body=body),
        }

    def command(
        self,
        command: str,
        text: str,
        *,
        user: dict[str, str],
        channel: dict[str, str],
        response_url: str,
    ) -> str:
        """A slash command's form body; `user` and `channel` are `{"id", "name"}`."""
        return urlencode(
            {
                "token": "unused",
                "team_id": self.team_id,
                "team_domain": "sandbox",
                "channel_id": channel["id"],
                "channel_name": channel.get("name", ""),
                "user_id": user["id"],
                "user_name": user.get("name", ""),
                "command": command,
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": self.trigger_id(),
            }
        )

    def block_actions(
        self,
        action: dict[str, Any],
        *,
        user: dict[str, str],
        container: dict[str, Any],
        channel: dict[str, str] | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        response_url: str | None = None,
    ) -> str:
        """One button press or selection (`action` holds its type, ids and value)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "sandbox"},
            "user": {"id": user["id"], "username": user.get("name", ""), "team_id": self.team_id},
            "api_app_id": APP_ID,
            "token": "unused",
            "container": container,
            "trigger_id": self.trigger_id(),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        if channel is not None:
            payload["channel"] = channel
        if message is not None:
            payload["message"] = message
        if view is not None:
            payload["view"] = view
        if response_url is not None:
            payload["response_url"] = response_url
        return _form(payload)

    def view_submission(
        self, view: dict[str, Any], state: dict[str, Any], *, user: dict[str, str]
    ) -> str:
        """A modal's submit, with `state` as its `state.values`."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id},
            "api_app_id": APP_ID,
            "user": {"id": user["id"], "username": user.get("name", ""), "team_id": self.team_id},
            "trigger_id": self.trigger_id(),
            "view": {**view, "state": {"values": state}, "hash": secrets.token_hex(4)},
        }
        return _form(payload)

    def view_closed(self, view: dict[str, Any], *, user: dict[str, str]) -> str:
        """A modal closed with its close button (sent only when it asked: `notify_on_close`)."""
        payload = {
            "type": "view_closed",
            "team": {"id": self.team_id},
            "api_app_id": APP_ID,
            "user": {"id": user["id"], "team_id": self.team_id},
            "view": view,
            "is_cleared": False,
        }
        return _form(payload)

    def block_suggestion(
        self,
        action_id: str,
        block_id: str,
        typed: str,
        *,
        user: dict[str, str],
        container: dict[str, Any],
        view: dict[str, Any] | None = None,
    ) -> str:
        """An external select's options request for what was typed."""
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "team": {"id": self.team_id},
            "api_app_id": APP_ID,
            "user": {"id": user["id"], "team_id": self.team_id},
            "action_id": action_id,
            "block_id": block_id,
            "value": typed,
            "container": container,
        }
        if view is not None:
            payload["view"] = view
        return _form(payload)

    def message_action(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: dict[str, str],
        channel: dict[str, str],
        response_url: str,
    ) -> str:
        """A message shortcut chosen on `message` (its `ts`, `text` and `user`)."""
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "api_app_id": APP_ID,
            "trigger_id": self.trigger_id(),
            "team": {"id": self.team_id},
            "user": {"id": user["id"], "name": user.get("name", ""), "team_id": self.team_id},
            "channel": channel,
            "response_url": response_url,
            "message": {"type": "message", **message},
        }
        return _form(payload)

    def event(self, event: dict[str, Any]) -> str:
        """An Events API `event_callback` JSON body around `event`."""
        return json.dumps(
            {
                "token": "unused",
                "team_id": self.team_id,
                "api_app_id": APP_ID,
                "type": "event_callback",
                "event_id": self.event_id(),
                "event_time": int(time.time()),
                "event": event,
            }
        )


def _form(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def input_state(kind: str, value: Any) -> dict[str, Any]:
    """One input's submitted state, in the shape Slack gives each kind of element. A select's
    value may be `{"value", "text"}` (what the person saw) or the bare value."""
    if kind.endswith("_select"):
        if isinstance(value, dict):
            text, value = value.get("text") or value.get("value"), value.get("value")
        else:
            text = value
        chosen = {"text": {"type": "plain_text", "text": text}, "value": value} if value else None
        return {"type": kind, "selected_option": chosen}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value or None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value or None}
    return {"type": kind, "value": value}


def as_slack_sends(text: str, users: dict[str, dict[str, Any]]) -> str:
    """Text as Slack sends it for an escaped command or a message: &, <, > as entities and
    `@name` as `<@ID|name>` for the people in `users` (users.info objects by id)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    names = {u["name"]: u["id"] for u in users.values()}
    return re.sub(
        r"@([\w.-]+)",
        lambda m: f"<@{names[m.group(1)]}|{m.group(1)}>" if m.group(1) in names else m.group(0),
        text,
    )
