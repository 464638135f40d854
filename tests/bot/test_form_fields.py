"""Forms say the right thing about the right field, and pickers name each system's own record."""

import re

import pytest

from playground.console import Console
from tests.conftest import directory_filled


def _kickserv(console: Console):
    return console.fake("kickserv").state.data


async def test_an_empty_ticket_form_names_the_customer_and_the_subject(console):
    await console.send("/ticket new")
    answer = await console.submit_view(console.slack.last_view_id, {})
    assert answer == {
        "response_action": "errors",
        "errors": {"customer": "Choose a customer.", "subject": "Write a subject."},
    }
    kickserv_only = await console.submit_view(
        console.slack.last_view_id, {"customer": "kickserv:99999", "subject": "Jams"}
    )
    assert kickserv_only["errors"] == {
        "customer": "This customer is only in Kickserv; choose a ReadyDesk customer."
    }


async def test_an_empty_job_form_names_the_customer_and_the_service(console):
    await directory_filled(console)
    await console.send("/job new")
    answer = await console.submit_view(console.slack.last_view_id, {})
    assert answer == {
        "response_action": "errors",
        "errors": {"customer": "Choose a customer.", "service": "Choose a service."},
    }


async def test_a_date_that_does_not_exist_is_named_on_the_date_field(console):
    await directory_filled(console)
    await console.send("/job new democompany")
    view_id = console.slack.last_view_id
    customer = console.slack.views[view_id]["blocks"][0]["element"]["initial_option"]["value"]
    before = len(_kickserv(console).jobs)
    for typed in ("02/31/2027", "2027-02-31"):
        answer = await console.submit_view(
            view_id, {"customer": customer, "service": "24551", "date": typed}
        )
        assert answer == {
            "response_action": "errors",
            "errors": {"date": f"“{typed}” does not exist: February 2027 has no day 31."},
        }
    assert len(_kickserv(console).jobs) == before  # never created Unscheduled
    us_date = await console.submit_view(
        view_id, {"customer": customer, "service": "24551", "date": "03/01/2027"}
    )
    assert us_date["view"]["title"]["text"] == "Job created"
    job = max(_kickserv(console).jobs.values(), key=lambda j: j.job_number)
    assert job.scheduled_on is not None and job.scheduled_on.date().isoformat() == "2027-03-01"


async def test_a_kickserv_option_shows_kickserv_s_own_name_and_the_linked_one_beside_it(console):
    _kickserv(console).customers[1].name = "John Smith"  # Kickserv names the person
    await console.desk.directory.refresh()  # a walk after the rename
    answer = await console.suggest("customer_picker", "john smith")
    groups = {g["label"]["text"]: g["options"] for g in answer["option_groups"]}
    [kickserv] = [o for o in groups["Kickserv"] if o["value"] == "kickserv:1"]
    assert kickserv["text"]["text"] == "John Smith (#1) · ReadyDesk: Demo Company"
    assert [o["text"]["text"] for o in groups["ReadyDesk"] if o["value"] == "readydesk:demo"] == [
        "Demo Company (demo) · Kickserv: John Smith"
    ]


async def test_customers_of_one_company_are_told_apart_by_who_they_are(console):
    await directory_filled(console)
    [picker] = await console.send("/customer acme")
    titles = [b["text"]["text"].split("\n")[0] for b in picker["blocks"] if b.get("accessory")]
    assert len(titles) == 5
    assert len(set(titles)) == 5, titles


async def test_try_again_after_a_job_not_created_brings_back_everything_chosen(console):
    await directory_filled(console)
    await console.send("/job new")
    view_id = console.slack.last_view_id
    faults = console.faults("kickserv")
    faults.add("status", status=403, path="/jobs.json", method="POST", times=1)
    values = {
        "customer": {"value": "kickserv:1", "text": "Demo Company (#1)"},
        "service": "24551",
        "date": "2027-03-01",
        "time": "14:30",
    }
    failed = await console.submit_view(view_id, values)
    assert failed["view"]["title"]["text"] == "Job not created"
    console.slack.views[view_id] = {**failed["view"], "id": view_id}
    await console.press_in_view(view_id, "Try again")
    blocks = console.slack.views[view_id]["blocks"]
    form = {b["block_id"]: b["element"] for b in blocks if b["type"] == "input"}
    assert form["customer"]["initial_option"]["text"]["text"] == "Demo Company (#1)"
    assert form["service"]["initial_option"]["value"] == "24551"
    assert (form["date"]["initial_date"], form["time"]["initial_time"]) == ("2027-03-01", "14:30")


@pytest.mark.parametrize(
    "typed",
    [
        # Under the 1,500 characters the form allows, but accented: URL-encoded, past 2,000.
        ("L'imprimante du bureau d'été bloque à chaque impression; réessayé à 14h. " * 20).strip(),
        "é" * 400 + "a" * 1090,  # the accents first: the last characters weigh least
    ],
)
async def test_a_description_readydesk_cannot_take_is_refused_on_its_field_with_how_much(
    console, typed
):
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    tickets = console.fake("readydesk").state.data.tickets
    before = len(tickets)
    fields = {"customer": "readydesk:demo", "subject": "Printer jams", "description": typed}
    answer = await console.submit_view(view_id, fields)
    assert answer["response_action"] == "errors"  # the modal stays open, as typed
    [(field, said)] = answer["errors"].items()
    assert field == "description"
    cut = int(re.search(r"cutting its last ([\d,]+) characters", said).group(1).replace(",", ""))
    one_short = await console.submit_view(view_id, {**fields, "description": typed[: -cut + 1]})
    assert one_short["response_action"] == "errors"  # no fewer would do
    assert len(tickets) == before
    shortened = await console.submit_view(view_id, {**fields, "description": typed[:-cut]})
    assert shortened["view"]["title"]["text"] == "Ticket created"  # and that many is enough
    assert len(tickets) == before + 1
