"""Link unfurls over signed HTTP: link_shared in, chat.unfurl out (what the Slack fake keeps under
each message), compact cards of each kind, and the manifest that asks Slack for them."""

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import yaml

from bot.app import build_app, build_desk, handler_config
from bot.settings import Settings
from bot.socket_mode import connect_socket_mode
from cards import ids
from tests.bot.served import Served, dumped, served, texts
from tests.bot.unfurl_helpers import (
    CHANNEL,
    KICKSERV,
    TS,
    WEB,
    link_shared,
    ticket_url,
    unfurl_app,
    unfurl_calls,
    unfurl_text,
)
from tests.conftest import ready_store, run_cli
from tests.slack_helpers import event_body, socket_mode_settings
from tests.test_manifest import MANIFEST


@pytest.fixture
async def app(slack):
    async with unfurl_app(slack) as running:
        yield running


async def test_links_to_a_ticket_a_job_and_a_customer_unfurl_as_compact_cards(app, slack):
    ticket = app.readydesk.state.data.tickets[34]
    job = next(j for j in app.kickserv.state.data.jobs.values() if j.customer_id == 5_100_001)
    customer = app.kickserv.state.data.customers[1]
    links = (
        ticket_url(34),
        f"{KICKSERV}/jobs/{job.job_number}",
        f"{KICKSERV}/customers/1",
        "https://example.com/elsewhere",
        f"{KICKSERV}/invoices/3",
    )
    response = await app.event(link_shared(*links))
    assert response.status_code == 200
    # One round trip shows all three; the job's crew (one more read) follows in place.
    first, final = unfurl_calls(slack)
    for call in (first, final):
        assert (call.payload["channel"], call.payload["ts"]) == (CHANNEL, TS)
        assert sorted(call.payload["unfurls"]) == sorted(links[:3])
    first_job = texts(first.payload["unfurls"][links[1]]["blocks"])
    assert "*Assigned to*\nchecking…" in first_job and f"{customer.name} (#1)" in first_job
    shown = unfurl_text(slack, links[0])
    assert f"*Ticket #34* · {ticket.subject}" in shown
    for label in ("Status", "Priority", "Customer", "Assigned to", "Due"):
        assert f"*{label}*\n" in shown
    assert "ReadyDesk · opened " in shown and shown.rstrip().endswith(" UTC")  # zone named
    assert ticket.summary not in shown and ticket.email not in shown and ticket.phone not in shown
    job_card = unfurl_text(slack, links[1])
    assert f"*Job {job.job_number}* · " in job_card and f"{customer.name} (#1)" in job_card
    assert "*When*\n" in job_card and "*Assigned to*\n" in job_card
    assert "checking…" not in job_card
    assert job.description not in job_card and "owed" not in job_card and "Total" not in job_card
    customer_card = unfurl_text(slack, links[2])
    assert f"*{customer.name}* · Kickserv customer #1" in customer_card
    assert "*ReadyDesk*\nDemo Company" in customer_card  # the linked customer, by its company
    for secret in (customer.email, customer.phone_number, customer.service_address, "balance"):
        assert secret not in customer_card
    # The ticket and the job stay live under this message; the customer shows no status.
    tracked = {t.record_key for t in await app.store.live.tracked(datetime(2000, 1, 1, tzinfo=UTC))}
    assert tracked == {"ticket:34", f"job:{job.job_number}"}


