"""The console's `reply` and `react`: a reply in a shared card's thread becomes a note, and a
reaction on it does what the emoji says."""

from playground.console import Console


def _history(console: Console, tid: int):
    return console.fake("readydesk").state.data.history[tid]


async def test_a_reply_in_the_shared_cards_thread_becomes_a_note(console):
    [nothing] = await console.send("reply Too early")
    assert nothing["text"].startswith("Nothing Deskhand posted in this channel yet")
    await console.send("/deskhand threads on")
    await console.send("/ticket 34")
    await console.send("click Share in channel")
    await console.send("reply Printer driver reinstalled.")
    assert "Printer driver reinstalled." in _history(console, 34)[-1].note
    synced = [c for c in console.slack.calls if c.name == "reactions.add"]
    assert [c.payload["name"] for c in synced] == ["inbox_tray"]


async def test_the_ticket_reaction_offers_a_ticket_from_the_message(console):
    await console.send("/ticket 34")
    await console.send("click Share in channel")
    replies = await console.send("react :ticket:")
    assert any("Create a ReadyDesk ticket from this message?" in r["text"] for r in replies)
