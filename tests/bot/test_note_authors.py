"""Who wrote a note is the person who wrote it, and its text looks the same on every surface."""

from api.signatures import read_signature
from api.writes import new_marker, signature


def test_a_signature_reads_back_as_its_author_and_marker():
    marker = new_marker()
    signed = read_signature(f"Called back\n— Alice Moreno via Slack · {marker}")
    assert (signed.text, signed.slack_author, signed.marker) == (
        "Called back",
        "Alice Moreno",
        marker,
    )
    assert read_signature(f"x\n{signature('Bo', marker)}").slack_author == "Bo"
    assert read_signature("Fixed the pump — Sam via phone").slack_author is None


async def test_a_note_from_slack_is_by_the_slack_person_on_the_card_and_in_the_notes(console):
    [added] = await console.send("/note job 86001 Called *back* & booked <Tuesday>")
    assert added["text"].startswith("Added the note to job 86001")
    kickserv = console.fake("kickserv").state.data
    stored = max(kickserv.notes.values(), key=lambda n: n.id)
    name = read_signature(stored.note).slack_author  # who Slack says sent it
    assert name
    [card] = await console.send("/job 86001")
    [latest] = [b for b in card["blocks"] if "Latest note" in str(b)]
    [element] = latest["elements"]
    assert (element["type"], element["text"]) == (
        "plain_text",
        f"Latest note, by {name} via Slack: Called *back* & booked <Tuesday>",
    )
    [notes] = await console.send("click Notes")
    text, author = notes["blocks"][1], notes["blocks"][2]
    assert (text["text"]["type"], text["text"]["text"]) == (
        "plain_text",
        "Called *back* & booked <Tuesday>",
    )
    assert author["elements"][0]["text"].startswith(f"{name} via Slack · ")
    assert "Pat Lee" not in str(card["blocks"]) + str(notes["blocks"][:3])
