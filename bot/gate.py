"""The gate in front of Bolt: only a request Slack signed, of a bounded size and a readable shape,
reaches the app.

Bolt verifies signatures too, but a malformed header makes it fail with a 500 and then run the
error handler on the unverified body (whose `response_url` is the sender's choice), and it reads
any body whole before checking anything. Here, in order: an over-limit Content-Length is 413
before a byte is read; a missing or malformed signature header is 401 before a byte is read; the
body is read up to the limit (413 beyond it); slack-sdk's `SignatureVerifier` checks the
signature (401); and the payload must read, the way Bolt will read it, as an object whose
routing fields are typed as Slack sends them, in the encoding Slack sends it in - JSON for the
Events API, a form for slash commands and interactivity (400). A refused request gets one log
line and nothing else runs.
"""

import json
import logging
import re
from contextlib import aclosing
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt.async_app import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

logger = logging.getLogger("deskhand.gate")

TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; no sign, exponent, spaces or underscores
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # the only version Slack signs with
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_KINDS = {type(None): "null", list: "an array", str: "a string", bool: "a boolean"}
# What Slack sends as JSON: the Events API's envelopes, and nothing else (slash commands and
# interactivity come form-encoded). Bolt routes any body with a `command` as a slash command.
EVENTS_API_TYPES = {"event_callback", "url_verification", "app_rate_limited"}
FORM_ROUTES = ("command", "payload", "ssl_check")  # a slash command, interactivity, SSL check
# Interactivity payloads: each names who acted as a `user` object with an `id`.
INTERACTIVITY_TYPES = {
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
    "dialog_submission",
    "dialog_suggestion",
    "dialog_cancellation",
}


Ref = str | dict[str, Any] | None  # how Slack names a user, team, channel or enterprise


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Event(_Shape):
    type: str


class _Action(_Shape):
    action_id: str | None = None
    block_id: str | None = None


class _View(_Shape):
    type: str | None = None
    callback_id: str | None = None


class Routing(_Shape):
    """The fields Bolt routes a payload by, typed as Slack sends them (others pass untouched)."""

    type: str | None = None
    command: str | None = None
    callback_id: str | None = None
    action_id: str | None = None
    event: _Event | None = None
    actions: list[_Action] | None = None
    view: _View | None = None
    user: Ref = None
    team: Ref = None
    channel: Ref = None
    enterprise: Ref = None


