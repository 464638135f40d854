"""The customer directory keys records as the domain matches them (api/business.py) and hands
back Business and Entry, whatever rows the store keeps."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from api.business import KICKSERV, Business
from api.directory import BATCH, CustomerDirectory
from api.errors import Unavailable
from api.kickserv import KickservCustomer
from api.readydesk import Customer
from tests.conftest import ready_store


class _Walk:
    """A backend whose customer walk yields the given customers."""

    def __init__(self, customers: list[Any]) -> None:
        self._customers = customers

    async def iter_customers(self, **filters: Any) -> AsyncIterator[Any]:
        for customer in self._customers:
            yield customer


class _Stalling(_Walk):
    """A backend whose walk yields the given customers, then never sends the next page."""

    async def iter_customers(self, **filters: Any) -> AsyncIterator[Any]:
        async for customer in super().iter_customers(**filters):
            yield customer
        await asyncio.Event().wait()


async def test_stopping_mid_walk_is_quick_and_finishes_the_write_in_progress(monkeypatch):
    store = ready_store()
    customers = [
        KickservCustomer.model_validate({"id": n, "customer_number": n, "name": f"Customer {n}"})
        for n in range(1, BATCH + 1)
    ]
    directory = CustomerDirectory(store.directory, _Walk([]), _Stalling(customers))  # type: ignore[arg-type]
    original, writing = store.directory.upsert, asyncio.Event()

    async def slow_write(records: list[Any]) -> int:
        if records:  # Kickserv's batch (ReadyDesk has no customers here)
            writing.set()
            await asyncio.to_thread(time.sleep, 0.3)  # still being written when asked to stop
        return await original(records)

    monkeypatch.setattr(store.directory, "upsert", slow_write)
    directory.start()
    await asyncio.wait_for(writing.wait(), 5)
    started = time.perf_counter()
    await directory.aclose()
    assert time.perf_counter() - started < 1.0  # not held up by the page that never comes
    assert len(await store.directory.search(["customer"], limit=BATCH)) == BATCH
    assert not await directory.is_ready()
    await store.close()


async def test_records_link_by_email_whatever_its_case_and_phones_match_without_punctuation():
    store = ready_store()
    readydesk = Customer.model_validate(
        {
            "customer_id": "demo",
            "company_name": "Demo Co",
            "contact": "John Smith",
            "email": "j@demo.example",
            "phone": "+1 (555) 010-0142",
        }
    )
    kickserv = KickservCustomer.model_validate(
        {"id": 5100231, "customer_number": 380, "name": "Demo Company", "email": "J@Demo.example"}
    )
    directory = CustomerDirectory(store.directory, _Walk([readydesk]), _Walk([kickserv]))  # type: ignore[arg-type]
    assert await directory.refresh()
    [business] = await directory.search("Demo Co")
    assert isinstance(business, Business) and business.name == "Demo Co"
    assert business.linked_by == "email" and business.kickserv.record_key == "380"
    [by_phone] = await directory.search("555.010.0142")
    assert by_phone.readydesk.record_key == "demo"
    assert (await directory.kickserv_by_global_id(5100231)).record_key == "380"
    assert (await directory.business(KICKSERV, "380")).readydesk.company == "Demo Co"
    await store.close()


class _Down(_Walk):
    """A backend whose walk fails until `up` is set."""

    def __init__(self, customers: list[Any]) -> None:
        super().__init__(customers)
        self.up = False

    async def iter_customers(self, **filters: Any) -> AsyncIterator[Any]:
        if not self.up:
            raise Unavailable("Kickserv is down.", backend="Kickserv", action="list customers")
        async for customer in super().iter_customers(**filters):
            yield customer


async def test_waiting_until_ready_waits_for_a_walk_of_both_systems_not_a_failed_one():
    store = ready_store()
    kickserv = _Down([])
    directory = CustomerDirectory(store.directory, _Walk([]), kickserv)  # type: ignore[arg-type]
    waiting = asyncio.create_task(directory.wait_until_ready())
    assert not await directory.refresh()  # Kickserv down: ReadyDesk alone was walked
    await asyncio.sleep(0)
    assert not waiting.done()
    kickserv.up = True
    assert await directory.refresh()
    await asyncio.wait_for(waiting, 5)
    await asyncio.wait_for(directory.wait_until_ready(), 5)  # ready now: at once
    await store.close()
