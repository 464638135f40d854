"""`deskhand serve` and `deskhand run` as real processes, stopped the way a supervisor would;
refusing to start, through the same `main()` in this process."""

import asyncio
import os
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ops.containers import free_port
from ops.local_serve import ROOT, answering, start_deskhand
from sandbox.slack import SlackSandbox
from tests.conftest import run_cli
from tests.scrape import parse, value
from tests.slack_helpers import command_fields

pytestmark = pytest.mark.long_running

TICKET = {"kind": "command", "listener": "/ticket"}


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "READYDESK_", "KICKSERV_"))
    }
    return {**env, "DESKHAND_DATABASE_URL": "sqlite://", **extra}


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    # uvicorn re-raises the signal once it has shut down cleanly, so -SIGTERM counts as clean.
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    assert "Traceback" not in stderr.decode()
    return stderr.decode()


async def _with_huge_header(client: httpx.AsyncClient, url: str) -> int | str:
    """The status a request with a megabyte of headers gets, or "closed" if the server hung up."""
    try:
        response = await client.get(url, headers={"X-Padding": "x" * 1_000_000})
    except httpx.TransportError:
        return "closed"
    return response.status_code


async def test_serve_answers_its_probes_and_shuts_down_cleanly(migrated_url):
    port = free_port()
    secret_token = "xoxb-1234567890-processtest"
    process = await start_deskhand(
        "serve",
        "--port",
        str(port),
        env=_env(
            SLACK_SIGNING_SECRET="s3cret",
            SLACK_BOT_TOKEN=secret_token,
            DESKHAND_DATABASE_URL=migrated_url,
        ),
        module="playground.cli",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        response = await answering(f"http://127.0.0.1:{port}/readyz", process)
        async with httpx.AsyncClient() as client:
            live = await client.get(f"http://127.0.0.1:{port}/livez")
            refused = await _with_huge_header(client, f"http://127.0.0.1:{port}/livez")
        assert live.json() == {"status": "ok"}
        # Headers are bounded as bodies are (bot/gate.py): a megabyte of them is refused before
        # the app or its memory sees them.
        assert refused in (400, 431, "closed")
        assert response.status_code == 200
        assert response.json()["backends"] == {"readydesk": "ok", "kickserv": "ok"}
    finally:
        if process.returncode is None:
            log = await _stop(process)
    assert "backend clients closed" in log
    assert secret_token not in log


@dataclass(frozen=True)
class Running:
    """A `deskhand run` process in Socket Mode, its probe port and the file its log goes to."""

    process: asyncio.subprocess.Process
    port: int
    log_file: Path

    def log(self) -> str:
        """What it has logged so far."""
        return self.log_file.read_text()


@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def class_slack() -> AsyncIterator[SlackSandbox]:
    """The Slack sandbox, for as long as the class's one process runs."""
    sandbox = SlackSandbox()
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


async def _socket_mode_run(
    slack: SlackSandbox, database: Path, stderr: Any, **env: str
) -> asyncio.subprocess.Process:
    """`deskhand run` with both tokens (Socket Mode) against `slack`, its state in `database`,
    its log to `stderr`."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playground.cli",
        "run",
        cwd=ROOT,
        env=_env(
            SLACK_API_URL=slack.api_url,
            SLACK_BOT_TOKEN="xoxb-run-test",
            SLACK_APP_TOKEN="xapp-1-run-test",
            DESKHAND_DATABASE_URL=f"sqlite:///{database}",
            **env,
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def socket_mode_run(
    class_slack, migrated_database, tmp_path_factory
) -> AsyncIterator[Running]:
    """One `deskhand run` with both tokens, connected (its /readyz says 200); stopped with
    SIGTERM once the class is done, which must be clean."""
    directory = tmp_path_factory.mktemp("socket-mode-run")
    port, log_file, database = free_port(), directory / "stderr.log", directory / "state.db"
    shutil.copyfile(migrated_database, database)
    with log_file.open("wb") as log:
        process = await _socket_mode_run(
            class_slack, database, log, DESKHAND_METRICS_PORT=str(port)
        )
    try:
        await answering(f"http://127.0.0.1:{port}/readyz", process, ready=True)
        yield Running(process, port, log_file)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    log = log_file.read_text()
    assert process.returncode in (0, -signal.SIGTERM), log
    assert "Traceback" not in log
    assert "connections closed" in log


@pytest.mark.asyncio(loop_scope="class")
class TestOneRunInSocketMode:
    """One `deskhand run` process answers these tests in turn (starting one costs about two
    CPU-seconds); each asserts on what its own requests changed. Stopping has its own processes
    (tests/bot/test_restarts.py, test_socket_stop.py)."""

    async def test_run_uses_socket_mode_when_tokens_are_set(self, class_slack, socket_mode_run):
        envelope_id = class_slack.deliver(
            "slash_commands", command_fields("/ticket", "34", class_slack.response_url("run1"))
        )
        await class_slack.wait_for_ack(envelope_id, timeout=30)
        reply = await class_slack.wait_for_call("response_url", "run1")
        assert reply.payload["blocks"][0]["text"]["text"].startswith("#34 ")

    async def test_socket_mode_serves_probes_and_metrics_on_its_port(
        self, class_slack, socket_mode_run
    ):
        port = socket_mode_run.port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["process"] == "serving"
            assert (await client.get("/livez")).json() == {"status": "ok"}
            before = parse((await client.get("/metrics")).text)
            envelope = class_slack.deliver(
                "slash_commands",
                command_fields("/ticket", "34", class_slack.response_url("probe1")),
            )
            await class_slack.wait_for_ack(envelope, timeout=30)
            await class_slack.wait_for_call("response_url", "probe1")
            after = parse((await client.get("/metrics")).text)
        for name in ("deskhand_requests_total", "deskhand_ack_seconds_count"):
            assert value(after, name, **TICKET) == value(before, name, **TICKET) + 1, name
        assert value(after, "process_resident_memory_bytes") > 0
        assert f"probes and /metrics on http://127.0.0.1:{port}" in socket_mode_run.log()


async def test_run_fills_the_customer_directory_before_any_request(slack, tmp_path):
    database = tmp_path / "deskhand.db"
    process = await _socket_mode_run(slack, database, asyncio.subprocess.PIPE)
    try:  # no envelope is delivered: the process's start alone fills the directory
        deadline = time.monotonic() + 30
        while _directory_fills(database) != ["kickserv", "readydesk"]:
            assert time.monotonic() < deadline and process.returncode is None
            await asyncio.sleep(0.2)
    finally:
        log = await _stop(process)
    assert "connections closed" in log


def _directory_fills(database: Path) -> list[str]:
    """The systems whose directory walk a process finished, from its SQLite file."""
    if not database.exists():
        return []
    with closing(sqlite3.connect(database)) as connection:
        try:
            rows = connection.execute("SELECT system FROM directory_fills ORDER BY system")
            return [system for (system,) in rows]
        except sqlite3.OperationalError:  # not migrated yet, or the writer holds it
            return []


def test_serve_without_credentials_says_what_is_missing():
    result = run_cli("serve", env={"SLACK_BOT_TOKEN": "xoxb-only"})
    assert result.returncode == 2
    assert "needs SLACK_SIGNING_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_bot_token_but_no_app_token_explains_socket_mode():
    result = run_cli("run", env={"SLACK_BOT_TOKEN": "xoxb-only"})
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not" in result.stderr
    assert "Traceback" not in result.stderr
