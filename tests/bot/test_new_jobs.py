"""Creating Kickserv jobs from the form: opened at once, services filled in, written once,
Kickserv's refusals shown on the fields with everything typed kept."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playground.console import Console
from sandbox.faults import Faults
from sandbox.slack import sandbox_user
from tests.conftest import directory_filled
from tests.slack_helpers import is_signed
from workers.claims import sweep_claims


def _kickserv(console: Console):
    return console.fake("kickserv").state.data


def _kickserv_faults(console: Console) -> Faults:
    return console.faults("kickserv")


async def _open_form(console: Console, words: str = "democompany") -> str:
    await directory_filled(console)
    mark = len(console.slack.calls)
    await console.send(f"/job new {words}")
    methods = [c.name for c in console.slack.calls_since(mark) if c.name.startswith("views.")]
    assert methods == ["views.open", "views.update"]  # opened at once, then the services
    return console.slack.last_view_id


async def _form_for_sam(console: Console) -> tuple[str, dict[str, str]]:
    """The job form open, and its values for a job assigned to Sam Ortiz (no date yet)."""
    view_id = await _open_form(console)
    view = console.slack.views[view_id]
    customer = view["blocks"][0]["element"]["initial_option"]["value"]
    employee = next(b for b in view["blocks"] if b.get("block_id") == "employee")
    sam = next(o for o in employee["element"]["options"] if o["text"]["text"] == "Sam Ortiz")
    return view_id, {"customer": customer, "service": "24551", "employee": sam["value"]}


async def test_the_form_creates_a_scheduled_signed_job_once(console):
    console.slack.users["U0CONSOLE"] = sandbox_user(
        "U0CONSOLE", "Alice Moreno", "alice@helpdesk.example", tz="America/New_York"
    )
    view_id = await _open_form(console)
    view = console.slack.views[view_id]
    customer = view["blocks"][0]["element"]["initial_option"]["value"]
    assert customer.startswith("kickserv:")
    service = view["blocks"][1]["element"]["options"][0]["value"]
    before = set(_kickserv(console).jobs)
    values = {
        "customer": customer,
        "service": service,
        "description": "Two storeys",
        "date": "2026-12-01",
        "time": "14:30",
    }
    first = await console.submit_view(view_id, values)
    again = await console.submit_view(view_id, values)  # double submit
    assert first["view"]["title"]["text"] == "Job created"
    assert again["view"]["title"]["text"] == "Job created"
    [new] = set(_kickserv(console).jobs) - before
    job = _kickserv(console).jobs[new]
    assert is_signed(job.description, "Two storeys")
    assert job.scheduled_on == datetime(2026, 12, 1, 14, 30, tzinfo=ZoneInfo("America/New_York"))
    assert f"*job {new}*" in str(first["view"]["blocks"])
    posts = [c for c in console.slack.calls if c.name == "chat.postEphemeral"]
    assert posts and posts[-1].payload["blocks"][0]["text"]["text"].startswith(f"Job {new} · ")


async def test_kickserv_refusals_come_back_on_the_fields(console):
    view_id = await _open_form(console)
    customer = console.slack.views[view_id]["blocks"][0]["element"]["initial_option"]["value"]
    before = len(_kickserv(console).jobs)
    refused = await console.submit_view(view_id, {"customer": customer, "service": "999"})
    assert refused == {"response_action": "errors", "errors": {"service": "Job type is invalid"}}
    time_only = await console.submit_view(
        view_id, {"customer": customer, "service": "24551", "time": "09:00"}
    )
    assert time_only["errors"] == {"date": "Choose a date for that time too."}
    assert len(_kickserv(console).jobs) == before
    # The claim was released: the corrected form writes.
    fixed = await console.submit_view(view_id, {"customer": customer, "service": "24551"})
    assert fixed["view"]["title"]["text"] == "Job created"


async def test_a_readydesk_only_customer_is_refused_on_the_customer_field(console):
    view_id = await _open_form(console)
    answer = await console.submit_view(
        view_id, {"customer": "readydesk:nobody", "service": "24551"}
    )
    assert answer["errors"] == {
        "customer": "This customer is only in ReadyDesk; choose a Kickserv customer."
    }


async def test_a_customer_cards_create_job_button_opens_the_form_for_it(console):
    await directory_filled(console)
    await console.send("/customer john.smith@democompany.com")
    await console.send("click Create job")
    view = console.slack.views[console.slack.last_view_id]
    assert view["callback_id"] == "job_modal"
    assert view["blocks"][0]["element"]["initial_option"]["value"].startswith("kickserv:")


async def test_assigning_an_employee_puts_the_job_on_their_calendar(console):
    view_id, values = await _form_for_sam(console)
    undated = await console.submit_view(view_id, values)
    assert undated["errors"] == {
        "employee": "Choose a date too: assigning puts the job on a calendar."
    }
    done = await console.submit_view(view_id, {**values, "date": "2026-12-02"})
    assert done["view"]["title"]["text"] == "Job created"
    data = _kickserv(console)
    job = max(data.jobs.values(), key=lambda j: j.job_number)
    [task] = [t for t in data.tasks.values() if t.job_id == job.id]
    assert task.employee_ids == [int(values["employee"])]
    [card] = await console.send(f"/job {job.job_number}")
    assert "*Assigned to*\\nSam Ortiz" in str(card["blocks"])


async def test_a_bad_date_or_time_is_answered_on_its_field_and_the_form_stays_open(console):
    view_id = await _open_form(console)
    customer = console.slack.views[view_id]["blocks"][0]["element"]["initial_option"]["value"]
    values = {"customer": customer, "service": "24551", "description": "Kept"}
    before = len(_kickserv(console).jobs)
    bad_date = await console.submit_view(view_id, {**values, "date": "2026-13-01"})
    assert bad_date == {
        "response_action": "errors",
        "errors": {"date": "“2026-13-01” is not a date: pick one, e.g. 2026-12-01."},
    }
    bad_time = await console.submit_view(view_id, {**values, "date": "2026-12-01", "time": "25:00"})
    assert bad_time == {
        "response_action": "errors",
        "errors": {"time": "“25:00” is not a time of day: pick one, e.g. 14:30 (24-hour)."},
    }
    both = await console.submit_view(view_id, {**values, "date": "2026-13-45", "time": "25:99"})
    assert set(both["errors"]) == {"date", "time"}  # one wrong does not hide the other
    no_service = await console.submit_view(view_id, {**values, "service": ""})
    assert no_service["errors"] == {"service": "Choose a service."}
    assert len(_kickserv(console).jobs) == before
    fixed = await console.submit_view(view_id, {**values, "date": "2026-12-01", "time": "08:15"})
    assert fixed["view"]["title"]["text"] == "Job created"


def _customer_and_notice(console: Console) -> tuple[dict | None, str]:
    """The open form's chosen customer (None: none) and its context line's first part."""
    view = console.slack.views[console.slack.last_view_id]
    [line] = [b for b in view["blocks"] if b["type"] == "context"]
    return view["blocks"][0]["element"].get("initial_option"), line["elements"][0]["text"]


async def test_job_new_chooses_the_kickserv_customer_the_words_find_even_before_the_directory(
    console,
):
    faults = _kickserv_faults(console)
    faults.add("status", status=503, path="/customers.json")  # the directory cannot fill
    # First with Kickserv's filter failing too: what it finds later is saved to the directory.
    broken = faults.add("status", status=401, path="/customers/filter.json")
    await console.send("/job new demo")
    chosen, notice = _customer_and_notice(console)
    assert chosen is None
    assert notice == "Kickserv could not be searched for “demo”: choose the customer."
    faults.active.remove(broken)
    await console.send("/job new demo")
    chosen, notice = _customer_and_notice(console)
    assert chosen == {
        "text": {"type": "plain_text", "text": "Demo Company (#1)", "emoji": True},
        "value": "kickserv:1",
    }
    assert notice.startswith("Signed")


async def test_job_new_chooses_no_customer_when_the_words_find_several_or_none(console):
    await directory_filled(console)
    await console.send("/job new acme")
    assert _customer_and_notice(console) == (
        None,
        "Several Kickserv customers match “acme”: choose one.",
    )
    await console.send("/job new zzzz")
    assert _customer_and_notice(console) == (
        None,
        "No Kickserv customer matches “zzzz”: choose one.",
    )


async def test_a_job_confirmed_late_says_it_was_not_assigned_to_the_person_chosen(console):
    view_id, values = await _form_for_sam(console)
    # A gateway answers 504 at once; Kickserv creates the job later (when the test lands it).
    faults = _kickserv_faults(console)
    faults.add(
        "error_now_applied_later",
        path="/jobs.json",
        method="POST",
        seconds=3600,
        status=504,
        times=1,
    )
    shown = await console.submit_view(view_id, {**values, "date": "2026-12-02"})
    assert "Could not confirm yet" in str(shown), shown
    assert await faults.land() == 1
    data = _kickserv(console)
    job = max(data.jobs.values(), key=lambda j: j.job_number)
    mark = len(console.slack.calls)
    later = datetime.now(UTC) + timedelta(seconds=10)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    told = str([call.payload for call in console.slack.calls_since(mark)])
    assert "was written (Deskhand confirmed it afterwards" in told, told
    assert not [t for t in data.tasks.values() if t.job_id == job.id]  # and so it is not
    # Not a bare "written": the person chose Sam Ortiz, and the job is on nobody's calendar.
    assert "not assigned" in told and "Sam Ortiz" in told, told
