"""Slack requests as Slack sends them, signed with the signing secret the check gives the image."""

import time
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import SANDBOX_BOT_TOKEN

# The check's own secrets: made up for it, handed to the containers through their environment.
SIGNING_SECRET = "image-check-signing-secret"  # noqa: S105
BOT_TOKEN = SANDBOX_BOT_TOKEN  # the Slack sandbox's own: no token-shaped literal of ours
CHANNEL = "C0IMAGE"
USER = "U1"  # a person the Slack sandbox knows


def command_body(command: str, text: str, response_url: str, trigger: str) -> str:
    """A slash command's form body; `trigger` tells one intent from another."""
    return urlencode(
        {
            "token": "unused",
            "team_id": "T0SANDBOX",
            "channel_id": CHANNEL,
            "user_id": USER,
            "user_name": "pat",
            "command": command,
            "text": text,
            "api_app_id": "A0DESKHAND",
            "response_url": response_url,
            "trigger_id": trigger,
        }
    )


def headers(body: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The headers Slack sends with `body`, signed now with `secret`."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }


async def post_command(
    client: httpx.AsyncClient, base_url: str, body: str, secret: str = SIGNING_SECRET
) -> httpx.Response:
    """POST a command body to a replica's /slack/events, signed with `secret`."""
    url = f"{base_url}/slack/events"
    return await client.post(url, content=body, headers=headers(body, secret))
