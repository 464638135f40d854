"""Hostile requests to HTTP mode: refused at the gate, before Bolt, with nothing run or sent."""

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import build_desk
from bot.server import build_http_app
from bot.settings import Settings
from tests.conftest import ready_store
from tests.slack_helpers import (
    SIGNING_SECRET,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MiB = 1024 * 1024


def _signature(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    return SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)


def _hostile_headers(how: str, body: str) -> dict[str, str]:
    """Signature headers for `body` that are wrong in one way."""

    def stamped(timestamp: str) -> dict[str, str]:
        # Signed over the odd timestamp itself, so only its shape is wrong.
        return {
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": _signature(body, timestamp),
        }

    good = signed_headers(body)
    timestamp, signature = good["x-slack-request-timestamp"], good["x-slack-signature"]
    cases = {
        "timestamp abc": stamped("abc"),
        "timestamp empty": stamped(""),
        "timestamp 1e9": stamped("1e9"),
        "timestamp +now": stamped(f"+{timestamp}"),
        "timestamp huge": stamped("9" * 5000),
        "timestamp missing": {"x-slack-signature": signature},
        "timestamp too old": signed_headers(body, age=301),
        # The stamp is whole seconds, so 301 s ahead could be checked 300 s ahead (accepted)
        # a fraction of a second later: half a minute past the window instead.
        "timestamp too new": signed_headers(body, age=-330),
        "signature missing": {"x-slack-request-timestamp": timestamp},
        "signature wrong": signed_headers(body, secret="not-the-secret"),
        "signature v1 prefix": {**good, "x-slack-signature": "v1=" + signature[3:]},
        "signature not hex": {**good, "x-slack-signature": "v0=" + "z" * 64},
        "both missing": {},
    }
    return {"content-type": FORM, **cases[how]}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


HEADER_CASES = [
    "timestamp abc",
    "timestamp empty",
    "timestamp 1e9",
    "timestamp +now",
    "timestamp huge",
    "timestamp missing",
    "timestamp too old",
    "timestamp too new",
    "signature missing",
    "signature wrong",
    "signature v1 prefix",
    "signature not hex",
    "both missing",
]


@pytest.mark.parametrize("how", HEADER_CASES)
async def test_a_bad_signature_header_is_401_and_nothing_runs_or_calls_out(
    server, slack, reached, caplog, how
):
    client, _ = server
    body = command_body("/ticket", "34", slack.response_url("hostile"))
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/slack/events", content=body, headers=_hostile_headers(how, body)
        )
    assert response.status_code == 401
    assert reached == []  # no middleware, so no listener and no error handler
    assert slack.calls == []  # not the response_url, not even Bolt's auth.test
    assert len(_warnings(caplog)) == 1
    assert not any(r.exc_info for r in caplog.records)


async def test_an_unsigned_event_with_a_bad_timestamp_runs_no_listener(server, slack, reached):
    client, seen = server
    mention = {"type": "app_mention", "text": "hi", "user": "U1", "channel": "C1", "ts": "1.1"}
    body = event_body("Ev9", mention)
    headers = {**_hostile_headers("timestamp abc", body), "content-type": JSON}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert (seen, reached, slack.calls) == ([], [], [])


