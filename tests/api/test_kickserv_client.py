"""The Kickserv client against the sandbox fake: every endpoint, every error path."""

from datetime import date, datetime, time
from decimal import Decimal

import httpx
import pytest

from api.errors import AuthFailed, InvalidRequest, MalformedResponse, NotFound, Unavailable
from api.http import RetryPolicy
from api.kickserv import KickservClient
from sandbox.kickserv import SANDBOX_ACCOUNT, SANDBOX_API_KEY, build_kickserv_app
from sandbox.kickserv_data import ACCOUNT_TZ, KickservData, seeded_kickserv

TODAY = date(2026, 11, 25)


@pytest.fixture
def ks_data() -> KickservData:
    data = seeded_kickserv(today=TODAY)
    data.clock = lambda: datetime.combine(TODAY, time(12), ACCOUNT_TZ)  # the world's own day
    return data


@pytest.fixture
def ks_app(ks_data):
    return build_kickserv_app(ks_data)


def _client(app, *, key: str = SANDBOX_API_KEY, account: str = SANDBOX_ACCOUNT, **options):
    return KickservClient(
        "https://app.kickserv.test", account, key, transport=httpx.ASGITransport(app=app), **options
    )


@pytest.fixture
async def kickserv(ks_app, sleeps):
    client = _client(ks_app, retry=RetryPolicy(sleep=sleeps))
    yield client
    await client.aclose()


# -- customers ----------------------------------------------------------------------------------


async def test_customers_link_to_readydesk_by_email(kickserv):
    demo = await kickserv.get_customer(1)
    assert demo.name == "Demo Company" and demo.contact_email == "John.Smith@DemoCompany.com"
    assert demo.global_id != demo.customer_number


async def test_customer_pagination_reaches_the_last_page(kickserv, ks_data):
    walked = [c.customer_number async for c in kickserv.iter_customers()]
    assert walked == sorted(ks_data.customers)
    assert len(walked) == 60  # three pages of 25: full, full, short
    assert await kickserv.list_customers(page=4) == []


async def test_a_customer_walk_reads_past_an_odd_value_in_a_field_the_directory_does_not_keep(
    kickserv, ks_data
):
    ks_data.customers[1].balance = "a lot"  # not money: a whole customer read refuses it
    with pytest.raises(MalformedResponse, match="not the shape"):
        await kickserv.get_customer(1)
    walked = [c async for c in kickserv.iter_customers()]
    assert [c.customer_number for c in walked] == sorted(ks_data.customers)
    assert walked[0].name == "Demo Company"


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"q": "dental"}, lambda c: "dental" in c.name.lower()),
        ({"begins_with": "d"}, lambda c: c.name.lower().startswith("d")),
        ({"service_state": "MI"}, lambda c: c.service_state == "MI"),
        ({"name": "Demo Company"}, lambda c: c.name == "Demo Company"),
        ({"customer_number": 3}, lambda c: c.customer_number == 3),
        ({"customer_source_id": 12345}, lambda c: c.customer_source_id == 12345),
        ({"service_address": "123 Demo Street"}, lambda c: c.service_address == "123 Demo Street"),
    ],
    ids=["q", "begins_with", "state", "name", "number", "source", "address"],
)
async def test_customer_filters(kickserv, filters, check):
    found = await kickserv.list_customers(**filters)
    assert found and all(check(c) for c in found)


async def test_filter_and_validation(kickserv):
    found = await kickserv.filter_customers("demo street")
    assert [c.customer_number for c in found] == [1]
    assert await kickserv.filter_customers("zzzz-no-such") == []
    exact = await kickserv.find_customer_by_name("Demo Company")
    assert exact is not None and exact.customer_number == 1
    assert await kickserv.find_customer_by_name("Demo") is None


async def test_create_and_update_customer(kickserv):
    created = await kickserv.create_customer(name="Weasel Works LLC", email="office@weasel.example")
    assert created.customer_number == 61
    updated = await kickserv.update_customer(created.customer_number, name="Samantha")
    assert updated.name == "Samantha" and updated.email == "office@weasel.example"


