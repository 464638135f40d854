"""A ticket can have several visits: each booking from its card is a job of its own, linked to
the ticket with its own notes, and the card lists them all."""

from tests.bot.test_visits import TWIN, _book, _history, _job_notes, desk_console  # noqa: F401


async def test_two_visits_booked_from_one_ticket_are_both_on_its_card(desk_console):  # noqa: F811
    console = desk_console
    _, first = await _book(console, TWIN)
    _, second = await _book(console, TWIN)  # a second booking: a second job, not the first again
    assert first != second
    [card] = await console.send(f"/ticket {TWIN}")
    rows = [b.get("block_id") for b in card["blocks"]]
    assert f"visit_{first}" in rows and f"visit_{second}" in rows
    booked = _history(console, TWIN, "Visit booked: job ")
    assert [n.split(",")[0] for n in booked] == [
        f"Visit booked: job {first}",
        f"Visit booked: job {second}",
    ]
    for job in (first, second):  # each job names the ticket, once
        assert len([n for n in _job_notes(console, job) if f"ticket #{TWIN}" in n]) == 1
        [job_card] = await console.send(f"/job {job}")
        assert f"#{TWIN}" in str(job_card["blocks"])  # its ticket, on the job's card
