"""Each server error kind and each misbehaviour of the fake, with the client's result asserted."""

import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.errors import AuthFailed, InvalidRequest, MalformedResponse, NotFound, Unavailable
from api.http import RetryPolicy
from api.readydesk import ReadyDeskClient
from api.readydesk.wire import WireNames
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.serve import LoopbackServer
from tests.conftest import ENDPOINT, RecordingSleep


def _client(app, *, fmt: str | None = None, **options) -> ReadyDeskClient:
    return ReadyDeskClient(
        ENDPOINT,
        SANDBOX_KEY,
        transport=httpx.ASGITransport(app=app),
        format_param="format" if fmt else None,
        format_value=fmt,
        **options,
    )


@pytest.fixture
def app():
    return build_readydesk_app(seeded(tickets=60, customers=20))


# -- the server's own error replies -----------------------------------------------------------


async def test_address_not_on_the_allow_list_is_auth_failed():
    app = build_readydesk_app(seeded(tickets=5, customers=3), allowed_ips={"10.9.9.9"})
    with pytest.raises(AuthFailed, match="allowed IPs"):
        await _client(app).get_ticket(1)


async def test_unknown_action_is_invalid_request_pointing_at_configuration(app):
    client = _client(app, names=WireNames(history_action="add_ticket_history"))
    with pytest.raises(InvalidRequest, match="does not know the action `add_ticket_history`"):
        await client.add_history_note(1, "Called back")


@pytest.mark.parametrize("fmt", ["xml", "json", "delimited"])
async def test_error_replies_are_understood_in_every_format(app, fmt):
    client = ReadyDeskClient(
        ENDPOINT,
        "bad",
        transport=httpx.ASGITransport(app=app),
        format_param="format",
        format_value=fmt,
    )
    with pytest.raises(AuthFailed):
        await client.get_ticket(1)


# -- misbehaviour -----------------------------------------------------------------------------


async def test_added_latency_still_answers(app):
    app.state.faults.add("latency", seconds=0.2, query={"action": "get_tickets"})
    started = time.monotonic()
    ticket = await _client(app).get_ticket(7)
    assert ticket.ticket_id == 7
    assert time.monotonic() - started >= 0.2


async def test_latency_past_the_timeout_is_unavailable_not_a_hang(app):
    app.state.faults.add("latency", seconds=2.0)
    sleeps = RecordingSleep()
    async with LoopbackServer(app) as server:
        client = ReadyDeskClient(
            f"{server.base_url}/readydesk/API/default.aspx",
            SANDBOX_KEY,
            timeout=0.2,
            retry=RetryPolicy(attempts=2, sleep=sleeps),
        )
        started = time.monotonic()
        with pytest.raises(Unavailable, match="did not answer in time"):
            await client.get_ticket(1)
        assert time.monotonic() - started < 1.5
        await client.aclose()
    assert len(sleeps.delays) == 1  # a read retried once, then gave up


async def test_one_503_is_retried_for_a_read(app, sleeps):
    app.state.faults.add("status", status=503, times=1)
    ticket = await _client(app, retry=RetryPolicy(sleep=sleeps)).get_ticket(3)
    assert ticket.ticket_id == 3 and sleeps.delays == [0.5]


async def test_persistent_500_is_unavailable_after_the_retries(app, sleeps):
    app.state.faults.add("status", status=500)
    with pytest.raises(Unavailable, match="HTTP 500"):
        await _client(app, retry=RetryPolicy(sleep=sleeps)).get_ticket(3)
    assert sleeps.delays == [0.5, 1.0]


async def test_429_honours_retry_after(app, sleeps):
    app.state.faults.add("status", status=429, headers={"Retry-After": "3"}, times=1)
    await _client(app, retry=RetryPolicy(sleep=sleeps)).get_ticket(3)
    assert sleeps.delays == [3.0]


async def test_a_write_is_not_retried_after_a_5xx(app, sleeps):
    fault = app.state.faults.add("status", status=502, query={"action": "add_history"})
    with pytest.raises(Unavailable):
        await _client(app, retry=RetryPolicy(sleep=sleeps)).add_history_note(1, "once only")
    assert sleeps.delays == [] and fault in app.state.faults.active
    assert not any(e.note == "once only" for e in app.state.data.history[1])


