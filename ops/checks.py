"""What the image's checks share: a failed check, waiting for a condition or a Slack reply, and
reading a container's log and a reply's text."""

import asyncio
import time
from collections.abc import Callable

from ops import signed
from ops.containers import Container
from sandbox.slack import RecordedCall, SlackSandbox


class CheckFailed(Exception):
    """A check did not hold; the message says which and what was seen."""


def expect(condition: object, message: str) -> None:
    """Fail the check with `message` unless `condition` holds."""
    if not condition:
        raise CheckFailed(message)


async def wait_for_reply(
    slack: SlackSandbox, name: str, match: Callable[[RecordedCall], bool], timeout: float = 30
) -> RecordedCall:
    """The first post to response_url `name` that `match` accepts ("Looking up…" may come first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in slack.calls:
            if call.kind == "response_url" and call.name == name and match(call):
                return call
        await asyncio.sleep(0.05)
    seen = [c.payload.get("text") for c in slack.calls if c.name == name]
    raise CheckFailed(f"no fitting reply on response_url {name!r} in {timeout:.0f} s; saw {seen}")


def text_of(call: RecordedCall) -> str:
    """A reply's text and its blocks' texts, joined, for matching."""
    texts = [str(call.payload.get("text") or "")]
    for block in call.payload.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            texts.append(str(text.get("text", "")))
    return "\n".join(texts)


def expect_clean_log(container: Container) -> None:
    """The log of a stopped container: stopped in order, no traceback, no secret."""
    log = container.log()
    expect("Deskhand stopped" in log, f"{container.name} did not log its stop:\n{log[-3000:]}")
    expect("Traceback" not in log, f"{container.name} logged a traceback:\n{log[-3000:]}")
    for secret in (signed.SIGNING_SECRET, signed.BOT_TOKEN):
        expect(secret not in log, f"{container.name} logged a secret")


async def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait until `condition()` holds; fail naming `what` when it does not in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise CheckFailed(f"waited {timeout:.0f} s for: {what}")
        await asyncio.sleep(0.05)
