"""What the Slack fake records of each request the app makes, and how it reads one."""

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request


@dataclass
class RecordedCall:
    """One request the app made: a Web API method or a post to a response_url."""

    kind: str  # "api" or "response_url"
    name: str  # the method name, or the response_url's id
    payload: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] = field(default_factory=dict)  # what the sandbox answered (api calls)
    token: str = ""  # the token a Web API call was made with
    peer: str = ""  # the connection it came over (host:port), for a response_url post


async def request_payload(request: Request) -> dict[str, Any]:
    """A Web API request's arguments, JSON or form-encoded (with its JSON-valued fields read)."""
    raw = (await request.body()).decode()
    if request.headers.get("content-type", "").startswith("application/json"):
        return json.loads(raw or "{}")
    payload: dict[str, Any] = dict(parse_qsl(raw)) | dict(request.query_params)
    for key in ("blocks", "view", "unfurls", "metadata"):
        if isinstance(payload.get(key), str):
            payload[key] = json.loads(payload[key])
    return payload
