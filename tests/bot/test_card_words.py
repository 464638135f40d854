"""Cards read every day say each thing once, and name the time zone of every time they show."""

from playground.console import Console
from tests.conftest import clean_settings


def _fields(card: dict) -> list[str]:
    return [f["text"] for b in card["blocks"] for f in b.get("fields") or []]


async def test_a_job_card_says_when_beside_its_status_not_scheduled_twice(console):
    [card] = await console.send("/job 86001")
    fields = _fields(card)
    assert "*Status*\nScheduled" in fields
    assert not [f for f in fields if f.startswith("*Scheduled*")]
    [when] = [f for f in fields if f.startswith("*When*\n")]
    assert when.endswith(" UTC")


async def test_a_job_line_says_its_service_once(console):
    await console.desk.directory.refresh()
    [card] = await console.send("/customer demo")
    shown = str(card["blocks"])
    assert "Gutter Cleaning at 123 Demo Street" in shown
    assert "Gutter Cleaning — Gutter Cleaning" not in shown


async def test_ticket_times_name_their_time_zone():
    async with Console(clean_settings(DESKHAND_TIMEZONE="America/New_York")) as console:
        [card] = await console.send("/ticket 34")
    [opened] = [f for f in _fields(card) if f.startswith("*Opened*\n")]
    assert opened.endswith((" EST", " EDT")), opened


async def test_a_customers_job_lines_name_the_status_as_the_job_card_does(console):
    [job] = await console.send("/job 86001")
    assert "*Status*\nScheduled" in _fields(job)
    [card] = await console.send("/customer demo")
    [line] = [x for x in str(card["blocks"]).split("\\n") if x.startswith("• Job 86001 ")]
    assert " · Scheduled · " in line and " · scheduled · " not in line


async def test_a_job_made_from_slack_without_a_description_is_one_service_on_the_customer_card(
    console,
):
    await console.send("/job new weasel works")
    view_id = console.slack.last_view_id
    blocks = console.slack.views[view_id]["blocks"]
    customer = blocks[0]["element"]["initial_option"]["value"]
    service = blocks[1]["element"]["options"][0]  # Gutter Cleaning
    values = {"customer": customer, "service": service["value"], "date": "2031-05-02"}
    await console.submit_view(view_id, values)
    [card] = await console.send("/customer weasel works")
    lines = [x for x in str(card["blocks"]).split("\\n") if x.startswith("• Job ")]
    [made] = [x for x in lines if "May 2, 2031" in x]
    assert made.startswith("• Job ") and " Gutter Cleaning · Scheduled · May 2, 2031" in made
    assert "via Slack" not in made  # the signature is the card's footnote, not the job's words