class PulledCounter:
    """A request body streamed in 64 KiB chunks that remembers how much the server pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.pulled = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            self.pulled += self.chunk
            yield b"a" * self.chunk


async def test_an_unsigned_body_over_the_limit_by_content_length_is_413_unread(
    server, slack, reached
):
    client, _ = server
    body = PulledCounter(200 * MiB)
    headers = {"content-type": FORM, "content-length": str(200 * MiB)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 413
    assert body.pulled == 0
    assert (reached, slack.calls) == ([], [])


async def test_a_chunked_body_over_the_limit_is_413_after_reading_no_more_than_the_limit(
    server, slack, reached
):
    client, _ = server
    body = PulledCounter(200 * MiB)
    headers = {"content-type": FORM, **signed_headers("whatever")}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 413
    assert "content-length" not in response.request.headers  # it really was chunked
    assert MiB < body.pulled <= MiB + body.chunk
    assert (reached, slack.calls) == ([], [])


async def test_an_unsigned_chunked_body_is_refused_before_a_byte_is_read(server, reached):
    client, _ = server
    body = PulledCounter(200 * MiB)
    response = await client.post("/slack/events", content=body, headers={"content-type": FORM})
    assert response.status_code == 401
    assert body.pulled == 0


MALFORMED = [
    ("payload not JSON", FORM, "payload=%7Bnot+json"),
    ("payload null", FORM, "payload=null"),
    ("payload a list", FORM, "payload=%5B1%2C2%5D"),
    ("payload a string", FORM, "payload=%22block_actions%22"),
    ("form labelled JSON", JSON, interactive_body({"type": "block_actions"})),
    ("JSON a list", JSON, "[1, 2]"),
    ("JSON null", JSON, "null"),
    ("JSON labelled form", FORM, '{"type": "event_callback", "a=": 1}'),
    ("form not form-encoded", FORM, "just some words"),
    ("plain text", "text/plain", "hello"),
    ("no content type", None, "command=%2Fticket&text=34"),
    ("empty form", FORM, ""),
    # Objects, but not as Slack sends them: Bolt's routing would fail on each.
    ("actions not objects", FORM, interactive_body({"type": "block_actions", "actions": ["x"]})),
    ("no actions", FORM, interactive_body({"type": "block_actions", "actions": []})),
    (
        "action id a number",
        FORM,
        interactive_body({"type": "block_actions", "actions": [{"action_id": 7}]}),
    ),
    (
        "view without a type",
        FORM,
        interactive_body({"type": "view_submission", "view": {"callback_id": "x"}}),
    ),
    ("user a number", FORM, interactive_body({"type": "shortcut", "callback_id": "x", "user": 5})),
    ("event not an object", JSON, json.dumps({"type": "event_callback", "event": "x"})),
    ("event without a type", JSON, json.dumps({"type": "event_callback", "event": {}})),
    (
        "authorizations not objects",
        JSON,
        json.dumps({"type": "event_callback", "authorizations": [1]}),
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
async def test_a_malformed_signed_payload_is_400_with_one_log_line(
    server, slack, reached, caplog, content_type, body
):
    client, _ = server
    headers = signed_headers(body) | ({"content-type": content_type} if content_type else {})
    with caplog.at_level(logging.INFO):
        response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["x-slack-no-retry"] == "1"  # resending it cannot help
    assert (reached, slack.calls) == ([], [])
    assert len(_warnings(caplog)) == 1
    assert not any(r.exc_info for r in caplog.records)


async def test_a_signed_command_still_reaches_its_listener(server, slack):
    # Bolt checks the signature again, so this also proves it got the very bytes the gate checked.
    client, _ = server
    body = command_body("/ticket", "34", slack.response_url("fine"))
    headers = {"content-type": f"{FORM}; charset=utf-8", **signed_headers(body)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    call = await slack.wait_for_call("response_url", "fine")
    assert call.payload["blocks"][0]["text"]["text"].startswith("#34 ")


async def test_slacks_url_verification_challenge_is_still_answered(server):
    client, _ = server
    body = json.dumps({"token": "unused", "challenge": "c-123", "type": "url_verification"})
    headers = {"content-type": JSON, **signed_headers(body)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


async def test_the_body_limit_comes_from_deskhand_max_body_bytes(slack, monkeypatch):
    monkeypatch.setenv("DESKHAND_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    settings = Settings(_env_file=None)
    store = ready_store()
    desk = build_desk(settings, store)
    app = build_http_app(settings, desk, store=store)
    small = command_body("/ticket", "34", slack.response_url("small"))
    big = command_body("/ticket", "34 " + "x" * 2048, slack.response_url("big"))
    answers = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://deskhand"
    ) as client:
        for body in (big, small):
            headers = {"content-type": FORM, **signed_headers(body)}
            answers.append(await client.post("/slack/events", content=body, headers=headers))
        reply = await slack.wait_for_call("response_url", "small")
    await desk.aclose()
    assert [a.status_code for a in answers] == [413, 200]
    assert reply.payload["blocks"][0]["text"]["text"].startswith("#34 ")
    assert [c.name for c in slack.calls if c.kind == "response_url"] == ["small"]


def test_the_default_body_limit_is_one_mebibyte():
    assert Settings(_env_file=None).max_body_bytes == MiB
