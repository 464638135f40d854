"""An acknowledgement, once given, is what Slack hears, even when the listener then fails."""

import asyncio

from slack_bolt.response import BoltResponse

from bot.acks import KeptAck


def test_bolts_error_path_cannot_take_back_an_ack_already_given():
    ack = KeptAck()
    assert ack.response is None
    asyncio.run(ack(text="Looking up ticket #34 …"))
    given = ack.response
    assert isinstance(given, BoltResponse) and given.status == 200
    ack.response = None  # what slack-bolt 1.30 does when the listener raises after acking
    assert ack.response is given


def test_a_failed_listener_that_never_acked_still_gets_bolts_error_response():
    ack = KeptAck()
    ack.response = BoltResponse(status=500)  # Bolt's answer for a listener that raised first
    assert ack.response.status == 500
