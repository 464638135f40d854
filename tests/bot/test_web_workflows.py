"""The web sandbox's Workflows view through the page's routes, as its script uses them: the steps
listed with their inputs as a form, a step run as Slack runs it (the signed `function_executed`
event to the real app, the page's person as its interactor), its outputs or its error in words,
and bad input refused with nothing run."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cards.steps import NO_INTERACTOR
from tests.bot.test_web_sandbox import (  # noqa: F401 - the module's sandbox and page, as there
    Page,
    _card,
    page,
    sandbox,
)
from tests.html_dom import parse

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def run(at: Page, callback_id: str, **values: str) -> dict:
    """Run a step from the Workflows view with these inputs typed in its form."""
    return await at.post("run-step", callback_id=callback_id, values=values)


async def test_the_sidebar_leads_to_the_steps_and_each_steps_inputs(page):  # noqa: F811
    sidebar = parse((await page.http.get("/")).text).find("nav")
    link = next(a for a in sidebar.find_all("a") if a.text == "Workflows")
    view = parse((await page.http.get(link.attrs["href"])).text)
    assert view.find("h1").text == "Workflows"
    steps = view.find("nav", **{"aria-label": "Deskhand's steps"})
    titles = [a.find("b").text for a in steps.find_all("a")]
    assert titles == [
        "Create ticket",
        "Add note",
        "Find customer",
        "Look up ticket",
        "Create job",
        "Book a visit",
    ]
    form = view.find("form", id="step-form")
    labels = [form.label_for(f) for f in form.find_all("input") + form.find_all("textarea")]
    assert {"Customer", "Subject", "Description", "Priority"} <= set(labels)
    assert "Required." in form.find(id="wf-customer-hint").text
    job = parse((await page.http.get("/?c=workflows&step=create_job")).text)
    assert job.find(id="step-title").text == "Create job"
    missing = parse((await page.http.get("/?c=workflows&step=open_ticket")).text)
    assert "Deskhand has no step “open_ticket”" in missing.find(role="alert").text


async def test_create_ticket_gives_its_number_and_slash_ticket_shows_it(page):  # noqa: F811
    data = page.sandbox.sandboxes.readydesk
    before = set(data.tickets)
    answer = await run(
        page, "create_ticket", customer="demo", subject="Boiler pressure low", priority="High"
    )
    assert answer["ok"] is True
    outcome = parse(answer["html"])
    assert outcome.find("h3").text == "Create ticket completed"
    (new,) = set(data.tickets) - before
    number = outcome.find(**{"data-output": "ticket_number"}).find("dd").text
    assert number == str(new) and data.tickets[new].subject == "Boiler pressure low"
    did = outcome.find("ul", **{"aria-label": "What it did"}).text
    assert "step.create_ticket" in did and f"-> {new}" in did
    await page.send(f"/ticket {number}")
    assert "Boiler pressure low" in _card(await page.articles(), f"#{number} ").text


async def test_a_step_that_fails_says_why_in_words(page):  # noqa: F811
    data = page.sandbox.sandboxes.readydesk
    tickets = len(data.tickets)
    several = parse((await run(page, "create_ticket", customer="delta", subject="Hi"))["html"])
    assert several.find("h3").text == "Create ticket failed"
    said = several.find(role="alert").text
    assert "matches" in said and "Delta Plumbing" in said and "Delta Bakery" in said
    unattended = await run(
        page, "create_ticket", customer="demo", subject="Hi", interactivity="none"
    )
    assert unattended["ok"] is False
    said = parse(unattended["html"]).find(role="alert").text
    assert said == NO_INTERACTOR.format(step="Create ticket")
    assert len(data.tickets) == tickets


async def test_bad_input_is_refused_before_anything_runs(page):  # noqa: F811
    runs = len(page.sandbox.slack.functions.runs)
    empty = await run(page, "create_ticket", customer="demo", subject="  ")
    assert empty["error"] == "Fill in Subject: Create ticket needs it to run."
    nothing = await run(page, "create_ticket")
    assert nothing["error"] == "Fill in Customer and Subject: Create ticket needs them to run."
    unknown = await run(page, "open_ticket", customer="demo")
    assert unknown["error"].startswith("Deskhand has no step “open_ticket”. Its steps: Create")
    when = await run(page, "create_job", customer="demo", service="x", scheduled="tomorrow")
    assert when["error"].startswith("Date and time must be a date and time")
    assert len(page.sandbox.slack.functions.runs) == runs  # no execution was started


async def test_a_read_step_gives_the_tickets_fields(page):  # noqa: F811
    answer = await run(page, "look_up_ticket", ticket_number="34")
    outputs = parse(answer["html"]).find("dl")
    ticket = page.sandbox.sandboxes.readydesk.tickets[34]
    assert outputs.find(**{"data-output": "subject"}).find("dd").text == ticket.subject
    typo = parse((await run(page, "look_up_ticket", ticket_number="thirty"))["html"])
    assert "must be a number" in typo.find(role="alert").text


async def test_create_job_books_the_date_and_time_picked_in_deskhands_time_zone(page):  # noqa: F811
    kickserv = page.sandbox.sandboxes.kickserv
    service = next(iter(kickserv.job_types.values()))
    answer = await run(
        page, "create_job", customer="demo", service=service, scheduled="2026-12-09T15:30"
    )
    assert answer["ok"] is True, answer["html"]
    number = parse(answer["html"]).find(**{"data-output": "job_number"}).find("dd").text
    job = next(j for j in kickserv.jobs.values() if str(j.job_number) == number)
    zone = ZoneInfo(page.sandbox.settings.timezone)
    assert job.scheduled_on == datetime(2026, 12, 9, 15, 30, tzinfo=zone)


async def test_what_a_run_did_is_its_own_not_the_run_just_before(page):  # noqa: F811
    made = await run(page, "create_ticket", customer="demo", subject="Heater rattles")
    assert made["ok"] is True
    failed = parse((await run(page, "create_ticket", customer="delta", subject="Hi"))["html"])
    did = failed.find("ul", **{"aria-label": "What it did"}).text
    assert ": failed (“delta” matches" in did
    assert "written" not in did  # the ticket made just before is not this run's
