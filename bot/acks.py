"""An acknowledgement, once given, stays given.

slack-bolt 1.30's runner (listener/asyncio_runner.py), when a listener raises after it acked,
sets `ack.response` to None and then waits out the 3-second ack timeout: the acknowledgement is
lost, Slack hears 404 after 3 seconds and shows the person an error of its own, on top of the
one Deskhand's error handler sends. Every request gets this ack instead (bot/app.py).
"""

from slack_bolt.async_app import AsyncAck
from slack_bolt.response import BoltResponse


class KeptAck(AsyncAck):
    """Bolt's ack whose response cannot be taken back once set."""

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        """The acknowledgement given, if any."""
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return  # Bolt's error path: keep the acknowledgement already given
        self._response = value
