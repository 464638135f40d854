"""Socket Mode against the Slack sandbox's WebSocket: envelopes acknowledged, replies sent; and
a Slack that refuses a URL at upgrade, fails apps.connections.open or resets the socket."""

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from bot.app import build_app, build_desk
from bot.logs import configure_logging
from bot.probes import probe_routes
from bot.socket_client import SocketState
from bot.socket_mode import connect_socket_mode, socket_handler
from sandbox.slack import SlackSandbox
from tests.conftest import ready_store, run_cli
from tests.scrape import scrape, value
from tests.slack_helpers import command_fields, socket_mode_settings


@pytest.fixture
async def connected(slack):
    settings = socket_mode_settings(slack.api_url)
    store = ready_store()
    desk = build_desk(settings, store)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    yield handler
    await handler.close_async()
    await desk.aclose()


def _command(slack: SlackSandbox, text: str, name: str, command: str = "/ticket") -> dict:
    return command_fields(command, text, slack.response_url(name))


async def test_a_slash_command_envelope_is_acknowledged_and_answered(connected, slack):
    envelope_id = slack.deliver("slash_commands", _command(slack, "34", "sm1"))
    await slack.wait_for_ack(envelope_id)
    reply = await slack.wait_for_call("response_url", "sm1")
    assert reply.payload["blocks"][0]["text"]["text"].startswith("#34 ")
    assert any(c.name == "apps.connections.open" for c in slack.calls)


async def test_a_usage_error_comes_back_in_the_ack_payload(connected, slack):
    ack = await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, "abc", "sm2")))
    assert "Usage" in ack["text"]


async def test_a_dropped_websocket_reconnects_without_losing_the_next_envelope(connected, slack):
    await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, "1", "before")))
    await slack.drop_connections()
    envelope_id = slack.deliver("slash_commands", _command(slack, "2", "after"))
    await slack.wait_for_ack(envelope_id, timeout=15)
    reply = await slack.wait_for_call("response_url", "after")
    assert reply.payload["blocks"][0]["text"]["text"].startswith("#2 ")
    assert slack.connections_opened >= 2


@pytest.mark.parametrize(
    ("command", "text", "starts"),
    [
        ("/tickets", "status:open", "*"),
        ("/customer", "demo", "Demo Company"),
        ("/job", "86001", "Job 86001 · "),
        ("/deskhand", "tickets status:open", "*"),
    ],
)
async def test_each_read_command_answers_over_socket_mode(connected, slack, command, text, starts):
    name = f"sm-{command[1:]}"
    await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, text, name, command)))
    reply = await slack.wait_for_call("response_url", name)
    first = reply.payload["blocks"][0]["text"]["text"]
    assert first.startswith(starts), first


# Backoff between tries, short for the tests (the process's are 1 s doubling to 30 s).
QUICK = {"first_delay": 0.05, "max_delay": 0.2}


class Served:
    """A Socket Mode app over the sandbox, and its probes and /metrics over HTTP."""

    def __init__(self, slack: SlackSandbox, state: SocketState, deaf_after: float) -> None:
        self.settings = socket_mode_settings(slack.api_url)
        self.store = ready_store()
        self.desk = build_desk(self.settings, self.store)
        self.app = build_app(self.settings, self.desk, store=self.store)
        self.state = state
        probes = Starlette(
            routes=probe_routes(self.desk, self.store, lambda: True, state, deaf_after)
        )
        self.probes = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=probes), base_url="http://deskhand"
        )


@asynccontextmanager
async def _served(
    slack: SlackSandbox, state: SocketState | None = None, deaf_after: float = 60, **options
) -> AsyncIterator[tuple[Served, asyncio.Task]]:
    """The app connecting in the background (the task ends once it is connected)."""
    served = Served(slack, state or SocketState(), deaf_after)
    handler = socket_handler(served.settings, served.app, served.state, **QUICK, **options)
    connecting = asyncio.create_task(handler.connect_async())
    try:
        yield served, connecting
    finally:
        connecting.cancel()
        await handler.close_async()
        await served.probes.aclose()
        await served.desk.aclose()


