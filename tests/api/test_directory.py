"""The customer directory keys records as the domain matches them (api/business.py) and hands
back Business and Entry, whatever rows the store keeps."""

from collections.abc import AsyncIterator
from typing import Any

from api.business import KICKSERV, Business
from api.directory import CustomerDirectory
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
