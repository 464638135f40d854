"""The ReadyDesk client against the sandbox fake and against scripted transports."""

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.digests import unassigned_tickets
from api.errors import AuthFailed, InvalidRequest, MalformedResponse, NotFound, Unavailable
from api.http import RedactingFormatter, RetryPolicy, redact
from api.readydesk import ReadyDeskClient
from api.readydesk.search import TicketSearch, customer_tickets, scan_tickets, search_tickets
from sandbox.readydesk import build_readydesk_app
from sandbox.readydesk_records import RDCustomer
from tests.conftest import ENDPOINT, fixture_text

# Two days the seeded help desk (dated around today) has tickets from.
SINCE = datetime.combine(date.today() - timedelta(days=12), time())
UNTIL = SINCE + timedelta(days=2)


async def test_get_ticket_returns_that_ticket(readydesk, rd_data):
    ticket = await readydesk.get_ticket(34)
    stored = rd_data.tickets[34]
    assert ticket.ticket_id == 34
    assert ticket.subject == stored.subject
    assert ticket.customer_id == stored.cid
    assert ticket.opened_at == stored.date_opened


async def test_missing_ticket_is_not_found_with_a_readable_message(readydesk):
    with pytest.raises(NotFound, match="Ticket 999999 does not exist in ReadyDesk"):
        await readydesk.get_ticket(999999)


async def test_status_filter_and_count_only_agree(readydesk, rd_data):
    closed = await readydesk.get_tickets(status="Closed")
    assert closed and all(t.status == "Closed" for t in closed)
    assert await readydesk.get_tickets(status="Closed", count_only=True) == len(closed)
    expected = sum(1 for t in rd_data.tickets.values() if t.status == "Closed")
    assert len(closed) == expected


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"uid": "alice"}, lambda t: t.assigned_tech == "alice"),
        ({"group": "Network Team"}, lambda t: t.assigned_group_name == "Network Team"),
        ({"priority": "Urgent"}, lambda t: t.priority == "Urgent"),
        ({"keyword": "vpn"}, lambda t: "vpn" in (t.subject + t.summary).lower()),
        ({"start_tid": 40, "end_tid": 45}, lambda t: 40 <= t.ticket_id <= 45),
        ({"cid": "demo"}, lambda t: t.customer_id == "demo"),
        ({"start_cid": "m", "end_cid": "p"}, lambda t: "m" <= t.customer_id[:1] <= "p"),
        (
            {"start_date": SINCE, "end_date": f"{UNTIL:%m/%d/%Y} 00:00:00"},
            lambda t: SINCE <= t.opened_at <= UNTIL,
        ),
    ],
    ids=["uid", "group", "priority", "keyword", "tid-range", "cid", "cid-range", "dates"],
)
async def test_filters_return_only_matching_tickets(readydesk, filters, check):
    tickets = await readydesk.get_tickets(**filters)
    assert tickets, "the seeded data should match this filter"
    assert all(check(t) for t in tickets)


async def test_pages_are_consecutive_and_disjoint(readydesk):
    first = await readydesk.get_tickets(count=10, page=1)
    second = await readydesk.get_tickets(count=10, page=2)
    assert [t.ticket_id for t in first] == list(range(1, 11))
    assert [t.ticket_id for t in second] == list(range(11, 21))


async def test_order_descending(readydesk):
    newest = await readydesk.get_tickets(count=3, order="TID", order_direction="DESC")
    assert [t.ticket_id for t in newest] == [300, 299, 298]
    same = await readydesk.get_tickets(count=3, order="TID DESC")
    assert same == newest


async def test_customers_by_list_and_range(readydesk, rd_data):
    ids = sorted(rd_data.customers)[:3]
    found = await readydesk.get_customers(cid=ids)
    assert sorted(c.customer_id for c in found) == ids
    ranged = await readydesk.get_customers(start_cid="d", end_cid="f")
    assert ranged and all(c.customer_id[0] in "def" for c in ranged)
    assert await readydesk.get_customers(count_only=True) == len(rd_data.customers)


async def test_get_customer_and_missing_customer(readydesk):
    demo = await readydesk.get_customer("demo")
    assert demo.contact == "John Smith" and demo.company_name == "Demo Company"
    with pytest.raises(NotFound, match="Customer nobody does not exist"):
        await readydesk.get_customer("nobody")


