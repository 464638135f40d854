"""Every ReadyDesk action the client knows, against the sandbox fake."""

from datetime import datetime

import httpx
import pytest

from api.errors import InvalidRequest, MalformedResponse, NotFound
from api.readydesk import ReadyDeskClient
from api.readydesk.wire import WireNames
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from tests.conftest import ENDPOINT


async def test_iter_tickets_walks_every_page_of_a_filtered_query(readydesk, rd_data):
    open_ids = [t.tid for t in rd_data.tickets.values() if t.status == "Open"]
    walked = [t.ticket_id async for t in readydesk.iter_tickets(page_size=7, status="Open")]
    assert walked == open_ids


async def test_iter_customers_reaches_the_last_page(readydesk, rd_data):
    walked = [c.customer_id async for c in readydesk.iter_customers(page_size=25)]
    assert walked == list(rd_data.customers)


async def test_a_customer_walk_reads_past_an_odd_value_in_a_field_the_directory_does_not_keep(
    readydesk, rd_data
):
    odd = rd_data.customers["demo"]
    odd.latitude = "north"  # not a number: a whole customer read refuses it
    with pytest.raises(MalformedResponse, match="latitude"):
        await readydesk.get_customer("demo")
    walked = [c async for c in readydesk.iter_customers(page_size=25)]
    assert [c.customer_id for c in walked] == list(rd_data.customers)
    assert walked[0].company_name == "Demo Company"


async def test_companies_by_name_range_and_count(readydesk, rd_data):
    everyone = await readydesk.get_companies()
    assert len(everyone) == len(rd_data.companies)
    [demo] = await readydesk.get_companies(name="demo company")
    assert demo.company_id == 1 and demo.address == "123 Demo Street"
    ranged = await readydesk.get_companies(start_name="d", end_name="e")
    assert ranged and all(c.name[0].lower() in "de" for c in ranged)
    assert await readydesk.get_companies(count_only=True) == len(rd_data.companies)


async def test_technicians_by_list_and_range(readydesk):
    techs = await readydesk.get_techs(uid=["alice", "bob"])
    assert sorted(t.uid for t in techs) == ["alice", "bob"]
    alice = next(t for t in techs if t.uid == "alice")
    assert alice.name == "Alice Moreno" and alice.group_ids == [1]
    assert sorted(t.uid for t in await readydesk.get_techs(start_uid="c", end_uid="h")) == [
        "carol",
        "guest",
    ]


async def test_tech_groups_carry_their_lists(readydesk):
    groups = await readydesk.get_tech_groups()
    assert [g.name for g in groups] == ["Tier 1", "Field Team", "Network Team"]
    assert "Open" in groups[0].statuses and "Email" in groups[0].sources
    [one] = await readydesk.get_tech_groups(id=2)
    assert one.name == "Field Team"
    page = await readydesk.get_tech_groups(id="*", count=2, page=2)
    assert [g.group_id for g in page] == [3]


async def test_history_of_one_ticket(readydesk, rd_data):
    entries = await readydesk.get_history(tid=34)
    assert entries and all(e.ticket_id == 34 for e in entries)
    assert entries[0].note == "Ticket opened."
    assert entries[0].at == rd_data.tickets[34].date_opened


async def test_history_filters_select_tickets(readydesk, rd_data):
    entries = await readydesk.get_history(uid="carol", count=50)
    carol_tickets = {t.tid for t in rd_data.tickets.values() if t.assigned_tech == "carol"}
    assert entries and {e.ticket_id for e in entries} <= carol_tickets


async def test_schedules_by_ticket_and_technician(readydesk, rd_data):
    schedule = next(iter(rd_data.schedules.values()))
    [found] = await readydesk.get_schedules(id=schedule.record_id)
    assert found.ticket_ids == schedule.tids and found.starts_at == schedule.start_date
    by_ticket = await readydesk.get_schedules(tid=schedule.tids)
    assert schedule.record_id in {s.schedule_id for s in by_ticket}
    uid = schedule.uids[0]
    assert all(uid in s.technician_ids for s in await readydesk.get_schedules(uid=uid))


async def test_add_ticket_then_read_it_back(readydesk):
    tid = await readydesk.add_ticket(
        cid="demo",
        subject="Server room too hot",
        body="Thermostat reads 31°C & rising",
        status="Assigned",
        priority="High",
        assigned_to="alice",
        assigned_group="Network Team",
        category="Hardware",
        source="Email",
    )
    ticket = await readydesk.get_ticket(tid)
    assert ticket.subject == "Server room too hot"
    assert ticket.summary == "Thermostat reads 31°C & rising"
    assert (ticket.status, ticket.priority, ticket.assigned_tech) == ("Assigned", "High", "alice")
    assert ticket.assigned_group_name == "Network Team" and ticket.contact == "John Smith"


async def test_update_ticket_changes_only_what_is_sent(readydesk):
    before = await readydesk.get_ticket(10)
    assert await readydesk.update_ticket(10, priority="Urgent") == 10
    after = await readydesk.get_ticket(10)
    assert after.priority == "Urgent"
    assert (after.subject, after.status, after.assigned_tech) == (
        before.subject,
        before.status,
        before.assigned_tech,
    )


