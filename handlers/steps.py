"""Deskhand's Workflow Builder steps (Slack custom functions): Create ticket, Add note, Find
customer, Look up ticket and Create job. Each execution runs once (handlers/step_middleware.py);
a write step writes as its interactor through the desk's one write path, waits for the outcome
to settle, then completes with its outputs or fails saying why."""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV, READYDESK
from api.desk import Desk
from api.identity import Profile
from api.job_writes import NewJob
from api.note_writes import NotedRecord
from api.settling import settled
from api.ticket_writes import NewTicket
from cards import ids
from cards.config import HandlerConfig
from cards.step_words import (
    business_outputs,
    plain_words,
    ticket_outputs,
    write_failure,
    written_summary,
)
from handlers.step_inputs import (
    note_problem,
    number,
    one_customer,
    priority_named,
    record_key,
    search_problem,
    step_intent,
    when,
)
from handlers.step_jobs import job_choices, visit_for
from handlers.step_middleware import (
    WORKFLOW,
    StepActor,
    acting_person,
    once_per_execution,
    write_step_failed,
)
from handlers.visit_links import book_visit, keep_visit
from live.profiles import Profiles

Done = ("written", "confirmed", "duplicate")


def register(app: AsyncApp) -> None:
    """Attach each step's listener: reads once per execution, writes also behind the actor."""
    reads = [once_per_execution]
    writes = [once_per_execution, acting_person]
    app.function(ids.STEP_FIND_CUSTOMER, middleware=reads)(find_customer_step)
    app.function(ids.STEP_LOOK_UP_TICKET, middleware=reads)(look_up_ticket_step)
    app.function(ids.STEP_CREATE_TICKET, middleware=writes)(create_ticket_step)
    app.function(ids.STEP_ADD_NOTE, middleware=writes)(add_note_step)
    app.function(ids.STEP_CREATE_JOB, middleware=writes)(create_job_step)
    app.function(ids.STEP_BOOK_VISIT, middleware=writes)(book_visit_step)


async def find_customer_step(
    ack: Any, inputs: dict[str, Any], complete: Any, fail: Any, desk: Desk
) -> None:
    """The one business the words find, in both systems."""
    await ack()
    text = str(inputs.get("text") or "").strip()
    if not text:
        return await fail("Give the customer's ID, name, company, email or phone.")
    search = await desk.find_customer(text)
    if search.found is None:
        return await fail(search_problem(search))
    await complete(outputs=business_outputs(search.found))


async def look_up_ticket_step(
    ack: Any, inputs: dict[str, Any], complete: Any, fail: Any, desk: Desk
) -> None:
    """A ticket's status, priority, assignee and subject."""
    await ack()
    ticket_id = number(inputs, "ticket_number", "The ticket number")
    if not isinstance(ticket_id, int):
        return await fail(ticket_id or "Give the ticket's number.")
    view = await desk.ticket(ticket_id)
    await complete(outputs=ticket_outputs(view.ticket))


async def create_ticket_step(
    ack: Any,
    body: dict[str, Any],
    inputs: dict[str, Any],
    complete: Any,
    fail: Any,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    config: HandlerConfig,
    context: dict[str, Any],
) -> None:
    """A ReadyDesk ticket for the one customer the words find, written once."""
    await ack()
    actor: StepActor = context["step_actor"]
    business = await one_customer(desk, str(inputs.get("customer") or ""), READYDESK)
    subject = str(inputs.get("subject") or "").strip()
    priority, wrong = priority_named(inputs, config.priorities)
    if isinstance(business, str) or not subject or wrong:
        why = business if isinstance(business, str) else wrong or "Give the ticket a subject."
        return await write_step_failed(body, context, fail, why)
    customer = record_key(business, READYDESK)
    description = str(inputs.get("description") or "")
    ticket = NewTicket(customer, subject, description, priority=priority)
    intent = step_intent(body, actor, f"customer {customer}", subject)
    author = await _author(actor, profiles, client)
    result = await settled(desk.store, intent.key, await desk.create_ticket(intent, ticket, author))
    if result.outcome not in Done or not result.reference:
        return await fail(write_failure(result, "the ticket was created", actor.said))
    link = (config.readydesk_web_url or "").replace("{tid}", result.reference)
    said = written_summary(f"Ticket #{result.reference} for {business.name}: {subject}", result)
    await complete(
        outputs={"ticket_number": int(result.reference), "ticket_link": link, "summary": said}
    )


