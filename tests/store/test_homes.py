"""Home tabs: a person's tab is re-read at most once a minute, across processes."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ready_store

MINUTE = timedelta(minutes=1)


@pytest.fixture
async def stores(database_url):
    """Two Store objects on one database, as two bot processes would have."""
    first, second = ready_store(database_url), ready_store(database_url)
    yield first, second
    await first.close()
    await second.close()


async def test_one_process_publishes_a_home_per_minute_and_refresh_always_may(stores):
    first, second = stores
    now = datetime.now(UTC)
    opened = await asyncio.gather(*(stores[n % 2].homes.claim("U1", now, MINUTE) for n in range(8)))
    assert opened.count(True) == 1  # the first open ever, seen by two processes at once
    assert await second.homes.claim("U1", now + timedelta(seconds=59), MINUTE) is False
    assert await first.homes.claim("U2", now, MINUTE) is True  # someone else's tab
    assert await first.homes.claim("U1", now + timedelta(seconds=59), timedelta(0)) is True
    later = now + timedelta(seconds=59) + MINUTE
    again = await asyncio.gather(
        *(stores[n % 2].homes.claim("U1", later, MINUTE) for n in range(8))
    )
    assert again.count(True) == 1


async def test_a_claim_given_back_lets_the_next_open_publish_but_not_a_later_claim(stores):
    first, second = stores
    now = datetime.now(UTC)
    assert await first.homes.claim("U1", now, MINUTE) is True
    await first.homes.release("U1", now)  # its publish failed
    assert await second.homes.claim("U1", now + timedelta(seconds=5), MINUTE) is True
    await first.homes.release("U1", now)  # late: the claim is the other process's now
    assert await first.homes.claim("U1", now + timedelta(seconds=10), MINUTE) is False
