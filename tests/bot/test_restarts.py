"""Stopping `deskhand serve` in the middle of a write: SIGTERM drains it, SIGKILL is reconciled
by the next process on the same database. ReadyDesk is the sandbox fake on a loopback port, so
both processes write to one help desk."""

import asyncio
import signal
import sys

import httpx
import pytest

from ops.containers import free_port
from ops.local_serve import answering, start_deskhand
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.serve import LoopbackServer
from store import Store
from tests.bot.test_processes import ROOT, _env
from tests.slack_helpers import SIGNING_SECRET, command_body, command_fields, signed_headers

pytestmark = pytest.mark.long_running


@pytest.fixture
async def readydesk():
    """The ReadyDesk fake on loopback, and its data (to see what was written)."""
    data = seeded(tickets=50, customers=10)
    app = build_readydesk_app(data)
    async with LoopbackServer(app) as server:
        yield server.base_url + "/readydesk/API/default.aspx", app, data


async def _start(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    process = await start_deskhand(
        "serve", "--port", str(port), env=env, stderr=asyncio.subprocess.PIPE
    )
    await answering(f"http://127.0.0.1:{port}/livez", process)
    return process, port


async def _send_note(port: int, response_url: str, text: str) -> None:
    body = command_body("/note", f"ticket 34 {text}", response_url)
    headers = {"content-type": "application/x-www-form-urlencoded", **signed_headers(body)}
    async with httpx.AsyncClient() as client:
        reply = await client.post(
            f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers
        )
    assert reply.status_code == 200


async def _until(condition, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def _settings(slack, url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The processes' settings; the database is a migrated copy (these tests are about stopping
    and restarting, not about a first start)."""
    return _env(
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_BOT_TOKEN="xoxb-restart-test",
        SLACK_API_URL=slack.api_url,
        READYDESK_URL=url,
        READYDESK_KEY=SANDBOX_KEY,
        DESKHAND_DATABASE_URL=database_url,
        **extra,
    )


async def test_sigterm_during_a_write_finishes_it_and_tells_the_person(
    slack, readydesk, migrated_url
):
    url, app, data = readydesk
    before = len(data.history.get(34, []))
    app.state.faults.add("latency_after", seconds=1.5, query={"action": "add_history"})
    process, port = await _start(_settings(slack, url, migrated_url))
    await _send_note(port, slack.response_url("drain"), "Swapped the drum")
    await _until(lambda: len(data.history.get(34, [])) > before)  # applied; reply still coming
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    told = [c for c in slack.calls if c.kind == "response_url" and c.name == "drain"]
    assert told[-1].payload["text"].startswith("Added the note to ticket #34")
    store = Store(migrated_url)
    assert [r.outcome for r in await store.audit.recent()] == ["written"]
    await store.close()


async def test_sigkill_during_a_write_is_reconciled_by_the_next_process(
    slack, readydesk, migrated_url
):
    url, app, data = readydesk
    before = len(data.history.get(34, []))
    fault = app.state.faults.add("latency_after", seconds=2, query={"action": "add_history"})
    env = _settings(slack, url, migrated_url, DESKHAND_CLAIM_LEASE="1")
    first, port = await _start(env)
    await _send_note(port, slack.response_url("killed"), "Ordered a new fuser")
    await _until(lambda: len(data.history.get(34, [])) > before)
    first.kill()
    await first.wait()
    store = Store(migrated_url)
    assert [r.outcome for r in await store.audit.recent()] == ["pending"]  # opened before the call
    app.state.faults.active.remove(fault)
    await asyncio.sleep(1.1)  # the dead owner's lease runs out
    second, _ = await _start(env)
    try:
        told = await slack.wait_for_call("response_url", "killed", timeout=20)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 30)
    assert "The note on ticket #34 was written" in told.payload["text"]
    assert [r.outcome for r in await store.audit.recent()] == ["confirmed"]
    assert (await store.claims.get(_claim_key(store))).state == "done"
    assert len(data.history.get(34, [])) == before + 1  # written once, never twice
    await store.close()


def _claim_key(store: Store) -> str:
    with store.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT intent_key FROM write_claims").scalar_one()


async def test_sigterm_during_a_burst_of_commands_every_acknowledged_one_gets_its_card(
    slack, readydesk, migrated_url
):
    url, app, _ = readydesk
    app.state.faults.add("latency", seconds=0.3)  # each card's reads take a while
    process, port = await _start(_settings(slack, url, migrated_url))
    acked: list[str] = []

    async def ask(client: httpx.AsyncClient, n: int) -> None:
        name = f"burst-{n}"
        body = command_body("/ticket", "34", slack.response_url(name))
        headers = {"content-type": "application/x-www-form-urlencoded", **signed_headers(body)}
        try:
            reply = await client.post(
                f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers
            )
        except httpx.TransportError:
            return  # refused: the process had stopped taking requests
        if reply.status_code == 200:
            acked.append(name)

    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        burst = [asyncio.create_task(ask(client, n)) for n in range(50)]
        await _until(lambda: len(acked) >= 10)
        process.send_signal(signal.SIGTERM)
        await asyncio.gather(*burst)
    _, stderr = await asyncio.wait_for(process.communicate(), 40)
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    cards = {
        c.name: c.payload
        for c in slack.calls
        if c.kind == "response_url" and c.payload.get("blocks")
    }
    unanswered = [name for name in acked if name not in cards]
    assert not unanswered, f"{len(unanswered)} of {len(acked)} acknowledged got no card"
    assert all(cards[name]["blocks"][0]["text"]["text"].startswith("#34 ") for name in acked)


async def test_socket_mode_stop_finishes_acknowledged_commands_and_readyz_says_503(
    slack, readydesk, migrated_url
):
    url, app, _ = readydesk
    app.state.faults.add("latency", seconds=0.3)
    probes = free_port()
    env = _settings(
        slack,
        url,
        migrated_url,
        SLACK_APP_TOKEN="xapp-1-restart-test",
        DESKHAND_METRICS_PORT=str(probes),
    )
    del env["SLACK_SIGNING_SECRET"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    names = [f"sm-stop-{n}" for n in range(12)]
    envelopes = [
        slack.deliver("slash_commands", command_fields("/ticket", "34", slack.response_url(name)))
        for name in names
    ]
    for envelope_id in envelopes:
        await slack.wait_for_ack(envelope_id, timeout=30)
    process.send_signal(signal.SIGTERM)
    answers: list[tuple[int, str]] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{probes}") as client:
        while process.returncode is None:  # ask as an orchestrator would, until it exits
            try:
                reply = await client.get("/readyz")
                answers.append((reply.status_code, reply.json()["status"]))
            except httpx.TransportError:
                break
            await asyncio.sleep(0.05)
    _, stderr = await asyncio.wait_for(process.communicate(), 40)
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert answers and set(answers) == {(503, "unavailable")}
    cards = {c.name for c in slack.calls if c.kind == "response_url" and c.payload.get("blocks")}
    assert not [name for name in names if name not in cards]
