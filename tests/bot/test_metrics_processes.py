"""Probes and /metrics from real processes: `serve` in prometheus-client's multiprocess mode,
and JSON logs; a Socket Mode process whose DESKHAND_METRICS_PORT is taken (the probes of one
that serves are tested in test_processes.py, on the process the Socket Mode tests share)."""

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from ops.containers import free_port
from ops.local_serve import answering
from tests.conftest import run_cli
from tests.scrape import parse, value
from tests.slack_helpers import SIGNING_SECRET, command_body, signed_headers

pytestmark = pytest.mark.long_running

ROOT = Path(__file__).resolve().parents[2]
TICKET = {"kind": "command", "listener": "/ticket"}
TRIGGER = parse_qs(command_body("/ticket", "", ""))["trigger_id"][0]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "READYDESK_", "KICKSERV_", "PROMETHEUS_"))
    }
    return {**env, "DESKHAND_DATABASE_URL": "sqlite://", **extra}


async def _deskhand(*argv: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playground.cli",
        *argv,
        cwd=ROOT,
        env=_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    assert "Traceback" not in stderr.decode()
    return stderr.decode()


async def test_socket_mode_says_when_its_metrics_port_is_taken(slack):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": "xoxb-probe-test",
            "SLACK_APP_TOKEN": "xapp-1-probe-test",
            "DESKHAND_METRICS_PORT": str(port),
        }
        # main() in-process, off this loop (the Slack fake answers on it).
        result = await asyncio.to_thread(run_cli, "run", env=env)
    assert result.returncode == 2
    assert f"DESKHAND_METRICS_PORT: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


async def _serve_one(
    slack, port: int, name: str, command: str = "/ticket", text: str = "34", **env: str
) -> tuple[dict, str]:
    """`deskhand serve` answering one signed command; its /metrics samples, and its log."""
    process = await _deskhand(
        "serve",
        "--port",
        str(port),
        SLACK_API_URL=slack.api_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_BOT_TOKEN="xoxb-serve-test",
        **env,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await answering(f"http://127.0.0.1:{port}/readyz", process, ready=True)
            body = command_body(command, text, slack.response_url(name))
            headers = {"content-type": "application/x-www-form-urlencoded", **signed_headers(body)}
            assert (await client.post("/slack/events", content=body, headers=headers)).is_success
            await slack.wait_for_call("response_url", name, timeout=30)
            samples = parse((await client.get("/metrics")).text)
    finally:
        log = await _stop(process)
    return samples, log


async def test_serve_in_multiprocess_mode_counts_its_own_run_and_logs_json(
    slack, tmp_path, migrated_url
):
    shared = tmp_path / "metrics"  # made by the process
    first, _ = await _serve_one(
        slack,
        free_port(),
        "mp1",
        PROMETHEUS_MULTIPROC_DIR=str(shared),
        DESKHAND_DATABASE_URL=migrated_url,
    )
    assert value(first, "deskhand_requests_total", **TICKET) == 1
    assert any(shared.glob("counter_*.db"))  # each process's values are files there
    second, log = await _serve_one(
        slack,
        free_port(),
        "mp2",
        "/note",
        "ticket 34 Reseated the drum",
        PROMETHEUS_MULTIPROC_DIR=str(shared),
        DESKHAND_LOG_FORMAT="json",
        DESKHAND_DATABASE_URL=migrated_url,  # the first run's database: a restart
    )
    # What the first run left in the directory is not added to the second's.
    assert value(second, "deskhand_requests_total", **TICKET) == 0
    assert value(second, "deskhand_requests_total", kind="command", listener="/note") == 1
    assert value(second, "deskhand_writes_total", action="note.ticket", outcome="written") == 1
    entries = [json.loads(line) for line in log.splitlines() if line.strip()]  # one a line
    assert all({"time", "level", "logger", "request_id", "message"} <= set(e) for e in entries)
    assert any(e["message"] == "Deskhand is serving Slack over HTTP" for e in entries)
    [written] = [e for e in entries if e["logger"] == "deskhand.writes"]
    assert written["message"].startswith("note.ticket ticket #34 by U1: written")
    assert written["request_id"] == TRIGGER[:32]  # the command's trigger id
    assert "xoxb-serve-test" not in log
