"""GET /metrics over signed HTTP: each request counted by kind and listener with its ack time,
backend calls by outcome, write outcomes, and nothing a person typed or a secret in a label.

Metrics are kept per process and the tests share one, so each compares a scrape before with
one after."""

import json
import time
from urllib.parse import urlencode

import httpx
import pytest

from sandbox.kickserv import SANDBOX_API_KEY
from sandbox.readydesk import SANDBOX_KEY
from tests.bot.served import FORM, JSON, served
from tests.scrape import scrape, total, value
from tests.slack_helpers import (
    SIGNING_SECRET,
    block_action,
    event_body,
    interactive_body,
    signed_headers,
)


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def _post(app, body: str, kind: dict) -> httpx.Response:
    response = await app.http.post(
        "/slack/events", content=body, headers={**kind, **signed_headers(body)}
    )
    await app.work.wait()
    return response


async def _command(app, slack, command: str, text: str, name: str, user: str = "U1"):
    """A slash command with a trigger of its own (a write's intent is its trigger)."""
    body = urlencode(
        {
            "team_id": "T0SANDBOX",
            "channel_id": "C1",
            "user_id": user,
            "command": command,
            "text": text,
            "api_app_id": "A0DESKHAND",
            "response_url": slack.response_url(name),
            "trigger_id": f"trigger-{name}-{time.monotonic_ns()}",
        }
    )
    return await _post(app, body, FORM)


def _interactive(kind: str, **fields) -> dict:
    return {
        "type": kind,
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U1", "team_id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "trigger_id": "4.5.6",
        **fields,
    }


REQUESTS = {
    "command": lambda app, slack: _command(app, slack, "/ticket", "34", "m-cmd"),
    "action": lambda app, slack: _post(
        app,
        interactive_body(
            block_action("ticket_refresh", '{"ticket_id": 7}', slack.response_url("m-act"))
        ),
        FORM,
    ),
    "view": lambda app, slack: _post(
        app,
        interactive_body(
            _interactive(
                "view_submission",
                view={
                    "id": "V1",
                    "type": "modal",
                    "callback_id": "find_customer_modal",
                    "private_metadata": "",
                    "state": {"values": {}},
                },
            )
        ),
        FORM,
    ),
    "options": lambda app, slack: _post(
        app,
        interactive_body(
            _interactive(
                "block_suggestion",
                action_id="customer_picker",
                block_id="b",
                value="demo",
                container={"type": "view", "view_id": "V1"},
            )
        ),
        FORM,
    ),
    "shortcut": lambda app, slack: _post(
        app,
        interactive_body(
            _interactive(
                "message_action",
                callback_id="add_as_note",
                channel={"id": "C1"},
                message={"type": "message", "text": "Printer on fire", "ts": "1700000000.1"},
                response_url=slack.response_url("m-short"),
            )
        ),
        FORM,
    ),
    "event": lambda app, slack: _post(
        app,
        event_body(
            f"Ev{time.monotonic_ns() % 10**9:09d}",
            {"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home"},
        ),
        JSON,
    ),
}
LISTENERS = {
    "command": "/ticket",
    "action": "ticket_refresh",
    "view": "find_customer_modal",
    "options": "customer_picker",
    "shortcut": "add_as_note",
    "event": "app_home_opened",
}


@pytest.mark.parametrize("kind", list(REQUESTS))
async def test_each_request_is_counted_by_kind_and_listener_with_its_ack_time(app, slack, kind):
    labels = {"kind": kind, "listener": LISTENERS[kind]}
    before = await scrape(app.http)
    response = await REQUESTS[kind](app, slack)
    assert response.status_code == 200
    after = await scrape(app.http)
    assert value(after, "deskhand_requests_total", **labels) == (
        value(before, "deskhand_requests_total", **labels) + 1
    )
    assert value(after, "deskhand_ack_seconds_count", **labels) == (
        value(before, "deskhand_ack_seconds_count", **labels) + 1
    )
    took = value(after, "deskhand_ack_seconds_sum", **labels) - value(
        before, "deskhand_ack_seconds_sum", **labels
    )
    assert 0 < took < 3  # Slack's limit
    # Within the 3-second bucket; the buckets are cumulative.
    assert value(after, "deskhand_ack_seconds_bucket", le="3.0", **labels) == (
        value(after, "deskhand_ack_seconds_count", **labels)
    )


