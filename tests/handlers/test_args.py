"""The slash-command grammar."""

import pytest

from handlers.args import UsageError, parse_ticket_number, split_subcommand, unknown_subcommand


@pytest.mark.parametrize(("text", "number"), [("34", 34), (" #34 ", 34), ("000123", 123)])
def test_ticket_numbers(text, number):
    assert parse_ticket_number(text) == number


@pytest.mark.parametrize("text", ["", "abc", "34 35", "-1", "0", "1234567890", "<!channel>"])
def test_bad_ticket_numbers_explain_the_usage(text):
    with pytest.raises(UsageError) as caught:
        parse_ticket_number(text)
    message = str(caught.value)
    assert "Usage: `/ticket &lt;number&gt; | new`" in message
    assert "<" not in message  # nothing Slack could read as a link or mention


def test_deskhand_subcommands_split_off_their_text():
    assert split_subcommand("") == ("help", "")
    assert split_subcommand("HELP") == ("help", "")
    assert split_subcommand("tickets  status:open tech:me") == ("tickets", "status:open tech:me")
    assert "no `frobnicate` command" in str(unknown_subcommand("frobnicate"))
