"""The Home tab over signed HTTP: app_home_opened in, views.publish out (what the Slack fake
keeps as the person's tab), and its buttons."""

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.app import build_app, build_desk
from bot.socket_mode import connect_socket_mode
from sandbox.kickserv_data import ACCOUNT_TZ
from sandbox.slack import sandbox_user
from tests.bot.served import FORM, Served, dumped, served, texts
from tests.conftest import ready_store
from tests.slack_helpers import command_body, command_fields, event_body, socket_mode_settings

ZONE = "Etc/GMT+5"  # the Kickserv fake's account zone (UTC-5 all year): its days are the business's
SAM = "U2"  # Kickserv employee 18 by email; an admin linked him to ReadyDesk technician bob
SAM_GLOBAL_ID = 846788
EMAIL = "john.smith@democompany.com"  # one business, in both systems


class Clock:
    """The app's clock: the wall clock, moved on by `ahead`."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(slack, clock):
    slack.users[SAM] = sandbox_user(SAM, "Sam Ortiz", "sam@fieldcrew.example")
    slack.users["U3"] = sandbox_user("U3", "Nora Quinn", "nora@elsewhere.example")
    env = {"DESKHAND_ADMINS": "U0BOSS", "DESKHAND_TIMEZONE": ZONE}
    async with served(slack, clock=clock, **env) as running:
        await running.store.links.set(SAM, set_by="U0BOSS", technician="bob")
        yield running


def _opened(user: str, *, shown: bool = False, tab: str = "home") -> dict:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab}
    event["event_ts"] = "1700000000.000100"
    if shown:  # Slack sends the tab's current view once one was published
        event["view"] = {"id": "VH0000001", "type": "home"}
    return event


def _press(user: str, action_id: str, value: str = "x") -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": user, "team_id": "T0SANDBOX"},
        "container": {"type": "view", "view_id": "VH0000001"},
        "view": {"id": "VH0000001", "type": "home"},
        "trigger_id": "7.8.9",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }


def _publishes(slack, user: str) -> list:
    return [c for c in slack.calls if c.name == "views.publish" and c.payload["user_id"] == user]


def _home(slack, user: str) -> str:
    return texts(slack.home_tabs[user]["blocks"])


def _button(slack, user: str, label: str) -> dict:
    for block in slack.home_tabs[user]["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no {label} button")


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
    response = await app.event(_opened(SAM))
    assert response.status_code == 200
    [published] = _publishes(slack, SAM)
    assert published.payload["view"]["type"] == "home"
    home = _home(slack, SAM)
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
    await app.event(_opened(SAM))
    line = "Comes by direct message at 06:45 mon,thu; `/deskhand runsheet off` stops it."
    assert f"*Your run-sheet*\n{line}" in _home(slack, SAM)
    [sheet] = await _sam_types(app, slack, "runsheet", "now")
    assert line in str(sheet["blocks"])  # the run-sheet's own card says the same
    assert "jobs-today" not in _home(slack, SAM)  # a run-sheet is not listed as a digest


async def test_a_jobs_customer_is_named_as_the_job_card_names_it(app, slack):
    customer = app.kickserv.state.data.customers[1]
    customer.name = "John Smith"  # the person; the calendar entry's copy names only them
    await app.desk.directory.refresh()
    number = await _job_today_for_sam(app, "Fix leaking sink")
    await app.event(_opened(SAM))
    assert f"· {customer.company_name} · Job {number}" in _home(slack, SAM)


async def test_someone_not_linked_is_told_how_deskhand_looks_and_whom_to_ask(app, slack):
    await app.event(_opened("U3"))
    home = _home(slack, "U3")
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
        await running.event(_opened("U0NORA"))
        await running.event(_opened("U0OLA"))
    nora, ola = _home(slack, "U0NORA"), _home(slack, "U0OLA")
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
    await app.event(_opened(SAM))
    home = _home(slack, SAM)
    failed = "Kickserv" if down == "kickserv" else "ReadyDesk"
    assert home.count(f"{failed} could not be read: ") == 1
    if down == "kickserv":
        assert "*Your unresolved tickets: " in home and f"Job {number}" not in home
    else:
        assert f"Job {number}" in home and "*Your unresolved tickets: " not in home
    assert "Deskhand does not know" not in home  # a failure is not "not linked"


async def test_reopening_within_a_minute_reuses_the_tab_but_refresh_reads_again(app, slack):
    await app.event(_opened(SAM))
    await app.event(_opened(SAM, shown=True))
    await app.event(_opened(SAM, tab="messages"))
    assert len(_publishes(slack, SAM)) == 1
    await app.store.links.set(SAM, set_by="U0BOSS", technician="carol")
    await app.interactive(_press(SAM, "home_refresh", "refresh"))
    assert len(_publishes(slack, SAM)) == 2
    assert "ReadyDesk technician `carol`" in _home(slack, SAM)
    # A tab Slack has nothing in (a new device, a reinstall) is published at once.
    await app.event(_opened(SAM))
    assert len(_publishes(slack, SAM)) == 3


async def test_reopening_after_a_minute_by_the_apps_clock_reads_again(app, slack, clock):
    await app.event(_opened(SAM))
    clock.ahead = timedelta(seconds=59)
    await app.event(_opened(SAM, shown=True))
    assert len(_publishes(slack, SAM)) == 1
    clock.ahead = timedelta(seconds=61)
    await app.event(_opened(SAM, shown=True))
    assert len(_publishes(slack, SAM)) == 2
    clock.ahead = timedelta(seconds=90)
    await app.event(_opened(SAM, shown=True))
    assert len(_publishes(slack, SAM)) == 2  # 29 s after the last publish


async def test_a_publish_that_failed_is_tried_again_at_the_next_open(app, slack):
    await app.event(_opened("U7"))  # Slack does not know U7 yet: views.publish is refused
    assert len(_publishes(slack, "U7")) == 1
    assert "U7" not in slack.home_tabs
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []  # nobody is told
    slack.users["U7"] = sandbox_user("U7", "Lee Park", "lee@elsewhere.example")
    await app.event(_opened("U7", shown=True))  # within the minute
    assert len(_publishes(slack, "U7")) == 2
    assert "Deskhand does not know" in _home(slack, "U7")


def _modal_press(user: str, view: dict, action_id: str, value: str) -> dict:
    """A button pressed on a modal Deskhand opened (Slack sends the view, no response_url)."""
    body = _press(user, action_id, value)
    body["container"] = {"type": "view", "view_id": view["id"]}
    body |= {"view": view, "trigger_id": "7.8.11"}
    return body


def _shown(slack, view_id: str) -> dict:
    return slack.views[view_id]


async def test_open_shows_the_card_in_a_modal_over_home(app, slack):
    await app.event(_opened(SAM))
    row = next(
        b
        for b in slack.home_tabs[SAM]["blocks"]
        if b.get("block_id", "").startswith("home_ticket_")
    )
    ticket_id = int(row["block_id"].rsplit("_", 1)[1])
    await app.interactive(_press(SAM, "home_open", row["accessory"]["value"]))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    assert opened.payload["trigger_id"] == "7.8.9"  # on Home, at once, with the trigger
    modal = _shown(slack, opened.answer["view"]["id"])
    assert modal["blocks"][0]["text"]["text"].startswith(f"#{ticket_id} ")
    assert "Share in channel" not in dumped(modal["blocks"])  # a modal is in no channel
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []  # not in Messages
    # The card's own buttons answer in the modal: Refresh in place, Customer on top.
    refresh = _element(modal, "Refresh")
    await app.interactive(_modal_press(SAM, modal, refresh["action_id"], refresh["value"]))
    assert slack.calls[-1].name == "views.update"
    assert slack.calls[-1].payload["view_id"] == modal["id"]
    customer = _element(modal, "Customer")
    await app.interactive(_modal_press(SAM, modal, customer["action_id"], customer["value"]))
    [pushed] = [c for c in slack.calls if c.name == "views.push"]
    assert pushed.payload["trigger_id"] == "7.8.11"
    assert "Customer ID" in texts(pushed.payload["view"]["blocks"])
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "chat.postEphemeral")] == []


async def test_closing_a_card_opened_from_home_publishes_home_again(app, slack):
    row, opened = await _open_a_ticket_from_home(app, slack)
    assert opened.payload["view"]["notify_on_close"] is True  # Slack says when it closes
    ticket_id = int(row["block_id"].rsplit("_", 1)[1])
    app.readydesk.state.data.tickets[ticket_id].status = "Escalated"  # done in the modal, say
    published = len(_publishes(slack, SAM))
    closed = {
        "type": "view_closed",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": SAM, "team_id": "T0SANDBOX"},
        "view": _shown(slack, opened.answer["view"]["id"]),
        "is_cleared": False,
    }
    await app.interactive(closed)
    assert len(_publishes(slack, SAM)) == published + 1  # within the minute: forced
    assert "Escalated" in _home(slack, SAM)


async def _open_a_ticket_from_home(app, slack) -> tuple[dict, Any]:
    """Sam's Home published, and its first ticket's Open pressed: the row and the views.open."""
    await app.event(_opened(SAM))
    row = next(
        b
        for b in slack.home_tabs[SAM]["blocks"]
        if b.get("block_id", "").startswith("home_ticket_")
    )
    await app.interactive(_press(SAM, "home_open", row["accessory"]["value"]))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    return row, opened


def _element(view: dict, label: str) -> dict:
    for block in view["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no {label} button in the modal")


async def test_new_ticket_new_job_and_find_customer_open_their_forms(app, slack):
    await app.event(_opened(SAM))
    for label, callback in (
        ("New ticket", "ticket_modal"),
        ("New job", "job_modal"),
        ("Find customer", "find_customer_modal"),
    ):
        pressed = _button(slack, SAM, label)
        await app.interactive(_press(SAM, pressed["action_id"], pressed["value"]))
        opened = [c for c in slack.calls if c.name == "views.open"][-1]
        assert opened.payload["view"]["callback_id"] == callback
        assert opened.payload["trigger_id"] == "7.8.9"


def _find(user: str, words: str) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": user, "team_id": "T0SANDBOX"},
        "trigger_id": "7.8.10",
        "view": {
            "id": "V00000009",
            "type": "modal",
            "callback_id": "find_customer_modal",
            "private_metadata": "",
            "state": {
                "values": {"find_customer": {"words": {"type": "plain_text_input", "value": words}}}
            },
            "hash": "h",
        },
    }


async def test_find_customer_answers_like_slash_customer_in_the_forms_place(app, slack):
    response = await app.interactive(_find(SAM, EMAIL))
    # Found at once: the answer is the submit's own reply (a views.update sent as quickly
    # could reach Slack before the reply and be drawn over by it).
    assert response.json()["response_action"] == "update"  # the form becomes the answer
    card = texts(response.json()["view"]["blocks"])
    assert "Demo Company" in card and "linked: same email" in card
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "views.update")] == []


async def test_a_slow_find_says_looking_up_then_puts_the_answer_in_its_place(app, slack):
    app.readydesk.state.faults.add("latency", seconds=2.5)  # past the reply's budget
    response = await app.interactive(_find(SAM, EMAIL))
    assert "Looking up" in texts(response.json()["view"]["blocks"])
    updated = await slack.wait_for_call("api", "views.update")
    assert updated.payload["view_id"] == "V00000009"
    assert "Demo Company" in texts(updated.payload["view"]["blocks"])


async def test_find_customer_keeps_the_form_open_when_nothing_was_typed(app, slack):
    response = await app.interactive(_find(SAM, "   "))
    assert response.json() == {
        "response_action": "errors",
        "errors": {"find_customer": "Type a name, email, phone or ID."},  # as its label says
    }
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "views.update")] == []


async def test_find_customer_keeps_the_form_open_with_my_words_when_nothing_matches(app, slack):
    response = await app.interactive(_find(SAM, "zzzqqq nobody"))
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            "find_customer": "No customer matches “zzzqqq nobody” in ReadyDesk or in Kickserv."
        },
    }  # the form stays, the words in it to change, not an answer with only Dismiss


async def test_find_customer_tells_me_when_neither_system_answers(app, slack):
    for fake in (app.readydesk, app.kickserv):
        fake.state.faults.add("status", status=503)
    response = await app.interactive(_find(SAM, EMAIL))  # one business; unreadable
    assert texts(response.json()["view"]["blocks"]) == (
        "ReadyDesk is having trouble (HTTP 503); try again shortly. "
        "Kickserv is having trouble (HTTP 503); try again shortly."
    )


async def test_the_home_tab_is_published_over_socket_mode_too(slack):
    settings = socket_mode_settings(slack.api_url)
    store = ready_store()
    desk = build_desk(settings, store)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    try:
        body = json.loads(event_body("EvSM1", _opened("U1")))
        await slack.wait_for_ack(slack.deliver("events_api", body))
        published = await slack.wait_for_call("api", "views.publish")
    finally:
        await handler.close_async()
        await desk.aclose()
    assert published.payload["user_id"] == "U1"
    home = texts(published.payload["view"]["blocks"])
    assert "Kickserv employee Pat Lee (matched by email)" in home  # the sandbox's own Pat
    assert "Deskhand does not know your ReadyDesk technician." in home


async def test_a_card_opened_from_home_is_left_by_a_word_no_card_button_uses(app, slack):
    _, opened = await _open_a_ticket_from_home(app, slack)
    modal = _shown(slack, opened.answer["view"]["id"])
    assert _element(modal, "Close")["style"] == "danger"  # the button that closes the ticket
    buttons = [e for b in modal["blocks"] for e in b.get("elements", []) if e["type"] == "button"]
    labels = {e["text"]["text"] for e in buttons}
    assert modal["close"]["text"] not in labels | {"Close", "Done"}  # leaving is no card button


def _row_facts(blocks: list, block_id: str) -> list[str]:
    [row] = [b for b in blocks if b.get("block_id") == block_id]
    return row["text"]["text"].split("\n")[1].split(" · ")


async def test_a_ticket_row_names_its_customer_as_tickets_does(app, slack):
    await app.event(_opened(SAM))
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