async def test_blank_name_is_a_field_error_with_kickservs_message(kickserv):
    with pytest.raises(InvalidRequest) as caught:
        await kickserv.create_customer(name="")
    assert caught.value.field_errors == {"name": "can't be blank"}
    assert "name can't be blank" in str(caught.value)


async def test_missing_customer_is_not_found(kickserv):
    with pytest.raises(NotFound, match="Kickserv has no customer 9999"):
        await kickserv.get_customer(9999)


async def test_v1_style_400_invalid_customer_is_not_found(ks_data):
    client = _client(build_kickserv_app(ks_data, not_found="v1"))
    with pytest.raises(NotFound):
        await client.get_customer(9999)


# -- notes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("owner", ["customers", "jobs"])
async def test_note_lifecycle(kickserv, ks_data, owner):
    number = 2 if owner == "customers" else next(iter(ks_data.jobs))
    added = await kickserv.add_note(owner, number, "Gate code 4411")
    assert added.text == "Gate code 4411" and added.creator and added.creator.name == "Pat Lee"
    assert added.owner_type == ("Customer" if owner == "customers" else "Job")
    assert added.global_id in [n.global_id async for n in kickserv.iter_notes(owner, number)]
    assert (await kickserv.get_note(owner, number, added.global_id)).text == "Gate code 4411"
    changed = await kickserv.update_note(owner, number, added.global_id, "Gate code 9000")
    assert changed.text == "Gate code 9000"
    await kickserv.delete_note(owner, number, added.global_id)
    with pytest.raises(NotFound):
        await kickserv.get_note(owner, number, added.global_id)


async def test_blank_note_is_refused(kickserv):
    with pytest.raises(InvalidRequest, match="note can't be blank"):
        await kickserv.add_note("customers", 1, "  ")


async def test_notes_are_not_scoped_by_the_url_customer(kickserv):
    note = await kickserv.add_note("customers", 1, "belongs to 1")
    # The documented quirk: another customer's URL still reaches the note.
    assert (await kickserv.get_note("customers", 2, note.global_id)).owner_global_id == 5_100_001


# -- jobs ---------------------------------------------------------------------------------------


async def test_jobs_page_newest_first_to_the_last_page(kickserv, ks_data):
    walked = [j.job_number async for j in kickserv.iter_jobs(per_page=10)]
    assert walked == sorted(ks_data.jobs, reverse=True)


async def test_todays_jobs(kickserv, ks_data):
    today = await kickserv.list_jobs(scheduled="today", per_page=100)
    expected = {
        j.job_number
        for j in ks_data.jobs.values()
        if j.scheduled_on and j.scheduled_on.date() == TODAY
    }
    assert {j.job_number for j in today} == expected
    assert all(j.scheduled_on and j.scheduled_on.utcoffset() is not None for j in today)


async def test_today_is_the_account_day_on_the_fakes_clock_which_may_jump(kickserv, ks_data):
    """The sandbox's clock jumps a day: `scheduled=today` is the new day's jobs, as a real
    account's list would be the next morning."""
    ks_data.clock = lambda: datetime.combine(TODAY, time(23, 30), ACCOUNT_TZ).replace(day=26)
    today = await kickserv.list_jobs(scheduled="today", per_page=100)
    expected = {
        j.job_number
        for j in ks_data.jobs.values()
        if j.scheduled_on and j.scheduled_on.date() == date(2026, 11, 26)
    }
    assert expected
    assert {j.job_number for j in today} == expected


async def test_job_filters_and_customer_jobs(kickserv, ks_data):
    cabling = await kickserv.list_jobs(job_type_id=24555, per_page=100)
    assert cabling and all(j.job_type_id == 24555 for j in cabling)
    completed = await kickserv.list_jobs(status="completed", per_page=100)
    assert completed and all(j.status == "completed" for j in completed)
    owner = next(j for j in ks_data.jobs.values()).customer_id
    number = next(c.customer_number for c in ks_data.customers.values() if c.id == owner)
    mine = await kickserv.list_customer_jobs(number, statuses=["completed", "unscheduled"])
    assert all(
        j.customer_global_id == owner and j.status in ("completed", "unscheduled") for j in mine
    )