async def test_a_dropped_connection_is_retried_for_a_read(app, sleeps):
    app.state.faults.add("drop", times=1)
    assert (await _client(app, retry=RetryPolicy(sleep=sleeps)).get_ticket(4)).ticket_id == 4


async def test_a_dropped_connection_on_a_write_is_unavailable_without_retry(app, sleeps):
    app.state.faults.add("drop", times=1)
    with pytest.raises(Unavailable, match="could not be reached"):
        await _client(app, retry=RetryPolicy(sleep=sleeps)).update_ticket(4, priority="Low")
    assert sleeps.delays == []


# A URL-delimited body cut short is still valid delimited text, so no client can tell; and an
# empty delimited body is how that format says "no records" (it has no wrapper). Those two
# combinations are left out on purpose (README: prefer XML or JSON).
UNREADABLE = [
    (kind, fmt)
    for kind in ("html", "empty", "truncated", "malformed")
    for fmt in ("xml", "json", "delimited")
    if (kind, fmt) not in (("truncated", "delimited"), ("empty", "delimited"))
]


async def test_an_empty_delimited_reply_to_a_read_is_no_records(app):
    app.state.faults.add("empty", status=200)
    assert await _client(app, fmt="delimited").get_tickets(count=5) == []


async def test_once_the_server_answered_url_delimited_an_empty_reply_is_no_records():
    app = build_readydesk_app(seeded(tickets=60, customers=20), default_format="delimited")
    client = _client(app)  # no format configured: the server's default is all it hears
    with pytest.raises(MalformedResponse, match="an empty reply"):
        await client.get_ticket(999999)  # nothing heard yet: an empty body may be a fault
    assert (await client.get_ticket(7)).ticket_id == 7
    with pytest.raises(NotFound, match="Ticket 999999 does not exist in ReadyDesk"):
        await client.get_ticket(999999)
    assert await client.get_tickets(keyword="no such words anywhere") == []


async def test_once_the_server_answered_xml_an_empty_reply_is_still_unreadable(app):
    client = ReadyDeskClient(  # told to ask for delimited, by a name this server ignores
        ENDPOINT,
        SANDBOX_KEY,
        transport=httpx.ASGITransport(app=app),
        format_param="output",
        format_value="delimited",
    )
    assert (await client.get_ticket(7)).ticket_id == 7
    app.state.faults.add("empty", status=200)
    with pytest.raises(MalformedResponse, match="an empty reply"):
        await client.get_tickets(count=5)


@pytest.mark.parametrize(("kind", "fmt"), UNREADABLE)
async def test_unreadable_replies_are_malformed_response_naming_the_action(app, kind, fmt):
    app.state.faults.add(kind, status=200)
    with pytest.raises(MalformedResponse) as caught:
        await _client(app, fmt=fmt).get_tickets(count=5)
    assert caught.value.action == "get_tickets"
    assert "get_tickets" in str(caught.value)


async def test_an_html_500_page_is_unavailable(app, sleeps):
    app.state.faults.add("html", status=500)
    with pytest.raises(Unavailable):
        await _client(app, retry=RetryPolicy(sleep=sleeps)).get_ticket(1)


async def test_faults_match_by_action_only(app):
    app.state.faults.add("status", status=500, query={"action": "get_customers"})
    assert (await _client(app).get_ticket(2)).ticket_id == 2


# -- round trip property -------------------------------------------------------------------------

PRINTABLE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=60,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contact=PRINTABLE,
    notes=PRINTABLE,
    city=PRINTABLE,
    fmt=st.sampled_from(["xml", "json", "delimited"]),
)
async def test_any_printable_value_round_trips_through_add_customer(contact, notes, city, fmt):
    app = build_readydesk_app(seeded(tickets=1, customers=2))
    client = _client(app, fmt=fmt, max_url_length=20_000)
    cid = await client.add_customer(cid="roundtrip", contact=contact, notes=notes, city=city)
    [customer] = await client.get_customers(cid=cid)
    assert (customer.contact, customer.notes, customer.city) == (contact, notes, city)