@pytest.mark.parametrize("fmt", ["json", "delimited"])
async def test_every_format_from_the_fake_gives_the_same_models(rd_data, fmt):
    app = build_readydesk_app(rd_data)
    plain = ReadyDeskClient(ENDPOINT, "sandbox-key", transport=httpx.ASGITransport(app=app))
    other = ReadyDeskClient(
        ENDPOINT,
        "sandbox-key",
        transport=httpx.ASGITransport(app=app),
        format_param="format",
        format_value=fmt,
    )
    assert await other.get_tickets(count=25) == await plain.get_tickets(count=25)
    assert await other.get_customers(count=25) == await plain.get_customers(count=25)


async def test_a_hostile_value_reaches_the_server_as_one_variable():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="<customers></customers>")

    client = ReadyDeskClient(ENDPOINT, "k3y", transport=httpx.MockTransport(handler))
    with pytest.raises(NotFound):
        await client.get_customer("a&action=add_customer")
    query = parse_qs(urlsplit(str(seen[0].url)).query)
    assert query["action"] == ["get_customers"]
    assert query["cid"] == ["a&action=add_customer"]


async def test_ampersand_equals_plus_and_spaces_round_trip(readydesk, rd_data):
    odd = "a&b=c+d e %41"
    rd_data.add_customer(
        RDCustomer(
            record_id=9999,
            customer_id=odd,
            company_id=1,
            company_name="R&D + Co",
            contact="Ann = Lee",
            phone="",
            email="ann+test@example.com",
            address="1 A St",
            city="X",
            state="Y",
            zip="1",
        )
    )
    customer = await readydesk.get_customer(odd)
    assert customer.customer_id == odd
    assert customer.company_name == "R&D + Co"
    assert customer.contact == "Ann = Lee"
    assert customer.email == "ann+test@example.com"


async def test_a_bad_key_is_auth_failed_without_the_key_in_the_message(rd_data):
    client = ReadyDeskClient(
        ENDPOINT, "wrong-key-123", transport=httpx.ASGITransport(app=build_readydesk_app(rd_data))
    )
    with pytest.raises(AuthFailed) as caught:
        await client.get_ticket(1)
    assert "Invalid API key" in str(caught.value)
    assert "wrong-key-123" not in str(caught.value)


async def test_unknown_order_column_is_invalid_request(readydesk):
    with pytest.raises(InvalidRequest, match="Invalid order column"):
        await readydesk.get_tickets(order="PASSWORD")


async def test_the_key_never_appears_in_errors_or_logs(caplog, sleeps):
    key = "s3cret/Key+with=odd&chars"

    def handler(request: httpx.Request) -> httpx.Response:
        logging.getLogger("deskhand.test").warning("server saw %s", request.url)
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client = ReadyDeskClient(
        ENDPOINT, key, transport=httpx.MockTransport(handler), retry=RetryPolicy(sleep=sleeps)
    )
    with caplog.at_level(logging.INFO), pytest.raises(Unavailable) as caught:
        await client.get_ticket(1)
    assert key not in str(caught.value)
    assert caught.value.__cause__ is None  # the httpx error (which holds the URL) is not chained
    formatter = RedactingFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "server saw" in logged
    assert key not in logged
    assert "s3cret%2FKey%2Bwith%3Dodd%26chars" not in logged
    assert "key=***" in logged


def test_redact_scrubs_query_keys_and_slack_tokens():
    text = "GET /API/?key=abc123&action=get_tickets with xoxb-1234567890-abcdef"
    assert redact(text) == "GET /API/?key=***&action=get_tickets with ***"


async def test_reads_retry_5xx_then_succeed(sleeps):
    answers = [
        httpx.Response(503),
        httpx.Response(200, text=fixture_text("readydesk/get_tickets_34.xml")),
    ]
    client = ReadyDeskClient(
        ENDPOINT,
        "k",
        transport=httpx.MockTransport(lambda r: answers.pop(0)),
        retry=RetryPolicy(sleep=sleeps),
    )
    ticket = await client.get_ticket(34)
    assert ticket.ticket_id == 34
    assert sleeps.delays == [0.5]