async def test_a_customer_is_never_named_by_an_email_or_phone_shaped_id(app, slack):
    ticket = app.readydesk.state.data.tickets[34]
    ticket.cid, ticket.company_name, ticket.contact = "pat@corner.example", "", ""
    other = app.readydesk.state.data.tickets[35]
    other.cid, other.company_name, other.contact = "+1 (404) 555-0199", "", ""
    await app.event(link_shared(ticket_url(34), ticket_url(35)))
    for url, hidden in ((ticket_url(34), "pat@corner"), (ticket_url(35), "555-0199")):
        shown = unfurl_text(slack, url)
        assert "*Customer*\na ReadyDesk customer" in shown and hidden not in shown
    # A Kickserv customer whose ReadyDesk twin has only its email as ID and no names.
    _add_twins(app, 99, "Corner Cafe", "pat@corner.example")
    await app.desk.directory.refresh()
    await app.event(link_shared(f"{KICKSERV}/customers/99", ts="1700000200.000300"))
    shown = unfurl_text(slack, f"{KICKSERV}/customers/99", (CHANNEL, "1700000200.000300"))
    assert "*Corner Cafe* · Kickserv customer #99" in shown
    assert "*ReadyDesk*\na ReadyDesk customer" in shown and "pat@corner" not in shown


async def test_the_contact_person_is_named_only_when_the_customer_has_no_other_name(app, slack):
    ticket = app.readydesk.state.data.tickets[34]
    ticket.company_name, ticket.contact = "Corner Cafe", "Pat Doe"
    app.readydesk.state.data.tickets[35].company_name = ""
    app.readydesk.state.data.tickets[35].contact = "Pat Doe"
    await app.event(link_shared(ticket_url(34), ticket_url(35)))
    assert "*Customer*\nCorner Cafe" in unfurl_text(slack, ticket_url(34))
    assert "Pat Doe" not in unfurl_text(slack, ticket_url(34))
    assert "*Customer*\nPat Doe" in unfurl_text(slack, ticket_url(35))


async def test_a_customers_unfurl_calls_next_the_first_visit_from_now_not_one_past(app, slack):
    jobs = sorted(
        (j for j in app.kickserv.state.data.jobs.values() if j.customer_id == 5_100_001),
        key=lambda j: j.job_number,
    )
    for job, year in zip(jobs, (2020, 2030, *([2031] * len(jobs))), strict=False):
        job.status, job.scheduled_on = "scheduled", datetime(year, 1, 1, 10, tzinfo=UTC)
    await app.event(link_shared(f"{KICKSERV}/customers/1"))
    assert f"*Next*\nJob {jobs[1].job_number} · " in unfurl_text(slack, f"{KICKSERV}/customers/1")
    for job in jobs[1:]:
        job.scheduled_on = datetime(2021, 1, 1, 10, tzinfo=UTC)  # every visit now in the past
    await app.event(link_shared(f"{KICKSERV}/customers/1", ts="1700000300.000400"))
    shown = unfurl_text(slack, f"{KICKSERV}/customers/1", (CHANNEL, "1700000300.000400"))
    assert f"*Past due*\nJob {jobs[0].job_number} · " in shown and "*Next*" not in shown


async def test_hostile_subjects_and_customer_names_are_escaped_in_unfurls(app, slack):
    ticket = app.readydesk.state.data.tickets[34]
    ticket.subject, ticket.company_name = "<!channel> server down", "<!here> & Sons"
    app.kickserv.state.data.customers[1].name = "<!channel> Plumbing"
    app.kickserv.state.data.customers[1].company_name = "<!channel> Plumbing"
    await app.desk.directory.refresh()
    job = next(j for j in app.kickserv.state.data.jobs.values() if j.customer_id == 5_100_001)
    links = (ticket_url(34), f"{KICKSERV}/jobs/{job.job_number}", f"{KICKSERV}/customers/1")
    await app.event(link_shared(*links))
    ticket_card, job_card, customer_card = (unfurl_text(slack, url) for url in links)
    assert "*Ticket #34* · &lt;!channel&gt; server down" in ticket_card
    assert "*Customer*\n&lt;!here&gt; &amp; Sons" in ticket_card
    assert "*Customer*\n&lt;!channel&gt; Plumbing (#1)" in job_card
    assert "*&lt;!channel&gt; Plumbing* · Kickserv customer #1" in customer_card
    for call in unfurl_calls(slack):
        assert "<!channel>" not in dumped(call.payload) and "<!here>" not in dumped(call.payload)