async def add_note_step(
    ack: Any,
    body: dict[str, Any],
    inputs: dict[str, Any],
    complete: Any,
    fail: Any,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    context: dict[str, Any],
) -> None:
    """A note on a ticket or a job, written once."""
    await ack()
    actor: StepActor = context["step_actor"]
    ticket = number(inputs, "ticket_number", "The ticket number")
    job = number(inputs, "job_number", "The job number")
    text = str(inputs.get("text") or "").strip()
    why = note_problem(ticket, job, text)
    if why:
        return await write_step_failed(body, context, fail, why)
    record = NotedRecord("ticket", str(ticket)) if ticket else NotedRecord("job", str(job))
    target = f"{record.kind} #{record.number}"
    intent = step_intent(body, actor, target, text)
    author = await _author(actor, profiles, client)
    result = await settled(
        desk.store, intent.key, await desk.add_note(intent, record, text, author)
    )
    if result.outcome not in Done:
        return await fail(write_failure(result, f"the note was added to {target}", actor.said))
    await complete(outputs={"summary": written_summary(f"Note added to {target}", result)})


async def create_job_step(
    ack: Any,
    body: dict[str, Any],
    inputs: dict[str, Any],
    complete: Any,
    fail: Any,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    config: HandlerConfig,
    context: dict[str, Any],
) -> None:
    """A Kickserv job for the one customer the words find, written once (and assigned)."""
    await ack()
    actor: StepActor = context["step_actor"]
    business = await one_customer(desk, str(inputs.get("customer") or ""), KICKSERV)
    scheduled = when(inputs, "scheduled")
    choices = await job_choices(desk, inputs)
    problem = next((v for v in (business, scheduled, choices) if isinstance(v, str)), None)
    if problem is not None:
        return await write_step_failed(body, context, fail, problem)
    customer = int(record_key(business, KICKSERV))
    new = NewJob(
        customer, choices.service, str(inputs.get("description") or ""), scheduled, choices.employee
    )
    intent = step_intent(body, actor, f"Kickserv customer {customer}", new.description)
    author = await _author(actor, profiles, client)
    created = await desk.create_job(intent, new, author)
    result = await settled(desk.store, intent.key, created.result)
    if result.outcome not in Done or not result.reference:
        return await fail(write_failure(result, "the job was created", actor.said))
    said = written_summary(f"Job {result.reference} for {business.name}", result)
    await complete(
        outputs={
            "job_number": int(result.reference),
            "job_link": config.links.job_page(result.reference),
            "summary": said + choices.unassigned(created),
        }
    )


async def book_visit_step(
    ack: Any,
    body: dict[str, Any],
    inputs: dict[str, Any],
    complete: Any,
    fail: Any,
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
    config: HandlerConfig,
    context: dict[str, Any],
) -> None:
    """A Kickserv job for a ticket's customer, linked to the ticket with its two notes (the
    field loop's Book a visit), written once."""
    await ack()
    actor: StepActor = context["step_actor"]
    visit = await visit_for(desk, config, inputs)
    if isinstance(visit, str):
        return await write_step_failed(body, context, fail, visit)
    intent = step_intent(body, actor, f"ticket #{visit.form.ticket_id}", visit.job.description)
    author = await _author(actor, profiles, client)
    # kept first: linked later should this process stop mid-way
    await keep_visit(desk, config, visit.form, actor.user_id, author, intent.key)
    created = await desk.create_job(intent, visit.job, author)
    linked = ""
    if created.result.outcome in ("written", "confirmed", "unknown"):
        employee = str(visit.job.employee) if visit.job.employee else None
        linked = await book_visit(
            desk,
            desk.store,
            client,
            config,
            visit.form,
            created,
            employee,
            actor.user_id,
            author,
            intent.key,
        )
    result = await settled(desk.store, intent.key, created.result)
    if result.outcome not in Done or not result.reference:
        return await fail(write_failure(result, "the visit's job was created", actor.said))
    said = written_summary(f"Job {result.reference} booked", result)
    await complete(
        outputs={
            "job_number": int(result.reference),
            "job_link": config.links.job_page(result.reference),
            "summary": f"{said}. {plain_words(linked)}".strip(),
        }
    )


async def _author(actor: StepActor, profiles: Profiles, client: AsyncWebClient) -> Profile:
    """Who signs what the step writes: the interactor (or the workflow), and whom it is for."""
    person = (
        await profiles.get(client, actor.user_id)
        if actor.user_id != WORKFLOW
        else Profile(name="a workflow", email=None)
    )
    if not actor.on_behalf:
        return person
    behalf = await profiles.get(client, actor.on_behalf)
    return Profile(f"{person.name} (for {behalf.name})", person.email, person.timezone)