async def test_create_get_and_update_a_job(kickserv):
    job = await kickserv.create_job(6, 24551, "Front and back, two storeys")
    assert job.name == "Gutter Cleaning" and job.status == "unscheduled"
    assert (await kickserv.get_job(job.job_number)).description == "Front and back, two storeys"
    changed = await kickserv.update_job(job.job_number, status="scheduled", description="Back only")
    assert (changed.status, changed.description) == ("scheduled", "Back only")


async def test_job_without_a_type_or_for_an_unknown_customer_is_refused(kickserv):
    with pytest.raises(InvalidRequest, match="Job type can't be blank"):
        await kickserv.call(
            "POST", "/customers/1/jobs.json", json_body={"job": {"description": "x"}}, action="t"
        )
    with pytest.raises(InvalidRequest, match="Customer is invalid"):
        await kickserv.create_job(9999, 24551, "nobody")


async def test_job_types_are_cached(ks_app):
    seen = []
    inner = httpx.ASGITransport(app=ks_app)

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            seen.append(request.url.path)
            return await inner.handle_async_request(request)

    client = KickservClient("https://k", SANDBOX_ACCOUNT, SANDBOX_API_KEY, transport=Counting())
    first, second = await client.job_types(), await client.job_types()
    assert first == second and first[0].name == "Gutter Cleaning"
    assert seen == ["/sandbox/calendar.json"]


# -- money, payments, invoices, employees -------------------------------------------------------


async def test_money_is_decimal_and_dates_are_aware(kickserv):
    job = (await kickserv.list_jobs(status="completed", per_page=1))[0]
    assert isinstance(job.total, Decimal) and job.total == Decimal(str(job.total))
    assert job.created_at and job.created_at.utcoffset() is not None


async def test_payments_and_balance(kickserv, ks_data):
    payer = next(p for p in ks_data.payments.values())
    number = next(
        c.customer_number for c in ks_data.customers.values() if c.id == payer.customer_id
    )
    payments = [p async for p in kickserv.iter_customer_payments(number)]
    assert payer.id in {p.global_id for p in payments}
    seeded_payment = next(p for p in payments if p.global_id == payer.id)
    assert seeded_payment.amount == payer.amount and seeded_payment.paid_on == payer.date
    assert seeded_payment.applied_to == payer.payment_application_ids
    owed = sum(
        (
            i.balance_remaining
            for i in ks_data.invoices.values()
            if i.invoice_status == "unpaid" and i.customer_id == payer.customer_id
        ),
        Decimal("0"),
    )
    assert await kickserv.customer_balance(number) == owed


async def test_payment_posted_through_the_customer_route_is_applied_to_nothing(kickserv, ks_data):
    ks_data.clock = lambda: datetime.combine(date(2026, 11, 27), time(9), ACCOUNT_TZ)  # moved on
    response = await kickserv.call(
        "POST",
        "/customers/1/payments.json",
        json_body={"payment": {"amount": "25.50"}},
        action="add payment",
    )
    assert "payment_application_ids" not in response
    [payment] = [
        p async for p in kickserv.iter_customer_payments(1) if p.global_id == response["id"]
    ]
    assert payment.amount == Decimal("25.50") and payment.applied_to is None
    assert payment.paid_on == date(2026, 11, 27)  # the day on the fake's clock, not its seed day


async def test_unpaid_invoices_carry_the_total_owed(kickserv, ks_data):
    page = await kickserv.list_invoices(status="unpaid")
    expected = sum(
        (i.balance_remaining for i in ks_data.invoices.values() if i.invoice_status == "unpaid"),
        Decimal("0"),
    )
    assert page.total_balance_remaining == expected
    assert all(i.status == "unpaid" and i.customer for i in page.invoices)


