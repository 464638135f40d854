"""Customer typeahead: both systems' matches from the directory, fast whatever the backends do."""

import time

from handlers.form_values import parse_customer_value
from tests.conftest import directory_filled


async def test_matches_from_both_systems_are_grouped_and_labelled(console):
    await directory_filled(console)
    answer = await console.suggest("customer_picker", "democompany")
    groups = {g["label"]["text"]: g["options"] for g in answer["option_groups"]}
    assert [o["text"]["text"] for o in groups["ReadyDesk"]] == ["Demo Company (demo)"]
    [kickserv] = groups["Kickserv"]
    assert kickserv["text"]["text"].startswith("Demo Company (#")
    assert parse_customer_value(groups["ReadyDesk"][0]["value"]) == ("readydesk", "demo")


async def test_it_answers_from_the_directory_while_the_backends_are_slow(console):
    await directory_filled(console)
    for backend in ("readydesk", "kickserv"):
        console.faults(backend).add("latency", seconds=5)
    started = time.perf_counter()
    answer = await console.suggest("customer_picker", "smith")
    assert time.perf_counter() - started < 1.0
    assert answer["option_groups"]


async def test_one_letter_or_nothing_found_offers_nothing(console):
    await directory_filled(console)
    assert await console.suggest("customer_picker", "d") == {"options": []}
    assert await console.suggest("customer_picker", "zzzz-nobody") == {"option_groups": []}


async def test_the_job_forms_picker_offers_only_kickserv_customers(console):
    """A job is a Kickserv customer's: the job form offers no customer it would then refuse."""
    await directory_filled(console)
    await console.send("/job new")
    job_form = await console.suggest("customer_picker", "democompany")
    assert [g["label"]["text"] for g in job_form["option_groups"]] == ["Kickserv"]
    await console.send("/ticket new")  # a ticket may be either system's (linked) customer
    ticket_form = await console.suggest("customer_picker", "democompany")
    assert [g["label"]["text"] for g in ticket_form["option_groups"]] == ["ReadyDesk", "Kickserv"]
