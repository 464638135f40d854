"""The Home tab over signed HTTP: app_home_opened in, views.publish out (what the Slack fake
keeps as the person's tab): what it shows, when it is read again, and over Socket Mode."""

import json
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytest

from bot.app import build_app, build_desk
from bot.socket_mode import connect_socket_mode
from sandbox.kickserv_data import ACCOUNT_TZ
from sandbox.slack import sandbox_user
from tests.bot.home_helpers import (
    SAM,
    SAM_GLOBAL_ID,
    ZONE,
    Clock,
    home_app,
    home_opened,
    home_press,
    home_text,
    publishes,
)
from tests.bot.served import FORM, Served, served, texts
from tests.conftest import ready_store
from tests.slack_helpers import command_body, command_fields, event_body, socket_mode_settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(slack, clock):
    async with home_app(slack, clock) as running:
        yield running


async def _job_today_for_sam(app: Served, description: str) -> int:
    """A job for customer 1 at 9:00 today on Sam's calendar; its number."""
    data = app.kickserv.state.data
    starts = datetime.combine(data.today, time(9), ACCOUNT_TZ)
    job = await app.desk.kickserv.create_job(1, 24554, description, scheduled_on=starts.isoformat())
    await app.desk.kickserv.create_task(
        job.global_id, starts, starts + timedelta(hours=2), [SAM_GLOBAL_ID]
    )
    return job.job_number


async def test_opening_home_shows_my_tickets_jobs_digests_and_watches(app, slack):
    number = await _job_today_for_sam(app, "Fix leaking sink <!here> & drain")
    await app.store.digests.add(
        channel_id="C0DISPATCH",
        kind="jobs-today",
        filters="",
        at_time="07:30",
        days="mon,tue,wed,thu,fri",
        timezone=ZONE,
        quiet=False,
        created_by=SAM,
    )
    await app.store.alerts.add(
        channel_id="C0SUPPORT", kind="tickets", filters='{"priority":"Urgent"}', created_by=SAM
    )
    await app.store.alerts.add(channel_id="C0X", kind="tickets", filters="", created_by="U9")
    response = await app.event(home_opened(SAM))
    assert response.status_code == 200
    [published] = publishes(slack, SAM)
    assert published.payload["view"]["type"] == "home"
    home = home_text(slack, SAM)
    tickets = app.readydesk.state.data.tickets.values()
    bobs = sorted(t.tid for t in tickets if t.assigned_tech == "bob" and t.status != "Closed")
    assert f"*Your unresolved tickets: {len(bobs)}* · `/tickets status:unresolved tech:me`" in home
    assert f"*#{bobs[0]}* " in home  # the oldest first, each with Open
    assert "ReadyDesk technician `bob` (linked by <@U0BOSS>)" in home
    assert "Kickserv employee Sam Ortiz (matched by email)" in home
    customer = app.kickserv.state.data.customers[1].name
    assert (
        f"*9:00 AM -05* · {customer} · Job {number}\n"
        "Printer Repair — Fix leaking sink &lt;!here&gt; &amp; drain · Scheduled"
    ) in home
    assert "`#1` jobs-today at 07:30 weekdays Etc/GMT+5 in <#C0DISPATCH>" in home
    assert "`#1` tickets: priority:Urgent in <#C0SUPPORT>" in home  # as /deskhand watches says
    assert "C0X" not in home  # someone else's watch
    assert "Deskhand does not know" not in home
    assert "*Your run-sheet*\n`/deskhand runsheet at 07:00 weekdays` sends it by direct" in home


async def _sam_types(app: Served, slack, text: str, name: str) -> list[dict]:
    """Sam types `/deskhand <text>`: the replies to its response_url."""
    fields = command_fields("/deskhand", text, slack.response_url(name)) | {"user_id": SAM}
    await app.post(urlencode(fields), FORM)
    return [c.payload for c in slack.calls if c.kind == "response_url" and c.name == name]