def _add_twins(app: Served, number: int, name: str, email: str) -> None:
    """A Kickserv customer `name` and a ReadyDesk customer with no names whose ID is `email`."""
    rd = app.readydesk.state.data
    rd.add_customer(
        replace(
            rd.customers["demo"],
            record_id=900 + number,
            customer_id=email,
            company_name="",
            contact="",
            email=email,
            date_added=datetime.now(UTC).replace(tzinfo=None),
        )
    )
    ks = app.kickserv.state.data
    ks.customers[number] = replace(
        ks.customers[1],
        id=5_100_000 + number,
        customer_number=number,
        name=name,
        company_name=name,
        email=email,
    )


async def test_a_jobs_customer_not_in_the_directory_yet_is_found_as_the_job_card_finds_it(
    app, slack
):
    _add_twins(app, 99, "Corner Cafe", "pat@corner.example")  # after the directory's fill
    job = await app.desk.kickserv.create_job(99, 24554, "Descale the espresso machine")
    await app.event(link_shared(f"{KICKSERV}/jobs/{job.job_number}"))
    assert "*Customer*\nCorner Cafe (#99)" in unfurl_text(
        slack, f"{KICKSERV}/jobs/{job.job_number}"
    )


async def test_a_link_to_a_record_that_does_not_exist_says_so_and_is_not_kept_live(app, slack):
    await app.event(link_shared(ticket_url(999999), f"{KICKSERV}/jobs/99999"))
    assert unfurl_text(slack, ticket_url(999999)) == "Ticket 999999 does not exist in ReadyDesk."
    assert unfurl_text(slack, f"{KICKSERV}/jobs/99999") == "Kickserv has no job 99999."
    assert await app.store.live.tracked(datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_a_failing_backend_leaves_its_links_bare_and_the_others_unfurl(app, slack):
    app.kickserv.state.faults.add("status", status=503)
    job_link = f"{KICKSERV}/jobs/86001"
    await app.event(link_shared(ticket_url(34), job_link))
    [call] = unfurl_calls(slack)
    assert list(call.payload["unfurls"]) == [ticket_url(34)]  # the job link stays a link
    app.readydesk.state.faults.add("status", status=503)
    await app.event(link_shared(ticket_url(34), job_link, ts="1700000200.000300"))
    assert len(unfurl_calls(slack)) == 1  # nothing to unfurl; nobody is told "went wrong"
    assert [c for c in slack.calls if c.name.startswith("chat.post")] == []


async def test_an_unexpected_error_is_logged_and_nobody_is_messaged(
    app, slack, monkeypatch, caplog
):
    async def broken(records):
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.desk, "unfurls", broken)
    with caplog.at_level(logging.INFO):
        response = await app.event(link_shared(ticket_url(34)))
    assert response.status_code == 200
    assert [c.name for c in slack.calls if c.name.startswith(("chat.", "views."))] == []
    assert any("unhandled error ref=" in r.getMessage() for r in caplog.records)


async def test_links_unfurl_only_in_the_channels_deskhand_unfurl_channels_names(slack):
    async with served(slack, READYDESK_WEB_URL=WEB, DESKHAND_UNFURL_CHANNELS="C0SUPPORT") as app:
        await app.event(link_shared(ticket_url(34), channel="C0RANDOM"))
        await app.event(link_shared(ticket_url(34), composer=True))  # names no channel yet
        assert unfurl_calls(slack) == []
        await app.event(link_shared(ticket_url(34), channel="C0SUPPORT"))
        [call] = unfurl_calls(slack)
        assert call.payload["channel"] == "C0SUPPORT"


async def test_a_link_typed_in_the_composer_is_previewed_by_its_unfurl_id(app, slack):
    await app.event(link_shared(ticket_url(34), composer=True))
    [call] = unfurl_calls(slack)
    assert (call.payload["unfurl_id"], call.payload["source"]) == (f"U1-{TS}-preview", "composer")
    assert "channel" not in call.payload
    assert await app.store.live.tracked(datetime(2000, 1, 1, tzinfo=UTC)) == []  # no message yet