class Refused(Exception):
    """A request the gate will not pass on: the status and why (for the log, not the sender)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> Response:
        """What the sender gets: the status and a fixed word, never anything from the request."""
        error = {400: "malformed payload", 401: "invalid request", 413: "request too large"}
        # A signed payload Deskhand cannot read will not read better when Slack sends it again.
        headers = {"X-Slack-No-Retry": "1"} if self.status == 400 else None
        return JSONResponse(
            {"error": error.get(self.status, "refused")}, status_code=self.status, headers=headers
        )


class Gate:
    """Admits Slack's signed requests of at most `max_body_bytes`; refuses everything else."""

    def __init__(self, signing_secret: str | None, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def admit(self, request: Request) -> AsyncBoltRequest:
        """The Bolt request read from exactly the verified bytes (read once, here, and handed to
        Bolt as it is), or `Refused` (logged here, once)."""
        try:
            return await self._admit(request)
        except Refused as refusal:
            logger.warning("refused %s %s: %s", refusal.status, request.url.path, refusal.reason)
            raise

    async def _admit(self, request: Request) -> AsyncBoltRequest:
        self._check_length(request.headers.get("content-length"))
        timestamp, signature = self._check_headers(request)
        body = await self._read(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(401, "the body is not UTF-8, so its signature cannot match") from None
        assert self._verifier is not None  # _check_headers refused the request otherwise
        if not self._verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            raise Refused(401, "the signature is wrong or the timestamp is over 5 minutes off")
        payload, problem = read_payload(request, text)
        if payload is None:
            raise Refused(400, problem or "the payload cannot be read")
        return payload

    def _check_length(self, content_length: str | None) -> None:
        if content_length is None:
            return
        if not content_length.isascii() or not content_length.isdigit():
            raise Refused(400, "the Content-Length header is not a number")
        if int(content_length) > self.max_body_bytes:
            raise Refused(413, f"Content-Length is over {self.max_body_bytes} bytes")

    def _check_headers(self, request: Request) -> tuple[str, str]:
        if self._verifier is None:
            raise Refused(401, "no signing secret is configured, so nothing can be verified")
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if timestamp is None or signature is None:
            raise Refused(401, "a signature header is missing")
        if not TIMESTAMP.fullmatch(timestamp):
            raise Refused(401, "X-Slack-Request-Timestamp is not a whole number of seconds")
        if not SIGNATURE.fullmatch(signature):
            raise Refused(401, "X-Slack-Signature is not a v0 signature")
        return timestamp, signature

    async def _read(self, request: Request) -> bytes:
        """The body, pulling at most one chunk past the limit (a chunked body has no length)."""
        chunks: list[bytes] = []
        size = 0
        try:
            async with aclosing(request.stream()) as stream:
                async for chunk in stream:
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        raise Refused(413, f"the body is over {self.max_body_bytes} bytes")
                    chunks.append(chunk)
        except ClientDisconnect:
            raise Refused(400, "the sender went away before the body ended") from None
        return b"".join(chunks)


def read_payload(request: Request, body: str) -> tuple[AsyncBoltRequest | None, str | None]:
    """A verified body as Bolt's request, or (None, why it is not a payload Bolt can read and
    route)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == JSON_TYPE:
        problem = _json_object_problem(body, "the JSON body") or _events_api_problem(body)
    elif kind == FORM_TYPE:
        problem = _form_problem(body)
    else:
        problem = "the body is neither JSON nor a form (Content-Type is not one Slack sends)"
    if problem:
        return None, problem
    # Read as Bolt's own adapter reads it (the same text, headers and query).
    try:
        payload = AsyncBoltRequest(body=body, query=request.query_params, headers=request.headers)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None, "Bolt cannot read the payload's ids or response URLs"
    problem = _routing_problem(payload.body)
    return (None, problem) if problem else (payload, None)


def _routing_problem(body: Any) -> str | None:
    """Check the fields Bolt's listener matchers index into: a payload Slack never sends is
    refused, not a 500."""
    if not isinstance(body, dict):
        return "Bolt does not read the body as an object"
    try:
        routing = Routing.model_validate(body)
    except ValidationError as err:
        where = sorted({".".join(str(p) for p in e["loc"][:2]) for e in err.errors()})
        return f"the payload's {', '.join(where)} is not what Slack sends"
    if routing.type == "block_actions" and not routing.actions:
        return "a block_actions payload has no actions"
    user = routing.user if isinstance(routing.user, dict) else {}
    if routing.type in INTERACTIVITY_TYPES and not (isinstance(user.get("id"), str) and user["id"]):
        return f"a {routing.type} payload names no user (Slack sends an object with an id)"
    if routing.type in ("view_submission", "view_closed") and not (
        routing.view and routing.view.type is not None and routing.view.callback_id is not None
    ):
        return f"a {routing.type} payload has no view type and callback_id"
    return None


def _form_problem(body: str) -> str | None:
    if body.startswith("{"):
        return "the form body is JSON (Bolt would read it as JSON, not as the form it claims)"
    try:
        fields = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return "the form body is not form-encoded"
    if not fields:
        return "the form body is empty"
    if not any(route in fields for route in FORM_ROUTES):
        return "the form body is neither a slash command nor an interactivity payload"
    if "payload" in fields:
        problem = _json_object_problem(fields["payload"], "the form field `payload`")
        if problem is None and json.loads(fields["payload"]).get("type") in EVENTS_API_TYPES:
            return (
                "the form field `payload` holds an Events API delivery (Slack sends those as JSON)"
            )
        return problem
    return None


def _events_api_problem(text: str) -> str | None:
    """Why a JSON object is not an Events API delivery (the only JSON Slack sends), or None."""
    value = json.loads(text)
    if value.get("type") not in EVENTS_API_TYPES:
        return (
            "the JSON body is no Events API delivery (slash commands and interactivity are forms)"
        )
    if "command" in value:
        return "the JSON body carries a slash command's `command` (Slack sends commands as forms)"
    return None


def _json_object_problem(text: str, what: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return f"{what} is not JSON"
    if not isinstance(value, dict):
        kind = JSON_KINDS.get(type(value), "a number")
        return f"{what} is JSON {kind}, not an object"
    return None
