"""Building Slack requests the way Slack does: bodies, payloads and signatures."""

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from bot.settings import Settings

SIGNING_SECRET = "test-signing-secret"
APP_TOKEN = "xapp-1-A0DESKHAND-test"  # the Slack sandbox takes any app-level token


def socket_mode_settings(api_url: str, **env: Any) -> Settings:
    """Settings of an app that connects over Socket Mode to the Slack sandbox at `api_url`,
    with `env` besides."""
    return Settings(
        _env_file=None,
        SLACK_API_URL=api_url,
        SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
        SLACK_APP_TOKEN=SecretStr(APP_TOKEN),
        **env,
    )


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    """Headers Slack would send with `body`, signed `age` seconds ago."""
    timestamp = str(int(time.time()) - age)
    return {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(
            timestamp=timestamp, body=body
        ),
    }


def command_fields(command: str, text: str, response_url: str) -> dict[str, str]:
    """A slash command's fields, as pat sends it in C1: a Socket Mode envelope's payload."""
    return {
        "token": "unused",
        "team_id": "T0SANDBOX",
        "channel_id": "C1",
        "user_id": "U1",
        "user_name": "pat",
        "command": command,
        "text": text,
        "api_app_id": "A0DESKHAND",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def command_body(command: str, text: str, response_url: str) -> str:
    """A slash command's form body (what Slack posts over HTTP)."""
    return urlencode(command_fields(command, text, response_url))


def interactive_body(payload: dict[str, Any]) -> str:
    """An interactivity request's form body (`payload=<json>`)."""
    return urlencode({"payload": json.dumps(payload)})


def block_action(action_id: str, value: str, response_url: str) -> dict[str, Any]:
    """A block_actions payload for one button press."""
    return {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": "U1", "team_id": "T0SANDBOX"},
        "channel": {"id": "C1"},
        "container": {"type": "message"},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": "1700000000.000001",
            }
        ],
    }


def event_body(event_id: str, event: dict[str, Any]) -> str:
    """An Events API event_callback's JSON body."""
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T0SANDBOX",
            "api_app_id": "A0DESKHAND",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def is_signed(written: str, text: str, name: str = "alice") -> bool:
    """True when `written` is `text` signed the way Deskhand signs what it writes."""
    pattern = re.escape(f"{text}\n— {name} via Slack · ref ") + "[0-9A-F]{8}"
    return re.fullmatch(pattern, written) is not None