async def _answered(slack: SlackSandbox, name: str, timeout: float = 10) -> str:
    """Deliver `/ticket 34`; the first line of the card it got."""
    envelope_id = slack.deliver("slash_commands", _command(slack, "34", name))
    await slack.wait_for_ack(envelope_id, timeout=timeout)
    reply = await slack.wait_for_call("response_url", name, timeout=timeout)
    return reply.payload["blocks"][0]["text"]["text"]


def _urls_opened(slack: SlackSandbox) -> list[str]:
    opened = [c for c in slack.calls if c.name == "apps.connections.open"]
    return [c.answer["url"] for c in opened if c.answer.get("url")]


async def test_a_url_refused_at_upgrade_is_never_tried_again_a_new_one_connects(slack):
    slack.refuse_upgrades = 1  # Slack's edge answers 503 to the first URL's upgrade
    async with _served(slack) as (_, connecting):
        await asyncio.wait_for(connecting, 10)
        assert (await _answered(slack, "after-refusal")).startswith("#34 ")
    urls = _urls_opened(slack)
    assert len(urls) == 2 and len(set(urls)) == 2  # a new URL, not the refused one again
    assert slack.upgrades_refused == 1


async def test_the_refused_urls_ticket_is_in_no_log_line(slack, capsys):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(logging.INFO)
    try:
        slack.refuse_upgrades = 1
        async with _served(slack) as (_, connecting):
            await asyncio.wait_for(connecting, 10)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    log = capsys.readouterr().err
    assert "refused" in log or "503" in log  # the failure is logged ...
    for url in _urls_opened(slack):
        ticket = url.split("ticket=")[1].split("&")[0]
        assert ticket not in log  # ... without the ticket that lets anyone take the socket
    assert "ticket=***" in log


async def test_apps_connections_open_failing_then_recovering_connects(slack):
    slack.connections_open_faults = [(500, None), (429, "1")]
    started = time.monotonic()
    async with _served(slack) as (_, connecting):
        await asyncio.wait_for(connecting, 10)
        waited = time.monotonic() - started
        assert (await _answered(slack, "after-outage")).startswith("#34 ")
    opened = [c for c in slack.calls if c.name == "apps.connections.open"]
    assert len(opened) == 3
    assert waited >= 1.0  # Slack's Retry-After: 1 was honoured


async def test_a_reset_socket_shows_in_readyz_and_metrics_and_is_replaced(slack):
    async with _served(slack, ping_interval=0.5) as (served, connecting):
        await asyncio.wait_for(connecting, 10)
        ready = await served.probes.get("/readyz")
        assert (ready.status_code, ready.json()["socket"]) == (200, "connected")
        before = await scrape(served.probes)
        assert value(before, "deskhand_socket_connected") == 1
        slack.refuse_upgrades = 1000  # Slack is unreachable for now
        await slack.reset_connections()
        ready = await _until_status(served.probes, "/readyz", 503)
        assert ready.json()["socket"] == "disconnected"
        assert (await served.probes.get("/livez")).status_code == 200  # not deaf yet
        assert value(await scrape(served.probes), "deskhand_socket_connected") == 0
        await _until(lambda: slack.upgrades_refused > 0)  # it tried again, and was refused
        slack.refuse_upgrades = 0
        assert (await _answered(slack, "after-reset", timeout=15)).startswith("#34 ")
        assert (await served.probes.get("/readyz")).status_code == 200
        after = await scrape(served.probes)
    assert value(after, "deskhand_socket_connected") == 1
    assert value(after, "deskhand_socket_reconnects_total") == (
        value(before, "deskhand_socket_reconnects_total") + 1
    )
    failed = "deskhand_socket_connect_failures_total"
    assert value(after, failed, reason="upgrade_failed") > value(
        before, failed, reason="upgrade_failed"
    )


