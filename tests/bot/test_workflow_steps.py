"""Deskhand's Workflow Builder steps through the app as served (signed Events API requests, and
Socket Mode): what each step gives back or why it fails, each execution run once, who it acts
for, and a backend fault's every outcome told to the workflow."""

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from slack_sdk.errors import SlackApiError

from bot.app import build_app, build_desk, build_sandboxes, build_web_client
from bot.socket_mode import connect_socket_mode
from cards import ids
from cards.steps import STEPS
from playground.step_runs import function_event, step_inputs
from tests.bot.served import served
from tests.bot.step_helpers import ALICE, completions, run, tickets
from tests.conftest import ready_store
from tests.slack_helpers import event_body, socket_mode_settings


async def test_look_up_ticket_gives_the_tickets_fields_and_fails_for_a_missing_one(slack):
    async with served(slack) as app:
        ticket = app.readydesk.state.data.tickets[34]
        found = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="34")
        missing = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="999999")
        typo = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="thirty")
        odd = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="3²")
    assert found.outputs == {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assigned_tech,
        "subject": ticket.subject,
    }
    assert missing.error is not None and "999999 does not exist" in missing.error
    assert typo.error is not None and "must be a number" in typo.error
    assert odd.error is not None and "must be a number such as 34 (got “3²”)" in odd.error
    # Completed with the execution's own token, as Slack gives it in the event.
    assert [c.token for c in completions(slack, found)] == [found.token]


async def test_find_customer_gives_both_systems_ids_and_names_several_matches(slack):
    async with served(slack) as app:
        one = await run(app, slack, ids.STEP_FIND_CUSTOMER, text="demo")
        none = await run(app, slack, ids.STEP_FIND_CUSTOMER, text="zzzz-nobody")
        several = await run(app, slack, ids.STEP_FIND_CUSTOMER, text="a")
    assert one.outputs is not None
    assert one.outputs["readydesk_id"] == "demo" and one.outputs["name"] == "Demo Company"
    assert one.outputs["kickserv_number"]
    assert none.error == "No customer matches “zzzz-nobody” in ReadyDesk or Kickserv."
    assert several.error is not None and "customers (" in several.error
    assert "give one's customer ID" in several.error


async def test_several_matches_name_each_with_its_customer_id_to_give(slack):
    async with served(slack) as app:
        data = app.readydesk.state.data
        model = next(iter(data.customers.values()))
        top = max(c.record_id for c in data.customers.values())
        twins = {"company_name": "Twin Plumbing", "date_added": data.now().replace(tzinfo=None)}
        first, second = (
            data.add_customer(replace(model, record_id=top + n, customer_id=f"twin{n}", **twins))
            for n in (1, 2)
        )
        await app.desk.directory.refresh()
        several = await run(app, slack, ids.STEP_FIND_CUSTOMER, text="Twin Plumbing")
    assert several.error is not None
    assert f"Twin Plumbing ({first.customer_id})" in several.error
    assert f"Twin Plumbing ({second.customer_id})" in several.error


async def test_create_ticket_writes_once_signed_for_whom_and_gives_its_number(slack):
    async with served(slack, READYDESK_WEB_URL="https://desk.example/t?tid={tid}") as app:
        before = tickets(app)
        done = await run(
            app,
            slack,
            ids.STEP_CREATE_TICKET,
            customer="demo",
            subject="Printer on fire",
            description="Smoke from tray 2",
            priority="high",
            user="U1",
        )
        assert tickets(app) == before + 1
        rows = await app.store.audit.recent()
    assert done.outputs is not None, done.error
    number = done.outputs["ticket_number"]
    written = app.readydesk.state.data.tickets[number]
    assert written.subject == "Printer on fire" and written.cid == "demo"
    assert written.priority == "High"
    assert done.outputs["ticket_link"] == f"https://desk.example/t?tid={number}"
    assert done.outputs["summary"] == f"Ticket #{number} for Demo Company: Printer on fire"
    # Signed by the interactor, for the person the workflow named; the audit keeps the inputs.
    assert "— alice (for pat) via Slack · ref " in written.summary
    assert rows[0].user_id == ALICE and rows[0].outcome == "written"
    assert "Smoke from tray 2" in rows[0].summary and "<@U1>" in rows[0].summary