async def test_a_link_unfurls_over_socket_mode_too(slack):
    settings = socket_mode_settings(
        slack.api_url,
        READYDESK_WEB_URL=WEB,
    )
    store = ready_store()
    desk = build_desk(settings, store)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    try:
        body = json.loads(event_body("EvSM2", link_shared(ticket_url(34))))
        await slack.wait_for_ack(slack.deliver("events_api", body))
        call = await slack.wait_for_call("api", "chat.unfurl")
    finally:
        await handler.close_async()
        await desk.aclose()
    assert texts(call.payload["unfurls"][ticket_url(34)]["blocks"]).startswith("*Ticket #34* · ")
    assert call.payload["channel"] == CHANNEL


def test_the_committed_manifest_unfurls_the_default_kickserv_pages_with_links_scopes():
    assert MANIFEST["features"]["unfurl_domains"] == list(ids.UNFURL_DOMAINS)
    default = handler_config(Settings(_env_file=None)).links.domains()
    assert default == list(ids.UNFURL_DOMAINS)
    assert {"links:read", "links:write"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert "link_shared" in MANIFEST["settings"]["event_subscriptions"]["bot_events"]


def test_deskhand_manifest_lists_the_configured_web_pages_as_unfurl_domains():
    env = {
        "READYDESK_WEB_URL": WEB,
        "KICKSERV_WEB_URL": "https://fieldcrew.kickserv.example/{account}",
        "KICKSERV_ACCOUNT": "fieldcrew",
    }
    result = run_cli("manifest", "--url", "https://desk.example.com", env=env)
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    assert printed["features"]["unfurl_domains"] == [
        "helpdesk.example",
        "fieldcrew.kickserv.example",
    ]
    assert printed["settings"]["event_subscriptions"]["request_url"] == (
        "https://desk.example.com/slack/events"
    )


def test_deskhand_manifest_prints_whatever_else_is_misconfigured():
    env = {
        "READYDESK_WEB_URL": WEB,
        "DESKHAND_TIMEZONE": "Nowhere/Else",
        "DESKHAND_ALERT_INTERVAL": "1",  # below its minimum: `serve` would refuse it
    }
    result = run_cli("manifest", env=env)
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    assert printed["features"]["unfurl_domains"] == ["helpdesk.example", "app.kickserv.com"]
    assert result.stderr == ""


def test_deskhand_manifest_keeps_the_committed_domains_when_a_web_page_setting_is_bad():
    result = run_cli("manifest", env={"READYDESK_WEB_URL": "https://helpdesk.example/no-id"})
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout)["features"]["unfurl_domains"] == list(ids.UNFURL_DOMAINS)
    assert result.stderr == (
        "Ignoring READYDESK_WEB_URL (not valid): unfurl_domains as committed.\n"
    )


async def test_a_job_link_unfurls_at_first_sight_even_when_its_calendar_cannot_be_read(app, slack):
    # The job itself is one read; who is on it needs the calendar, a second read that may fail.
    app.kickserv.state.faults.add("status", path="tasks", status=503)
    job = next(j for j in app.kickserv.state.data.jobs.values() if j.customer_id == 5_100_001)
    url = f"{KICKSERV}/jobs/{job.job_number}"
    await app.event(link_shared(url))
    assert len(unfurl_calls(slack)) == 1  # after the failed read, nothing better to say
    shown = unfurl_text(slack, url)
    assert f"*Job {job.job_number}* · " in shown and "*Status*\n" in shown
    assert f"{app.kickserv.state.data.customers[1].name} (#1)" in shown
    assert "*Assigned to*\nchecking…" in shown
    assert [c for c in slack.calls if c.name.startswith("chat.post")] == []
