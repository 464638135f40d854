"""The slash-command grammar."""

import pytest

from handlers.args import (
    Invocation,
    UsageError,
    parse_invocation,
    parse_ticket_number,
    unknown_subcommand,
)


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
    assert parse_invocation("") == Invocation("help", "")
    assert parse_invocation("HELP") == Invocation("help", "")
    assert parse_invocation("tickets  status:open tech:me") == Invocation(
        "tickets", "status:open tech:me"
    )
    assert "no `frobnicate` command" in str(unknown_subcommand("frobnicate"))