async def test_home_says_when_my_run_sheet_comes_as_the_run_sheet_does(app, slack):
    [said] = await _sam_types(app, slack, "runsheet at 06:45 mon,thu", "at")
    assert said["text"].startswith("Your run-sheet comes by direct message at 06:45 mon,thu ")
    await app.event(home_opened(SAM))
    line = "Comes by direct message at 06:45 mon,thu; `/deskhand runsheet off` stops it."
    assert f"*Your run-sheet*\n{line}" in home_text(slack, SAM)
    [sheet] = await _sam_types(app, slack, "runsheet", "now")
    assert line in str(sheet["blocks"])  # the run-sheet's own card says the same
    assert "jobs-today" not in home_text(slack, SAM)  # a run-sheet is not listed as a digest


async def test_a_jobs_customer_is_named_as_the_job_card_names_it(app, slack):
    customer = app.kickserv.state.data.customers[1]
    customer.name = "John Smith"  # the person; the calendar entry's copy names only them
    await app.desk.directory.refresh()
    number = await _job_today_for_sam(app, "Fix leaking sink")
    await app.event(home_opened(SAM))
    assert f"· {customer.company_name} · Job {number}" in home_text(slack, SAM)


async def test_someone_not_linked_is_told_how_deskhand_looks_and_whom_to_ask(app, slack):
    await app.event(home_opened("U3"))
    home = home_text(slack, "U3")
    assert (
        "*Deskhand does not know your ReadyDesk technician or your Kickserv employee.* It uses "
        "an admin's link, else the ReadyDesk technician or Kickserv employee whose email is the "
        "one on your Slack profile (`nora@elsewhere.example`). To be linked, ask <@U0BOSS> to "
        "run `/deskhand link @you tech:&lt;technician ID&gt; employee:&lt;number&gt;`."
    ) in home
    assert "No ReadyDesk technician is linked to you." in home
    assert "No Kickserv employee is linked to you." in home
    assert "Your unresolved tickets:" not in home


async def test_an_admin_not_linked_is_never_told_to_ask_themself(slack):
    slack.users["U0NORA"] = sandbox_user("U0NORA", "Nora Quinn", "nora@elsewhere.example")
    slack.users["U0OLA"] = sandbox_user("U0OLA", "Ola Berg", "ola@elsewhere.example")
    async with served(slack, DESKHAND_ADMINS="U0NORA,U0BOSS") as running:
        await running.event(home_opened("U0NORA"))
        await running.event(home_opened("U0OLA"))
    nora, ola = home_text(slack, "U0NORA"), home_text(slack, "U0OLA")
    assert "<@U0NORA>" not in nora
    assert (
        "To be linked, run `/deskhand link @you tech:&lt;technician ID&gt; employee:&lt;number&gt;`"
        " yourself (you are an admin), @you being you, or ask <@U0BOSS>."
    ) in nora
    assert "To be linked, ask <@U0BOSS>, <@U0NORA> to run `/deskhand link @you " in ola


@pytest.mark.parametrize("down", ["kickserv", "readydesk"])
async def test_a_failing_backend_leaves_the_other_part_and_one_line(app, slack, down):
    number = await _job_today_for_sam(app, "Fix leaking sink")
    getattr(app, down).state.faults.add("status", status=503)
    app.desk.readydesk.forget_lookups()
    app.desk.kickserv.forget_lookups()
    await app.event(home_opened(SAM))
    home = home_text(slack, SAM)
    failed = "Kickserv" if down == "kickserv" else "ReadyDesk"
    assert home.count(f"{failed} could not be read: ") == 1
    if down == "kickserv":
        assert "*Your unresolved tickets: " in home and f"Job {number}" not in home
    else:
        assert f"Job {number}" in home and "*Your unresolved tickets: " not in home
    assert "Deskhand does not know" not in home  # a failure is not "not linked"


