"""`desk.read(ref)`: each kind of card reference read as its view, over the sandbox fakes."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.customers import BusinessView
from api.errors import NotFound
from api.jobs import JobView
from api.refs import CustomerRef, JobRef, TicketQuery, TicketRef
from api.tickets import TicketListView, TicketView
from bot.app import build_sandbox_desk
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import ACCOUNT_TZ, seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from tests.conftest import ready_store

NOW = datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def fakes():
    """The ReadyDesk and Kickserv fakes the desk reads (their `state.data`, `state.faults`)."""
    data = seeded(tickets=60, customers=12)
    return build_readydesk_app(data), build_kickserv_app(seeded_kickserv(data, customers=6))


@pytest.fixture
async def desk(fakes):
    store = ready_store()
    desk = build_sandbox_desk(store, *fakes)
    await desk.directory.refresh()
    yield desk
    await desk.aclose()


async def test_a_ticket_ref_reads_the_ticket_with_the_statuses_its_menu_offers(desk):
    view = await desk.read(TicketRef(ticket_id=34), NOW)
    assert isinstance(view, TicketView)
    assert view.ticket.ticket_id == 34
    assert view.ticket.status in view.statuses and view.unread == ""


async def test_when_only_the_statuses_fail_the_ticket_view_says_so_in_one_line(desk, fakes):
    fakes[0].state.faults.add("status", status=503, query={"action": "get_tech_groups"})
    view = await desk.read(TicketRef(ticket_id=34), NOW)
    assert view.ticket.ticket_id == 34 and view.statuses == []
    assert view.unread.startswith("The statuses for the Status menu could not be read")


async def test_a_missing_ticket_is_the_answer_not_an_empty_view(desk):
    with pytest.raises(NotFound):
        await desk.read(TicketRef(ticket_id=999_999), NOW)


async def test_a_ticket_query_reads_one_page_newest_first_with_its_total(desk):
    view = await desk.read(TicketQuery(page=2), NOW)
    assert isinstance(view, TicketListView)
    assert view.page.total == 60 and view.page.page == 2 and view.now == NOW
    numbers = [t.ticket_id for t in view.page.tickets]
    assert numbers == sorted(numbers, reverse=True) and max(numbers) == 50


async def test_a_job_ref_reads_the_job_with_its_customer_and_crew(desk, fakes):
    data = fakes[1].state.data
    job = next(j for j in data.jobs.values() if j.status == "scheduled")
    [task] = [t for t in data.tasks.values() if t.job_id == job.id]
    view = await desk.read(JobRef(job_number=job.job_number), NOW)
    assert isinstance(view, JobView)
    assert view.job.job_number == job.job_number
    assert view.assigned == [data.employees[e].name for e in task.employee_ids]
    assert view.customer is not None and view.unread == ""


async def test_a_customer_ref_reads_the_business_across_both_systems(desk):
    found = await desk.directory.search("demo")
    business = next(b for b in found if b.readydesk and b.kickserv)
    ref = CustomerRef(readydesk_id=business.readydesk.record_key)
    view = await desk.read(ref, NOW)
    assert isinstance(view, BusinessView)
    assert view.readydesk.customer_id == business.readydesk.record_key
    assert view.kickserv.customer_number == int(business.kickserv.record_key)
    assert view.ticket_counts and view.failed == []


async def test_a_customer_search_with_one_match_reads_it_whole(desk):
    search = await desk.find_customer("john.smith@democompany.com")
    assert len(search.businesses) == 1 and search.found is not None
    assert search.found.readydesk is not None and search.note == ""


async def test_a_days_jobs_are_the_businesss_day_whatever_kickservs_list_holds(desk, fakes):
    """Kickserv's `today` is the account's day. A job on that list whose time is another day
    where the business is is left out; a job the day's calendar names but the list does not
    hold (booked on another day, visited today) is read by its number, with its crew."""
    data = fakes[1].state.data
    day = data.now().date()
    listed = [j for j in data.jobs.values() if j.scheduled_on and j.scheduled_on.date() == day]
    other_day = next(
        j for j in data.jobs.values() if j.scheduled_on and j.scheduled_on.date() != day
    )
    [task] = [t for t in data.tasks.values() if t.job_id == other_day.id]
    task.starts_at = datetime.combine(day, time(15), ACCOUNT_TZ)  # visited today after all
    late = listed[0]
    late.scheduled_on = datetime.combine(day, time(23, 30), ACCOUNT_TZ)  # tomorrow in Berlin
    for entry in (t for t in data.tasks.values() if t.job_id == late.id):
        entry.starts_at = late.scheduled_on
    digest = await desk.jobs_on(day, "today", "Europe/Berlin")
    shown = {j.job_number for j in digest.jobs}
    assert late.job_number not in shown
    assert other_day.job_number in shown
    assert digest.crews[other_day.id] == [data.employees[e].name for e in task.employee_ids]
    berlin = ZoneInfo("Europe/Berlin")
    rest = [j for j in digest.jobs if j.job_number != other_day.job_number]
    assert rest and all(j.scheduled_on.astimezone(berlin).date() == day for j in rest)


async def test_home_and_the_schedule_hold_an_entry_on_kickservs_day_before(desk, fakes):
    """Tokyo is 14 hours ahead of the Kickserv account's zone: a visit at 09:00 on Tokyo's day
    starts on the account's day before. Home and the job-change schedule read the business's
    days as the digests do, so it is there, on that day."""
    data = fakes[1].state.data
    tokyo = ZoneInfo("Asia/Tokyo")
    day = data.now().astimezone(tokyo).date()
    task = next(t for t in data.tasks.values() if t.employee_ids)
    employee = data.employees[task.employee_ids[0]]
    task.starts_at = datetime.combine(day, time(9), tokyo).astimezone(ACCOUNT_TZ)
    assert task.starts_at.date() < day  # the account's day before
    job = next(j for j in data.jobs.values() if j.id == task.job_id)
    home = await desk.home("U0TOKYO", employee.email_address, day, "Asia/Tokyo")
    assert job.job_number in [j.job.job_number for j in home.jobs.days[day]]
    schedule = await desk.job_schedule(day, "Asia/Tokyo")
    assert task.id in [t.global_id for t in schedule.tasks]
    assert job.id in schedule.jobs


async def test_a_day_kickserv_has_no_list_of_reads_every_job_its_calendar_names(desk, fakes):
    """Yesterday's digest (a slot retried past midnight): no Kickserv list holds that day, so
    each job its calendar names is read by its number, all of them, not the first ten."""
    data = fakes[1].state.data
    day = data.now().date()
    on_day = {
        t.job_id for t in data.tasks.values() if t.starts_at.astimezone(ACCOUNT_TZ).date() == day
    }
    others = [t for t in data.tasks.values() if t.job_id not in on_day]
    for minute, task in enumerate(others[:12]):  # more than the few strays a listed day reads
        task.starts_at = datetime.combine(day, time(8, minute), ACCOUNT_TZ)
        on_day.add(task.job_id)
    assert len(on_day) > 12
    digest = await desk.jobs_on(day, None, "America/New_York")
    assert {j.global_id for j in digest.jobs} == on_day
