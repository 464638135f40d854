"""One truth on every surface (issue 25): what a card calls latest or most is computed over every
record, a count beside its query gives the query's number, and money is owed in one sense."""

from bot.console import Console


def _fake(client):
    """The sandbox app behind a backend client (its data and fault switches)."""
    return client._http._transport.app


async def test_the_latest_note_is_the_last_one_written_on_any_page(console: Console):
    kickserv = console._desk.kickserv
    job = next(iter(_fake(kickserv).state.data.jobs.values()))
    for n in range(1, 31):  # more than one page of Kickserv's notes (25 a page)
        await kickserv.add_note("jobs", job.job_number, f"Visit note {n}")
    [card] = await console.send(f"/job {job.job_number}")
    [latest] = [b for b in card["blocks"] if "Latest note" in str(b)]
    assert latest["elements"][0]["text"].endswith(": Visit note 30")
    [notes] = await console.send("click Notes")
    assert notes["blocks"][1]["text"]["text"] == "Visit note 30"
