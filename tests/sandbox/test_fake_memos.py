"""The fakes write an unchanged record from a memo of its values (a directory fill lists every
customer at each start of a process); a record is still written as it is now: changed, it is
written anew, and values that compare equal but read differently are each written as
themselves."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import httpx
from defusedxml.ElementTree import fromstring

from sandbox import kickserv_base
from sandbox import readydesk_wire as wire
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_base import SANDBOX_ACCOUNT, SANDBOX_API_KEY
from sandbox.kickserv_data import KickservData, seeded_kickserv

DAY = date(2026, 1, 6)


def _kickserv() -> tuple[KickservData, httpx.AsyncClient]:
    data = seeded_kickserv(seeded(tickets=3, customers=3, today=DAY), customers=3, today=DAY)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_kickserv_app(data)),
        base_url=f"http://kickserv.test/{SANDBOX_ACCOUNT}",
        auth=(SANDBOX_API_KEY, SANDBOX_API_KEY),
    )
    return data, client


async def _customers(client: httpx.AsyncClient) -> dict[int, dict]:
    response = await client.get("/customers.json")
    assert response.status_code == 200
    return {c["customer_number"]: c for c in response.json()}


async def test_a_kickserv_customer_changed_since_it_was_listed_is_listed_as_it_is_now():
    data, client = _kickserv()
    async with client:
        first = await _customers(client)
        memo = kickserv_base.flat_record_json
        hits = memo.cache_info().hits
        assert await _customers(client) == first
        assert memo.cache_info().hits >= hits + len(first), "written from the memo"
        changed = await client.put("/customers/1.json", json={"customer": {"name": "Ada Lovelace"}})
        assert changed.json()["name"] == "Ada Lovelace"
        now = await _customers(client)
        data.customers[2].balance = Decimal("12.5")  # changed in place, as the fake's routes do
        assert (await _customers(client))[2]["balance"] == "12.50"
    assert now[1]["name"] == "Ada Lovelace" and now[1]["updated_at"] != first[1]["updated_at"]
    assert {n: c for n, c in now.items() if n != 1} == {n: c for n, c in first.items() if n != 1}


async def test_a_kickserv_customer_changed_to_equal_values_that_read_differently_reads_anew():
    """True == 1, 12.5 == Decimal("12.50"), and one instant on two clocks compare equal, but
    the JSON says true and 1, 12.5 and "12.50", and each clock's own time."""
    data, client = _kickserv()
    customer = data.customers[1]
    customer.company, customer.balance = True, Decimal("12.50")
    async with client:
        before = (await _customers(client))[1]
        customer.company, customer.balance = 1, 12.5
        customer.updated_at = customer.updated_at.astimezone(UTC)
        after = (await _customers(client))[1]
    assert before["company"] is True and before["balance"] == "12.50"
    assert before["updated_at"].endswith("-05:00")
    assert type(after["company"]) is int and after["balance"] == 12.5
    assert after["updated_at"].endswith("+00:00")


def test_readydesk_rows_of_one_instant_on_two_clocks_are_each_written_on_their_own():
    """What the fake writes of a datetime is its wall time: equal instants, two wall times."""
    noon = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
    east = noon.astimezone(timezone(timedelta(hours=-5)))
    assert noon == east
    group = {"id": "7", "name": "Desk", "status": True, "category": None, "source": None}
    at_noon, _ = wire.render_list(wire.TECH_GROUPS, [{**group, "source": noon}], wire.XML)
    at_seven, _ = wire.render_list(wire.TECH_GROUPS, [{**group, "source": east}], wire.XML)
    assert fromstring(at_noon).find("group/source").text == "1/6/2026 12:00:00 PM"
    assert fromstring(at_seven).find("group/source").text == "1/6/2026 7:00:00 AM"