async def test_close_ticket_sets_status_and_close_date(readydesk):
    await readydesk.close_ticket(3, at=datetime(2026, 3, 5, 14, 30))
    ticket = await readydesk.get_ticket(3)
    assert ticket.status == "Closed" and ticket.is_closed
    assert ticket.closed_at == datetime(2026, 3, 5, 14, 30)


async def test_history_note_is_added_to_the_ticket(readydesk):
    entry_id = await readydesk.add_history_note(5, "Called the customer; visit booked", uid="bob")
    entries = await readydesk.get_history(tid=5)
    added = next(e for e in entries if e.entry_id == entry_id)
    assert added.note == "Called the customer; visit booked" and added.updated_by == "bob"


async def test_add_customer_with_a_new_company(readydesk):
    cid = await readydesk.add_customer(
        cid="newco",
        company="create_new",
        new_company="New & Co",
        contact="Zoe Park",
        email="zoe@newco.example",
        support=False,
        viewable_tickets="COMPANY",
        sc_start_dates=[datetime(2026, 1, 1).date()],
        contracts=[4],
    )
    assert cid == "newco"
    customer = await readydesk.get_customer("newco")
    assert customer.company_name == "New & Co" and customer.contact == "Zoe Park"
    assert customer.support is False and customer.chat is True  # chat omitted -> Y
    assert customer.viewable_tickets == "COMPANY" and customer.viewable_invoices == "PERSONAL"
    assert customer.support_contracts == [4]
    assert (await readydesk.get_companies(name="New & Co"))[0].name == "New & Co"


async def test_update_customer_changes_only_what_is_sent(readydesk):
    assert await readydesk.update_customer("demo", phone="404-555-0100") == "demo"
    demo = await readydesk.get_customer("demo")
    assert demo.phone == "404-555-0100" and demo.contact == "John Smith"


async def test_unknown_company_is_a_field_error(readydesk):
    with pytest.raises(InvalidRequest) as caught:
        await readydesk.add_customer(cid="x1", company="No Such Co")
    assert set(caught.value.field_errors) == {"company"}


async def test_missing_required_customer_id_is_caught_before_sending(readydesk):
    with pytest.raises(InvalidRequest) as caught:
        await readydesk.add_customer(contact="Nobody")
    assert "cid" in caught.value.field_errors


async def test_the_server_reports_a_missing_required_variable(readydesk):
    with pytest.raises(InvalidRequest) as caught:
        await readydesk.call("add_customer", {"contact": "x"}, is_read=False)
    assert caught.value.field_errors == {"cid": "Missing required variable: cid"}


async def test_255_character_limit_is_a_field_error(readydesk):
    with pytest.raises(InvalidRequest) as caught:
        await readydesk.update_customer("demo", contact="x" * 256)
    assert "contact" in caught.value.field_errors


async def test_the_server_enforces_the_255_limit_too(readydesk):
    with pytest.raises(InvalidRequest, match="contact"):
        await readydesk.call("update_customer", {"cid": "demo", "contact": "y" * 300})


async def test_unknown_variables_are_refused(readydesk):
    with pytest.raises(InvalidRequest, match="colour"):
        await readydesk.add_customer(cid="z", colour="red")


async def test_ticket_for_an_unknown_customer_is_refused(readydesk):
    with pytest.raises(InvalidRequest) as caught:
        await readydesk.add_ticket(cid="nobody", subject="x")
    assert "cid" in caught.value.field_errors


async def test_updating_a_missing_ticket_is_not_found(readydesk):
    with pytest.raises(NotFound, match="999999"):
        await readydesk.update_ticket(999999, status="Closed")


async def test_unknown_status_is_refused(readydesk):
    with pytest.raises(InvalidRequest, match="status"):
        await readydesk.update_ticket(1, status="Vibing")


async def test_lookups_cost_one_round_trip(rd_data):
    calls = []
    app = build_readydesk_app(rd_data)
    transport = httpx.ASGITransport(app=app)

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            calls.append(request.url.params["action"])
            return await transport.handle_async_request(request)

    client = ReadyDeskClient(ENDPOINT, SANDBOX_KEY, transport=Counting())
    assert (await client.technician("ALICE")).uid == "alice"
    await client.technician("bob")
    assert "Closed" in await client.ticket_statuses()
    assert "Hardware" in await client.ticket_categories()
    assert "Email" in await client.ticket_sources()
    assert calls == ["get_techs", "get_tech_groups"]
    with pytest.raises(NotFound):
        await client.technician("nobody")


async def test_undocumented_names_come_from_configuration():
    names = WireNames(
        history_action="add_ticket_history",
        history_note="comment",
        update_ticket_target="ticket_id",
        ticket_body="summary",
    )
    app = build_readydesk_app(seeded(tickets=20, customers=5), names=names)
    client = ReadyDeskClient(
        ENDPOINT, SANDBOX_KEY, transport=httpx.ASGITransport(app=app), names=names
    )
    await client.add_history_note(2, "hello")
    await client.update_ticket(2, body="new words")
    assert (await client.get_ticket(2)).summary == "new words"
    assert any(e.note == "hello" for e in await client.get_history(tid=2))

    default_client = ReadyDeskClient(ENDPOINT, SANDBOX_KEY, transport=httpx.ASGITransport(app=app))
    with pytest.raises(InvalidRequest, match="configuration") as caught:
        await default_client.add_history_note(2, "hello")
    assert "add_history" in str(caught.value)