async def test_reopening_within_a_minute_reuses_the_tab_but_refresh_reads_again(app, slack):
    await app.event(home_opened(SAM))
    await app.event(home_opened(SAM, shown=True))
    await app.event(home_opened(SAM, tab="messages"))
    assert len(publishes(slack, SAM)) == 1
    await app.store.links.set(SAM, set_by="U0BOSS", technician="carol")
    await app.interactive(home_press(SAM, "home_refresh", "refresh"))
    assert len(publishes(slack, SAM)) == 2
    assert "ReadyDesk technician `carol`" in home_text(slack, SAM)
    # A tab Slack has nothing in (a new device, a reinstall) is published at once.
    await app.event(home_opened(SAM))
    assert len(publishes(slack, SAM)) == 3


async def test_reopening_after_a_minute_by_the_apps_clock_reads_again(app, slack, clock):
    await app.event(home_opened(SAM))
    clock.ahead = timedelta(seconds=59)
    await app.event(home_opened(SAM, shown=True))
    assert len(publishes(slack, SAM)) == 1
    clock.ahead = timedelta(seconds=61)
    await app.event(home_opened(SAM, shown=True))
    assert len(publishes(slack, SAM)) == 2
    clock.ahead = timedelta(seconds=90)
    await app.event(home_opened(SAM, shown=True))
    assert len(publishes(slack, SAM)) == 2  # 29 s after the last publish


async def test_a_publish_that_failed_is_tried_again_at_the_next_open(app, slack):
    await app.event(home_opened("U7"))  # Slack does not know U7 yet: views.publish is refused
    assert len(publishes(slack, "U7")) == 1
    assert "U7" not in slack.home_tabs
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []  # nobody is told
    slack.users["U7"] = sandbox_user("U7", "Lee Park", "lee@elsewhere.example")
    await app.event(home_opened("U7", shown=True))  # within the minute
    assert len(publishes(slack, "U7")) == 2
    assert "Deskhand does not know" in home_text(slack, "U7")


async def test_the_home_tab_is_published_over_socket_mode_too(slack):
    settings = socket_mode_settings(slack.api_url)
    store = ready_store()
    desk = build_desk(settings, store)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    try:
        body = json.loads(event_body("EvSM1", home_opened("U1")))
        await slack.wait_for_ack(slack.deliver("events_api", body))
        published = await slack.wait_for_call("api", "views.publish")
    finally:
        await handler.close_async()
        await desk.aclose()
    assert published.payload["user_id"] == "U1"
    home = texts(published.payload["view"]["blocks"])
    assert "Kickserv employee Pat Lee (matched by email)" in home  # the sandbox's own Pat
    assert "Deskhand does not know your ReadyDesk technician." in home


def _row_facts(blocks: list, block_id: str) -> list[str]:
    [row] = [b for b in blocks if b.get("block_id") == block_id]
    return row["text"]["text"].split("\n")[1].split(" · ")


async def test_a_ticket_row_names_its_customer_as_tickets_does(app, slack):
    await app.event(home_opened(SAM))
    row = next(
        b
        for b in slack.home_tabs[SAM]["blocks"]
        if b.get("block_id", "").startswith("home_ticket_")
    )
    number = int(row["block_id"].rsplit("_", 1)[1])
    ticket = app.readydesk.state.data.tickets[number]
    assert ticket.contact and ticket.company_name  # a person at a business: two names to give
    words = f"customer:{ticket.cid} tech:bob"
    body = command_body("/tickets", words, slack.response_url("rows"))
    await app.post(body, {"Content-Type": "application/x-www-form-urlencoded"})
    [listed] = [c.payload for c in slack.calls if c.name == "rows"]
    on_home = _row_facts(slack.home_tabs[SAM]["blocks"], f"home_ticket_{number}")
    in_tickets = _row_facts(listed["blocks"], f"row_{number}")
    assert on_home[2] == in_tickets[2]  # status · priority · customer · …