async def test_create_ticket_fails_naming_the_customers_its_words_match(slack):
    async with served(slack) as app:
        before = tickets(app)
        several = await run(app, slack, ids.STEP_CREATE_TICKET, customer="a", subject="Hi")
        after = tickets(app)
        [row] = await app.store.audit.recent()
        wrong = await run(
            app, slack, ids.STEP_CREATE_TICKET, customer="demo", subject="Hi", priority="Asap"
        )
    assert after == before == tickets(app)
    assert wrong.error == "Priority must be one of Low, Normal, High, Urgent (got “Asap”)."
    assert several.error is not None and "Demo Company" in several.error
    # Its inputs are kept in the audit log, with why it failed.
    assert row.outcome == "failed" and row.detail == several.error
    assert '"customer": "a"' in row.summary and '"subject": "Hi"' in row.summary


async def test_the_same_execution_delivered_twice_makes_one_ticket_and_completes_once(slack):
    async with served(slack) as app:
        before = tickets(app)
        done = await run(
            app, slack, ids.STEP_CREATE_TICKET, times=2, customer="demo", subject="Twice"
        )
        assert tickets(app) == before + 1
    assert len(completions(slack, done)) == 1 and done.outputs is not None


async def test_add_note_goes_on_a_ticket_or_a_job_and_wants_exactly_one(slack):
    async with served(slack) as app:
        history = len(app.readydesk.state.data.history.get(34, []))
        on_ticket = await run(app, slack, ids.STEP_ADD_NOTE, ticket_number="34", text="Called")
        job = min(app.kickserv.state.data.jobs)
        on_job = await run(app, slack, ids.STEP_ADD_NOTE, job_number=str(job), text="Parts in")
        both = await run(
            app, slack, ids.STEP_ADD_NOTE, ticket_number="34", job_number="1", text="x"
        )
        notes = app.readydesk.state.data.history[34]
        job_notes = [n.note for n in app.kickserv.state.data.notes.values()]
    assert on_ticket.outputs == {"summary": "Note added to ticket #34"}
    assert len(notes) == history + 1 and "Called" in str(notes[-1])
    assert on_job.outputs == {"summary": f"Note added to job #{job}"}
    assert any("Parts in" in text for text in job_notes)
    assert both.error == "Give a ticket number or a job number (one of them)."


async def test_create_job_books_the_named_service_and_refuses_an_unknown_one(slack):
    async with served(slack) as app:
        data = app.kickserv.state.data
        before = len(data.jobs)
        service = next(iter(data.job_types.values()))
        at = str(int(datetime(2026, 12, 9, 15, tzinfo=UTC).timestamp()))
        done = await run(
            app, slack, ids.STEP_CREATE_JOB, customer="demo", service=service.upper(), scheduled=at
        )
        wrong = await run(app, slack, ids.STEP_CREATE_JOB, customer="demo", service="Teleport")
        assert len(data.jobs) == before + 1
    assert done.outputs is not None, done.error
    assert done.outputs["summary"] == f"Job {done.outputs['job_number']} for Demo Company"
    assert wrong.error is not None and "no service “Teleport”" in wrong.error


async def test_book_a_visit_books_the_tickets_customer_and_links_the_job_to_the_ticket(slack):
    async with served(slack) as app:
        jobs = app.kickserv.state.data.jobs
        before = len(jobs)
        at = str(int(datetime(2026, 12, 9, 15, tzinfo=UTC).timestamp()))
        booked = await run(
            app,
            slack,
            ids.STEP_BOOK_VISIT,
            ticket_number="34",
            service="printer repair",
            scheduled=at,
        )
        missing = await run(
            app, slack, ids.STEP_BOOK_VISIT, ticket_number="999999", service="Printer Repair"
        )
        assert len(jobs) == before + 1
        history = str(app.readydesk.state.data.history.get(34, []))
    assert booked.outputs is not None, booked.error
    number = booked.outputs["job_number"]
    assert booked.outputs["summary"] == (
        f"Job {number} booked. Linked to ticket #34: its card lists the visit."
    )
    assert "Ticket #34" in (jobs[number].description or "")
    assert f"job {number}" in history.lower()  # the ticket's note about its visit
    assert missing.error is not None and "999999 does not exist" in missing.error


async def test_book_a_visit_refuses_a_closed_ticket_as_its_card_does(slack):
    async with served(slack) as app:
        jobs = app.kickserv.state.data.jobs
        before = len(jobs)
        app.readydesk.state.data.tickets[34].status = "Closed"
        refused = await run(
            app, slack, ids.STEP_BOOK_VISIT, ticket_number="34", service="Printer Repair"
        )
        assert len(jobs) == before  # no job booked for it
    assert refused.error == "Ticket #34 is closed; reopen it in ReadyDesk to book a visit for it."