async def test_a_command_the_app_does_not_register_is_labelled_other(app, slack):
    before = await scrape(app.http)
    await _command(app, slack, "/lookup-zanzibar", "what is this", "m-other")
    after = await scrape(app.http)
    labels = {"kind": "command", "listener": "other"}
    assert value(after, "deskhand_requests_total", **labels) == (
        value(before, "deskhand_requests_total", **labels) + 1
    )


async def test_backend_calls_are_counted_by_outcome_and_timed(app, slack):
    ok = {"backend": "readydesk", "action": "get_tickets", "outcome": "ok"}
    refused = {**ok, "outcome": "auth_failed"}
    timed = {"backend": "readydesk", "action": "get_tickets"}
    before = await scrape(app.http)
    await _command(app, slack, "/ticket", "34", "m-ok")
    app.readydesk.state.faults.add("status", status=401, query={"action": "get_tickets"})
    await _command(app, slack, "/ticket", "35", "m-refused")
    reply = await slack.wait_for_call("response_url", "m-refused")
    assert "refused Deskhand's credentials" in reply.payload["text"]
    after = await scrape(app.http)
    assert value(after, "deskhand_backend_calls_total", **ok) == (
        value(before, "deskhand_backend_calls_total", **ok) + 1
    )
    assert value(after, "deskhand_backend_calls_total", **refused) == (
        value(before, "deskhand_backend_calls_total", **refused) + 1
    )
    assert value(after, "deskhand_backend_call_seconds_count", **timed) == (
        value(before, "deskhand_backend_call_seconds_count", **timed) + 2
    )


async def test_a_read_retried_after_a_5xx_counts_its_retry_and_one_call(app, slack):
    labels = {"backend": "kickserv", "action": "get job"}
    app.kickserv.state.faults.add("status", status=503, path="/jobs/", times=1)
    job = min(app.kickserv.state.data.jobs)
    before = await scrape(app.http)
    await _command(app, slack, "/job", str(job), "m-retry")
    reply = await slack.wait_for_call("response_url", "m-retry")
    assert f"Job {job}" in json.dumps(reply.payload)
    after = await scrape(app.http)
    assert value(after, "deskhand_backend_retries_total", **labels) == (
        value(before, "deskhand_backend_retries_total", **labels) + 1
    )
    assert value(after, "deskhand_backend_calls_total", outcome="ok", **labels) == (
        value(before, "deskhand_backend_calls_total", outcome="ok", **labels) + 1
    )


async def _note(app, slack, name: str, fault: dict | None = None) -> str:
    if fault:
        app.readydesk.state.faults.add(times=1, query={"action": "add_history"}, **fault)
    await _command(app, slack, "/note", "ticket 34 Swapped the toner", name)
    return (await slack.wait_for_call("response_url", name)).payload["text"]


@pytest.mark.parametrize(
    ("fault", "outcome", "shown"),
    [
        (None, "written", "Added the note"),
        ({"kind": "applied_status", "status": 504}, "confirmed", "confirmed"),
        ({"kind": "status", "status": 422}, "not_written", "Not added"),
        # A 502 may still be applied: not there at once proves nothing yet.
        ({"kind": "status", "status": 502}, "unknown", "Could not confirm yet"),
    ],
)
async def test_write_outcomes_are_counted(app, slack, fault, outcome, shown):
    labels = {"action": "note.ticket", "outcome": outcome}
    before = await scrape(app.http)
    assert shown in await _note(app, slack, f"m-{outcome}", fault)
    after = await scrape(app.http)
    assert value(after, "deskhand_writes_total", **labels) == (
        value(before, "deskhand_writes_total", **labels) + 1
    )


async def test_a_ticket_note_refused_before_it_was_sent_is_audited_and_counted(app, slack):
    # Who writes it (the technician) cannot be looked up: the note is never sent.
    app.readydesk.state.faults.add("status", status=503, query={"action": "get_techs"})
    labels = {"action": "note.ticket", "outcome": "not_written"}
    before = await scrape(app.http)
    assert "Not added" in await _note(app, slack, "m-unsent")
    after = await scrape(app.http)
    assert value(after, "deskhand_writes_total", **labels) == (
        value(before, "deskhand_writes_total", **labels) + 1
    )
    [row] = await app.store.audit.recent()
    assert (row.action, row.target, row.outcome) == ("note.ticket", "ticket #34", "failed")
    assert row.detail.startswith("not sent: ReadyDesk")