async def test_429_waits_as_long_as_retry_after_says(sleeps):
    answers = [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, text=fixture_text("readydesk/get_tickets_34.json")),
    ]
    client = ReadyDeskClient(
        ENDPOINT,
        "k",
        transport=httpx.MockTransport(lambda r: answers.pop(0)),
        retry=RetryPolicy(sleep=sleeps),
    )
    await client.get_ticket(34)
    assert sleeps.delays == [2.0]


async def test_persistent_5xx_gives_up_as_unavailable(sleeps):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, text="<html>boom</html>")

    client = ReadyDeskClient(
        ENDPOINT, "k", transport=httpx.MockTransport(handler), retry=RetryPolicy(sleep=sleeps)
    )
    with pytest.raises(Unavailable, match="HTTP 500"):
        await client.get_ticket(1)
    assert len(calls) == 3


async def test_html_error_page_with_200_is_malformed():
    page = "<!DOCTYPE html><html><body>Runtime Error</body></html>"
    client = ReadyDeskClient(
        ENDPOINT, "k", transport=httpx.MockTransport(lambda r: httpx.Response(200, text=page))
    )
    with pytest.raises(MalformedResponse, match="get_tickets"):
        await client.get_ticket(1)


async def test_a_url_over_the_limit_is_refused_before_sending():
    sent = []
    client = ReadyDeskClient(
        ENDPOINT,
        "k",
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)),
        max_url_length=300,
    )
    with pytest.raises(InvalidRequest, match="too long for ReadyDesk"):
        await client.get_tickets(keyword="x" * 400)
    assert sent == []


@pytest.mark.parametrize("window", [100, 2])
async def test_a_customers_ticket_counts_are_the_same_from_the_window_or_per_status(
    readydesk, rd_data, window
):
    cid = max(rd_data.customers, key=lambda c: sum(t.cid == c for t in rd_data.tickets.values()))
    mine = [t for t in rd_data.tickets.values() if t.cid == cid]
    assert len(mine) > 2  # so the small window needs the per-status counts
    summary = await customer_tickets(readydesk, cid, window=window)
    expected = Counter(t.status for t in mine)
    assert {s: n for s, n in summary.counts.items() if n} == dict(expected)
    newest = sorted(mine, key=lambda t: t.tid, reverse=True)  # over all, whatever the window
    newest_open = [t.tid for t in newest if t.status != "Closed" and not t.date_closed][:5]
    assert [t.ticket_id for t in summary.newest_open] == newest_open


async def test_a_bounded_scan_keeps_what_it_is_asked_and_says_when_the_bound_cut_it_short(
    readydesk, rd_data
):
    def unassigned(ticket):
        return not ticket.assigned_tech

    everything, cut = await scan_tickets(
        readydesk, TicketSearch(), unassigned, newest_first=False, limit=len(rd_data.tickets) + 1
    )
    expected = sorted(t.tid for t in rd_data.tickets.values() if not t.assigned_tech)
    assert [t.ticket_id for t in everything] == expected and not cut
    newest, cut = await scan_tickets(
        readydesk, TicketSearch(), unassigned, newest_first=True, limit=50
    )
    assert cut
    newest_fifty = sorted(rd_data.tickets, reverse=True)[:50]
    assert [t.ticket_id for t in newest] == [n for n in newest_fifty if n in set(expected)]
    page = await search_tickets(readydesk, TicketSearch(overdue=True), now=datetime(2100, 1, 1))
    due = [t for t in rd_data.tickets.values() if t.due_date and t.status != "Closed"]
    assert page.total == len(due) and page.scan_limit is None  # overdue is exact, never a scan


async def test_the_unassigned_digest_looks_at_the_newest_tickets_and_lists_the_oldest_first(
    readydesk, rd_data
):
    digest = await unassigned_tickets(readydesk, TicketSearch(), limit=60)
    newest = sorted(rd_data.tickets, reverse=True)[:60]
    expected = sorted(
        n
        for n in newest
        if not rd_data.tickets[n].assigned_tech and rd_data.tickets[n].status != "Closed"
    )
    assert expected and digest.ticket_ids == expected and digest.partial


async def test_a_misspelt_filter_is_refused_before_anything_is_sent(readydesk):
    with pytest.raises(TypeError, match=r"unexpected filter.*stauts"):
        await readydesk.get_tickets(stauts="Open")  # would come back unfiltered from ReadyDesk