async def test_livez_fails_once_the_socket_has_been_down_longer_than_the_deaf_period(slack):
    now = [1000.0]
    state = SocketState(clock=lambda: now[0])
    slack.refuse_upgrades = 1000
    async with _served(slack, state, deaf_after=120) as (served, connecting):
        ready = await served.probes.get("/readyz")
        assert (ready.status_code, ready.json()["socket"]) == (503, "disconnected")
        assert (await served.probes.get("/livez")).status_code == 200
        now[0] += 121  # two minutes and a second without a socket
        deaf = await served.probes.get("/livez")
        assert deaf.status_code == 503
        assert deaf.json() == {"status": "deaf", "socket": "disconnected for 121 s"}
        slack.refuse_upgrades = 0
        await asyncio.wait_for(connecting, 10)
        assert (await served.probes.get("/livez")).status_code == 200
        assert (await served.probes.get("/readyz")).status_code == 200


async def _until(condition, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def _until_status(client: httpx.AsyncClient, path: str, status: int) -> httpx.Response:
    """Ask `path` until it answers `status` (as an orchestrator's probe would), for 10 s."""
    async with asyncio.timeout(10):
        while (response := await client.get(path)).status_code != status:
            await asyncio.sleep(0.05)
    return response


async def test_slack_unreachable_then_back_counts_url_failures_and_answers_again(slack):
    async with _served(slack) as (served, connecting):
        await asyncio.wait_for(connecting, 10)
        port = int(slack.base_url.rsplit(":", 1)[1])
        failed = "deskhand_socket_connect_failures_total"
        before = await scrape(served.probes)
        await slack.stop()  # Slack is gone: its socket closes, apps.connections.open is refused
        ready = await _until_status(served.probes, "/readyz", 503)
        assert ready.json()["socket"] == "disconnected"
        await _until_metric(served.probes, failed, value(before, failed, reason="url_failed"))
        during = await scrape(served.probes)  # no URL was handed out, so no upgrade was tried
        assert value(during, failed, reason="upgrade_failed") == value(
            before, failed, reason="upgrade_failed"
        )
        await slack.start(port)
        assert (await _answered(slack, "after-outage", timeout=15)).startswith("#34 ")
        assert (await served.probes.get("/readyz")).status_code == 200


async def _until_metric(client: httpx.AsyncClient, name: str, above: float) -> None:
    """Scrape /metrics until `name`{reason="url_failed"} is above `above`, for 10 s."""
    async with asyncio.timeout(10):
        while value(await scrape(client), name, reason="url_failed") <= above:
            await asyncio.sleep(0.05)


async def test_a_token_slack_refuses_for_good_stops_run_with_a_clear_message(slack):
    # A bot token where the app-level token belongs: apps.connections.open says
    # not_allowed_token_type, and no number of tries changes that.
    env = {
        "SLACK_BOT_TOKEN": "xoxb-sandbox",
        "SLACK_APP_TOKEN": "xoxb-pasted-in-the-wrong-place",
        "SLACK_API_URL": slack.api_url,
        "DESKHAND_DATABASE_URL": "sqlite://",
    }
    # main() in-process, off this loop (the Slack fake answers on it).
    result = await asyncio.wait_for(asyncio.to_thread(run_cli, "run", env=env), 30)
    log = result.stderr
    assert result.returncode == 2, log
    assert "SLACK_APP_TOKEN" in log and "not_allowed_token_type" in log
    assert "Traceback" not in log and "pasted-in-the-wrong-place" not in log


async def test_a_reset_socket_is_replaced_within_slacks_ack_deadline(slack):
    # At the process's own ping interval (10 s): a reset sends no CLOSE frame, and Slack fails
    # a command it cannot deliver within 3 s.
    async with _served(slack) as (_, connecting):
        await asyncio.wait_for(connecting, 10)
        await slack.reset_connections()
        started = time.monotonic()
        assert (await _answered(slack, "soon-after-reset", timeout=15)).startswith("#34 ")
        assert time.monotonic() - started < 3


async def test_each_failed_connect_is_one_log_line(slack, capsys):
    # slack-sdk's error text for a failed call spans two lines; a log shipper reading lines would
    # cut the second (what Slack answered) from its time and level.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(logging.INFO)
    try:
        slack.connections_open_faults = [(500, None)]
        async with _served(slack) as (_, connecting):
            await asyncio.wait_for(connecting, 10)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    lines = capsys.readouterr().err.splitlines()
    failed = [line for line in lines if "could not connect" in line]
    assert len(failed) == 1 and "fatal_error" in failed[0]
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line) for line in lines), lines