async def test_a_write_another_process_claimed_is_a_duplicate_and_a_lost_claim(app, slack):
    trigger = "trigger-claimed-elsewhere"
    await app.store.claims.claim(
        f"cmd:{trigger}", action="note.ticket", user_id="U1", owner="replica-b"
    )
    body = urlencode(
        {
            "team_id": "T0SANDBOX",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/note",
            "text": "ticket 34 Swapped the toner",
            "response_url": slack.response_url("m-dup"),
            "trigger_id": trigger,
        }
    )
    before = await scrape(app.http)
    await _post(app, body, FORM)
    reply = await slack.wait_for_call("response_url", "m-dup")
    assert "already being written" in reply.payload["text"]
    after = await scrape(app.http)
    duplicate = {"action": "note.ticket", "outcome": "duplicate"}
    assert value(after, "deskhand_writes_total", **duplicate) == (
        value(before, "deskhand_writes_total", **duplicate) + 1
    )
    assert value(after, "deskhand_claims_lost_total", kind="write") == (
        value(before, "deskhand_claims_lost_total", kind="write") + 1
    )


async def test_a_refused_write_is_counted_as_refused(slack):
    async with served(slack, DESKHAND_WRITERS="U0SOMEONE") as app:
        labels = {"action": "/note", "outcome": "refused"}
        before = await scrape(app.http)
        response = await _command(app, slack, "/note", "ticket 34 Swapped the toner", "m-no")
        assert "list of people who may write" in response.json()["text"]
        after = await scrape(app.http)
        assert value(after, "deskhand_writes_total", **labels) == (
            value(before, "deskhand_writes_total", **labels) + 1
        )


async def test_requests_the_gate_refuses_are_counted_by_status(app):
    before = await scrape(app.http)
    body = "command=%2Fticket&text=34"
    forged = signed_headers(body, secret="not-the-secret")
    response = await app.http.post("/slack/events", content=body, headers={**FORM, **forged})
    assert response.status_code == 401
    after = await scrape(app.http)
    assert value(after, "deskhand_http_refused_total", status="401") == (
        value(before, "deskhand_http_refused_total", status="401") + 1
    )


async def test_the_directory_reports_its_fill_and_size(app):
    samples = await scrape(app.http)
    state = await app.store.directory.state()
    assert value(samples, "deskhand_state_database_up") == 1
    for system, (count, walked) in state.items():
        assert walked is not None and count > 0
        assert value(samples, "deskhand_directory_filled", system=system) == 1
        assert value(samples, "deskhand_directory_customers", system=system) == count
        assert 0 <= value(samples, "deskhand_directory_age_seconds", system=system) < 600


async def test_no_secret_and_nothing_a_person_typed_or_is_appears_in_metrics(slack):
    person, typed = "U0PRIVATE42", "quokka-zanzibar-7731"
    slack.users[person] = dict(slack.users["U1"], id=person)
    async with served(slack) as app:
        await _command(app, slack, "/tickets", f"{typed} key={SANDBOX_KEY}", "m-s1", person)
        await _command(app, slack, "/note", f"ticket 34 {typed} {SANDBOX_KEY}", "m-s2", person)
        await _command(app, slack, "/customer", f"{typed}@example.com", "m-s3", person)
        await _command(app, slack, f"/{typed}", typed, "m-s4", person)
        event = {"type": "app_home_opened", "user": person, "channel": "D0HOME", "tab": "home"}
        await _post(app, event_body("Ev0SECRETS", event), JSON)
        text = (await app.http.get("/metrics")).text
        assert total(await scrape(app.http), "deskhand_requests_total") >= 5
    secrets = (SANDBOX_KEY, SANDBOX_API_KEY, SIGNING_SECRET, "xoxb-test-token")
    for unwanted in (person, typed, "example.com", *secrets):
        assert unwanted not in text