async def test_a_non_writer_is_refused_in_words_and_nothing_is_written(slack):
    async with served(slack, DESKHAND_WRITERS="U1") as app:
        before = tickets(app)
        refused = await run(app, slack, ids.STEP_CREATE_TICKET, customer="demo", subject="No")
        read = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="34")
        assert tickets(app) == before
        rows = await app.store.audit.recent()
    assert refused.error is not None
    assert refused.error.startswith(f"<@{ALICE}> is not on Deskhand's list of people who may")
    assert "Have someone on that list start this workflow" in refused.error
    assert read.outputs is not None  # reads need no writer
    assert rows[0].outcome == "refused" and '"subject": "No"' in rows[0].summary


async def test_a_write_with_no_interactor_fails_unless_unattended_writes_are_allowed(slack):
    async with served(slack) as app:
        before = tickets(app)
        refused = await run(
            app,
            slack,
            ids.STEP_CREATE_TICKET,
            customer="demo",
            subject="Nightly",
            interactivity="none",
        )
        assert tickets(app) == before
    async with served(slack, DESKHAND_WORKFLOW_WRITES="unattended") as app:
        done = await run(
            app,
            slack,
            ids.STEP_CREATE_TICKET,
            customer="demo",
            subject="Nightly",
            interactivity="none",
        )
        rows = await app.store.audit.recent()
    assert refused.error is not None
    assert "has none (a scheduled or event-started workflow)" in refused.error
    assert "DESKHAND_WORKFLOW_WRITES=unattended" in refused.error
    assert done.outputs is not None and rows[0].user_id == "workflow"


@pytest.mark.parametrize("token", ["xwfp-made-up", "not-a-token"])
async def test_the_slack_fake_takes_only_a_running_executions_own_token(slack, token):
    async with served(slack) as app:
        done = await run(app, slack, ids.STEP_LOOK_UP_TICKET, ticket_number="34")
    client = build_web_client(app.settings)
    for used in (token, done.token):  # its own token, once it has completed, no longer works
        client.token = used
        with pytest.raises(SlackApiError) as refused:
            await client.functions_completeError(function_execution_id=done.execution_id, error="x")
        assert refused.value.response["error"] == "invalid_auth"
    assert done.outputs is not None and done.error is None


async def test_over_socket_mode_a_redelivered_execution_writes_one_ticket(slack):
    settings = socket_mode_settings(
        slack.api_url,
        DESKHAND_MAX_LISTENERS=1,  # in turn: the last step runs after the redeliveries' work
    )
    store = ready_store()
    sandboxes = build_sandboxes(settings)
    desk = build_desk(settings, store, sandboxes)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    assert sandboxes.readydesk is not None
    before = len(sandboxes.readydesk.tickets)
    step = STEPS[ids.STEP_CREATE_TICKET]
    inputs = step_inputs(step, {"customer": "demo", "subject": "Over the socket"}, ALICE)
    assert isinstance(inputs, dict)
    execution = slack.functions.start(ids.STEP_CREATE_TICKET, inputs)
    event = function_event(step, execution)
    try:
        first = json.loads(event_body("EvSTEP1", event))
        await slack.wait_for_ack(slack.deliver("events_api", first))
        await slack.wait_for_call("api", "functions.completeSuccess", timeout=15)
        await slack.drop_connections()  # Slack redelivers on the next connection, and a
        # replica gets the same execution under its own event id
        again = slack.deliver("events_api", first, retry_attempt=1)
        replica = slack.deliver("events_api", json.loads(event_body("EvSTEP2", event)))
        await slack.wait_for_ack(again, timeout=15)
        await slack.wait_for_ack(replica, timeout=15)
        lookup = slack.functions.start(ids.STEP_LOOK_UP_TICKET, {"ticket_number": 34})
        body = json.loads(event_body("EvSTEP3", function_event(STEPS[lookup.callback_id], lookup)))
        await slack.wait_for_ack(slack.deliver("events_api", body), timeout=15)
        async with asyncio.timeout(15):
            while not lookup.done:
                await slack.changed.wait()
                slack.changed.clear()
    finally:
        await handler.close_async()
        await desk.aclose()
    assert len(sandboxes.readydesk.tickets) == before + 1
    assert len(completions(slack, execution)) == 1
    assert execution.outputs is not None and execution.outputs["ticket_number"]
