"""`/ticket` end to end: signed requests through the real app, replies caught by the sandbox."""

import logging
import re
import time
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest


def _header(reply: dict) -> str:
    return reply["blocks"][0]["text"]["text"]


async def test_ticket_34_comes_back_as_a_card(console):
    [reply] = await console.send("/ticket 34")
    assert reply["via"] == "response_url"
    assert reply["response_type"] == "ephemeral"
    assert _header(reply).startswith("#34 ")
    assert reply["text"].startswith("Ticket #34:")
    kinds = [b["type"] for b in reply["blocks"]]
    assert kinds[0] == "header" and kinds[-1] == "actions"


async def test_missing_ticket_says_so(console):
    [reply] = await console.send("/ticket 999999")
    assert reply["text"] == "Ticket 999999 does not exist in ReadyDesk."
    assert reply["blocks"] == []


async def test_bad_argument_gets_the_usage_in_the_ack(console):
    [reply] = await console.send("/ticket abc")
    assert reply["via"] == "ack"
    assert "Usage: `/ticket &lt;number&gt; | new`" in reply["text"]


async def test_help_lists_the_commands(console):
    for line in ("help", "/deskhand help", "/deskhand"):
        [reply] = await console.send(line)
        assert reply["via"] == "ack"
        sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
        assert all(len(text) <= 3000 for text in sections)  # Slack refuses a longer section
        listed = "\n".join(sections)
        assert "/ticket &lt;number&gt;" in listed and "/deskhand help" in listed
        assert "…" not in listed  # nothing cut off


async def test_unknown_deskhand_word_says_so_before_the_help(console):
    [reply] = await console.send("/deskhand frobnicate")
    assert "no `frobnicate` command" in reply["blocks"][0]["text"]["text"]


async def test_customer_button_shows_the_customer_and_refresh_replaces_the_card(console):
    [card] = await console.send("/ticket 34")
    [refreshed] = await console.send("click Refresh")
    assert refreshed.get("replace_original") is True
    assert refreshed["blocks"] == card["blocks"]
    [customer] = await console.send("click Customer")
    assert customer["blocks"][0]["type"] == "header"
    customer_id = customer["blocks"][1]["fields"][0]["text"].removeprefix("*Customer ID*\n")
    ticket_customer = next(
        f["text"] for f in card["blocks"][1]["fields"] if "Customer" in f["text"]
    )
    assert f"({customer_id})" in ticket_customer


async def test_an_unexpected_failure_gives_a_reference_that_is_in_the_log(
    console, caplog, monkeypatch
):
    async def explode(ticket_id):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(console.desk.readydesk, "get_ticket", explode)
    with caplog.at_level(logging.ERROR):
        [reply] = await console.send("/ticket 5")
    match = re.fullmatch(
        r"Something went wrong on Deskhand's side \(ref ([0-9A-F]{6})\)\..*", reply["text"]
    )
    assert match, reply["text"]
    assert "database on fire" not in reply["text"]
    assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_forged_signature_is_refused_and_runs_nothing(console):
    body = urlencode(
        {"command": "/ticket", "text": "34", "response_url": console.slack.response_url("x")}
    )
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": "v0=" + "0" * 64,
    }
    mark = len(console.slack.calls)
    response = await console.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert response.status == 401
    assert console.slack.calls_since(mark) == []
