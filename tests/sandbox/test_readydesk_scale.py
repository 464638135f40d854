"""The fake holds a large help desk and pages through it correctly (timings: bench/)."""

import httpx
import pytest

from api.readydesk import ReadyDeskClient
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from tests.conftest import ENDPOINT

pytestmark = pytest.mark.long_running


async def test_fifty_thousand_tickets_page_to_the_end():
    data = seeded(tickets=50_000, customers=5_000)
    assert len(data.tickets) == 50_000 and len(data.customers) == 5_000
    client = ReadyDeskClient(
        ENDPOINT, SANDBOX_KEY, transport=httpx.ASGITransport(app=build_readydesk_app(data))
    )
    last = await client.get_tickets(count=100, page=500)
    assert [t.ticket_id for t in last] == list(range(49_901, 50_001))
    assert await client.get_tickets(count=100, page=501) == []
    newest = await client.get_tickets(count=2, page=1, order="TID DESC")
    assert [t.ticket_id for t in newest] == [50_000, 49_999]
    assert await client.get_tickets(count_only=True) == 50_000


def test_the_same_seed_gives_the_same_world():
    first, second = seeded(tickets=50, customers=10), seeded(tickets=50, customers=10)
    assert first.tickets == second.tickets and first.customers == second.customers
