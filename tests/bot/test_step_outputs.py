"""What Deskhand's workflow steps give back and do beyond their numbers, through the app as
served: Find customer's contact and what is owed, Create job's link and the technician it is
assigned to, and Book a visit's note on the job saying which ticket it came from."""

from decimal import Decimal

from cards import ids
from tests.bot.served import served
from tests.bot.step_helpers import run
from tests.bot.test_step_writes import AT


async def test_find_customer_gives_the_contact_line_and_what_kickserv_says_is_owed(slack):
    async with served(slack) as app:
        person = app.readydesk.state.data.customers["demo"]
        field = app.kickserv.state.data
        twin = next(c for c in field.customers.values() if c.email.lower() == person.email.lower())
        theirs = [j for j in field.jobs.values() if j.customer_id == twin.id]
        for job in theirs:
            job.balance_remaining = Decimal("0.00")
        theirs[0].status, theirs[0].balance_remaining = "completed", Decimal("1234.5")
        found = await run(app, slack, ids.STEP_FIND_CUSTOMER, text="demo")
    assert found.outputs is not None, found.error
    assert found.outputs["contact"] == f"{person.email} · {person.phone}"
    assert found.outputs["balance"] == "1,234.50"
    assert found.outputs["kickserv_number"] == str(twin.customer_number)


async def test_create_job_links_its_page_and_puts_the_technician_on_it(slack):
    async with served(slack) as app:
        field = app.kickserv.state.data
        tech = next(e for e in field.employees.values() if e.active)
        service = next(iter(field.job_types.values()))
        done = await run(
            app,
            slack,
            ids.STEP_CREATE_JOB,
            customer="demo",
            service=service,
            scheduled=AT,
            technician=tech.name.upper(),
        )
    assert done.outputs is not None, done.error
    number = done.outputs["job_number"]
    assert done.outputs["job_link"] == f"https://app.kickserv.com/sandbox/jobs/{number}"
    assert "not assigned" not in done.outputs["summary"]
    job = field.jobs[number]
    [task] = [t for t in field.tasks.values() if t.job_id == job.id]
    assert task.employee_ids == [tech.id]  # on the technician's calendar, at the time given
    assert int(task.starts_at.timestamp()) == int(AT)


async def test_book_a_visit_notes_on_the_job_which_ticket_it_came_from(slack):
    async with served(slack) as app:
        subject = app.readydesk.state.data.tickets[34].subject
        booked = await run(
            app, slack, ids.STEP_BOOK_VISIT, ticket_number="34", service="Printer Repair"
        )
        field = app.kickserv.state.data
    assert booked.outputs is not None, booked.error
    job = field.jobs[booked.outputs["job_number"]]
    notes = [n.note for n in field.notes.values() if n.noteable_id == job.id]
    origin = [n for n in notes if n.startswith("From ReadyDesk ticket #34")]
    assert len(origin) == 1, notes
    assert origin[0].startswith(f"From ReadyDesk ticket #34: {subject}")