async def test_employee_secrets_never_reach_the_model(kickserv):
    raw = await kickserv.call("GET", "/employees.json", action="raw")
    assert "encrypted_password" in raw[0]  # the fake leaks them, like the real API
    employees = await kickserv.list_employees()
    for employee in employees:
        dumped = employee.model_dump()
        assert not {"password_salt", "encrypted_password", "remember_token"} & set(dumped)
        assert "sandbox-hash" not in repr(employee)
    note = await kickserv.add_note("customers", 1, "x")
    assert "remember_token" not in note.model_dump_json()


# -- errors and misbehaviour --------------------------------------------------------------------


async def test_wrong_key_is_auth_failed_and_the_key_is_not_echoed(ks_app):
    with pytest.raises(AuthFailed, match="KICKSERV_API_KEY") as caught:
        await _client(ks_app, key="wrong-key-42").get_customer(1)
    assert "wrong-key-42" not in str(caught.value)


async def test_unknown_account_is_not_found(ks_app):
    with pytest.raises(NotFound):
        await _client(ks_app, account="nope").get_customer(1)


async def test_server_errors_are_retried_for_reads_then_unavailable(kickserv, ks_app, sleeps):
    ks_app.state.faults.add("status", status=502, times=1)
    assert (await kickserv.get_customer(1)).customer_number == 1
    ks_app.state.faults.add("status", status=503)
    with pytest.raises(Unavailable, match="HTTP 503"):
        await kickserv.get_customer(1)
    assert sleeps.delays == [0.5, 0.5, 1.0]


async def test_job_create_is_never_retried(kickserv, ks_app, ks_data, sleeps):
    before = len(ks_data.jobs)
    ks_app.state.faults.add("status", status=500, path="/jobs.json")
    with pytest.raises(Unavailable):
        await kickserv.create_job(1, 24551, "once")
    assert sleeps.delays == [] and len(ks_data.jobs) == before


@pytest.mark.parametrize("kind", ["html", "truncated", "malformed", "empty"])
async def test_unreadable_bodies_are_malformed(kickserv, ks_app, kind):
    ks_app.state.faults.add(kind, status=200)
    with pytest.raises(MalformedResponse, match="Kickserv"):
        await kickserv.list_customers()


async def test_a_dropped_connection_is_retried_for_reads(kickserv, ks_app):
    ks_app.state.faults.add("drop", times=1)
    assert (await kickserv.get_job(next(iter(ks_app.state.data.jobs)))).job_number


async def test_rails_error_shapes_are_all_read(ks_app):
    bodies = iter(
        [
            httpx.Response(422, json={"errors": {"name": ["can't be blank", "is too short"]}}),
            httpx.Response(422, json={"errors": ["Job type can't be blank"]}),
            httpx.Response(422, json={"errors": "Something odd"}),
            httpx.Response(422, text="plain words"),
        ]
    )
    client = KickservClient(
        "https://k", "a", "k", transport=httpx.MockTransport(lambda r: next(bodies))
    )
    messages = []
    for _ in range(4):
        with pytest.raises(InvalidRequest) as caught:
            await client.update_customer(1, name="")
        messages.append(str(caught.value))
    assert messages == [
        "Kickserv refused that: name can't be blank; is too short.",
        "Kickserv refused that: Job type can't be blank.",
        "Kickserv refused that: Something odd.",
        "Kickserv refused that: plain words.",
    ]


async def test_a_jobs_tasks_name_the_assigned_employees_without_credentials(kickserv, ks_data):
    job = next(j for j in ks_data.jobs.values() if j.scheduled_on is not None)
    [task] = await kickserv.list_tasks(job_global_id=job.id)
    assert task.job.job_number == job.job_number
    expected = [ks_data.employees[e].name for e in ks_data.tasks[task.global_id].employee_ids]
    assert [e.name for e in task.employees] == expected
    assert "password" not in task.model_dump_json()


async def test_tasks_by_day_include_the_last_day_asked_for(kickserv, ks_data):
    day = next(t.starts_at.date() for t in ks_data.tasks.values())
    on_day = {t.id for t in ks_data.tasks.values() if t.starts_at.date() == day}
    assert len(on_day) <= 25  # one page
    tasks = await kickserv.list_tasks(start=day, end=day)
    assert {t.global_id for t in tasks} == on_day
