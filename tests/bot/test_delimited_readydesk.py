"""A ReadyDesk server whose default reply format is URL-delimited, with no format configured:
Deskhand learns the format from its replies, and then an empty reply is "no such record"."""

import json

import pytest

from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from tests.slack_helpers import command_body, signed_headers

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def fakes():
    data = seeded(tickets=50, customers=10)
    readydesk = build_readydesk_app(data, default_format="delimited")
    return readydesk, build_kickserv_app(seeded_kickserv(data, customers=5))


async def _answer(server, slack, name: str, text: str) -> str:
    client, _ = server
    body = command_body("/ticket", text, slack.response_url(name))
    response = await client.post(
        "/slack/events", content=body, headers={**FORM, **signed_headers(body)}
    )
    assert response.status_code == 200
    call = await slack.wait_for_call("response_url", name)
    return call.payload.get("text", "") + json.dumps(call.payload.get("blocks", []))


async def test_a_missing_ticket_on_a_url_delimited_server_is_said_not_to_exist(server, slack):
    assert "#34 " in await _answer(server, slack, "found", "34")
    missing = await _answer(server, slack, "missing", "999999")
    assert "Ticket 999999 does not exist in ReadyDesk." in missing
    assert "empty reply" not in missing
